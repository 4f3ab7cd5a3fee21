import { API_ROUTES, matchRoute, type ApiRouteName } from '@cursor-cost-watch/contract';
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import pluginJson from '../plugin.json';
import { PROXY_BASE } from '../constants';
import { detail, incident, list, metrics, settings, userDetail, users } from '../test/fixtures';
import { installFakeBackend } from '../test/fakeBackend';
import { workerApi } from './client';

/** What Grafana's proxy does: first route whose method and path match (exact, or a prefix when it ends in /*). */
function proxyRouteFor(method: string, path: string) {
  const rel = path.replace(/^\//, '');
  return pluginJson.routes.find(
    (r) =>
      (r.method === method || !r.method) &&
      (r.path.endsWith('/*') ? rel.startsWith(r.path.slice(0, -1)) : rel === r.path)
  );
}

const samplePath = (p: string) => p.replace(':id', '12').replace(':email', 'a%40b.c');

describe('plugin ↔ worker contract', () => {
  it('every worker endpoint is reachable through a proxy route with the role the contract names', () => {
    for (const [name, r] of Object.entries(API_ROUTES)) {
      const route = proxyRouteFor(r.method, samplePath(r.path));
      if (r.role === 'public') {
        expect([name, route?.reqRole ?? 'none']).not.toEqual([name, 'Admin']);
        continue;
      }
      expect([name, route?.reqRole]).toEqual([name, r.role]);
      expect(route?.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }]);
      expect(route?.url).toBe('{{ .JsonData.workerUrl }}');
    }
  });

  it('no proxy route lets a Viewer write', () => {
    for (const r of pluginJson.routes) {
      if (r.reqRole === 'Viewer') {
        expect(r.method).toBe('GET');
      }
    }
  });

  it('every request the client makes validates against the shared schemas, and every endpoint is used', async () => {
    const answers: Record<ApiRouteName, unknown> = {
      listIncidents: list([incident()]),
      getIncident: detail(),
      acknowledgeIncident: incident(),
      resolveIncident: incident({ status: 'resolved' }),
      reopenIncident: incident(),
      listSnoozes: { items: [] },
      createSnooze: {
        id: 1,
        scope: 'user',
        subject: 'a@b.c',
        until: '2026-12-01T00:00:00.000Z',
        reason: 'x',
        createdBy: 'me',
        createdAt: '2026-11-20T00:00:00.000Z',
      },
      deleteSnooze: { ok: true },
      incidentMetrics: metrics,
      searchUsers: users,
      getUser: userDetail,
      getSettings: settings,
      updateSettings: settings,
      previewSettings: {
        days: 30,
        current: { days: 30, perDetector: {}, total: 0 },
        proposed: { days: 30, perDetector: {}, total: 0 },
        opened: [],
        closed: [],
      },
      testNotification: { ok: true, channel: 'email', message: 'sent' },
      collectionStatus: { now: '2026-11-20T00:00:00.000Z', endpoints: [], lastRunAt: null, hasData: false },
      runCollection: { jobId: 'j1' },
      health: { ok: true, database: true },
    };
    const b = installFakeBackend(Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, () => v])));
    await workerApi.listIncidents({
      status: ['open', 'alerted'],
      severity: ['critical'],
      detector: ['model_shift'],
      user: "o'brien",
      team: 'grp-1',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-20T00:00:00.000Z',
      sort: 'severity',
      order: 'asc',
      page: 2,
      pageSize: 10,
    });
    await workerApi.listIncidents();
    await workerApi.getIncident(12);
    await workerApi.acknowledge(12, 'on it');
    await workerApi.acknowledge(12);
    await workerApi.resolve(12, { reason: 'false_positive', note: 'bench' });
    await workerApi.reopen(12);
    await workerApi.listSnoozes();
    await workerApi.createSnooze({
      scope: 'user',
      subject: 'a@b.c',
      until: '2026-12-01T00:00:00.000Z',
      reason: 'offsite',
    });
    await workerApi.deleteSnooze(3);
    await workerApi.incidentMetrics();
    await workerApi.incidentMetrics({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z' });
    await workerApi.searchUsers('al', 20);
    await workerApi.searchUsers();
    await workerApi.getUser('a@b.c');
    await workerApi.getSettings();
    await workerApi.updateSettings({ minImpactDollars: 5 });
    await workerApi.previewSettings({ minImpactDollars: 5 });
    await workerApi.testNotification('email');
    await workerApi.collectionStatus();
    await workerApi.runCollection();
    expect(b.violations).toEqual([]);
    const used = new Set(b.requests.map((r) => r.name));
    expect(Object.keys(API_ROUTES).filter((n) => n !== 'health' && !used.has(n as ApiRouteName))).toEqual([]);
  });

  it('the check catches a request the worker would refuse', async () => {
    const b = installFakeBackend({ listIncidents: () => list([]), resolveIncident: () => incident() });
    await lastValueFrom(getBackendSrv().fetch({ url: `${PROXY_BASE}/api/incidents`, params: { status: 'exploded' } }));
    await lastValueFrom(
      getBackendSrv().fetch({ url: `${PROXY_BASE}/api/incidents/1/resolve`, method: 'POST', data: { reason: 'bored' } })
    );
    await expect(lastValueFrom(getBackendSrv().fetch({ url: `${PROXY_BASE}/api/nowhere` }))).rejects.toMatchObject({
      status: 404,
    });
    expect(b.violations).toHaveLength(3);
    expect(matchRoute('GET', '/api/users/a%40b.c')?.params).toEqual({ email: 'a@b.c' });
  });

  it('rejects an answer in the wrong shape instead of rendering it', async () => {
    installFakeBackend({ getIncident: () => ({ incident: { id: 'x' } }) });
    await expect(workerApi.getIncident(1)).rejects.toMatchObject({ kind: 'contract' });
  });
});
