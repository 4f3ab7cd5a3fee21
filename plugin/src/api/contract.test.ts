import { API_ROUTES, matchRoute, type ApiRouteName } from '@cursor-cost-watch/contract';
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import pluginJson from '../plugin.json';
import { PROXY_BASE } from '../constants';
import {
  chargeback,
  detail,
  incident,
  list,
  metrics,
  nudgeStatus,
  settings,
  userDetail,
  users,
} from '../test/fixtures';
import { installFakeBackend, setRole } from '../test/fakeBackend';
import { spendLimitInfo, spendLimitResult } from '../test/spendLimitFixtures';
import { pathFor, workerApi } from './client';
import { planProxyRequest, type RoleType } from '../test/grafanaProxy';

const ROLES = ['Viewer', 'Editor', 'Admin'] as const;
const RANK = { Viewer: 1, Editor: 2, Admin: 3 };
const SAMPLE_PARAMS = { id: 12, email: "o'brien+cw@example.com" };

/** The plugin.json routes before issue #8: every route forwarded to the bare worker url. */
const BARE_URL_ROUTES = pluginJson.routes.map((r) => ({ ...r, url: '{{ .JsonData.workerUrl }}' }));

/**
 * Sends one contract route, as the client builds it, through the model of Grafana's plugin proxy and says where it
 * lands: the worker route it reaches (by the worker's own router, contract matchRoute), or Grafana's refusal.
 */
function throughGrafana(name: ApiRouteName, role: RoleType, routes = pluginJson.routes) {
  const r = API_ROUTES[name];
  const d = planProxyRequest(
    { method: r.method, rawUrl: `${PROXY_BASE}${pathFor(name, SAMPLE_PARAMS)}?probe=1`, headers: {} },
    {
      plugin: { id: pluginJson.id, routes },
      settings: {
        enabled: true,
        jsonData: { workerUrl: 'http://worker:8080' },
        secureJsonData: { apiToken: 'tok-123' },
      },
      user: {
        UserID: 5,
        UserUID: 'u5',
        OrgID: 1,
        OrgName: 'Main Org.',
        OrgRole: role,
        Login: 'u',
        Name: '',
        Email: '',
        IsGrafanaAdmin: false,
      },
    },
  );
  if (d.kind === 'respond') {
    return { status: d.status, body: d.body };
  }
  const [path, query] = d.requestUri.split('?');
  const reached = matchRoute(r.method, path);
  return {
    status: 200,
    upstream: `${d.method} ${d.requestUri}`,
    path,
    query,
    reached: reached?.name,
    params: reached?.params,
    headers: d.headers,
    host: d.host,
  };
}

const proxiedRoutes = (Object.keys(API_ROUTES) as ApiRouteName[]).filter((n) => API_ROUTES[n].role !== 'public');

describe('plugin ↔ worker contract', () => {
  beforeEach(() => setRole('Admin'));

  it.each(proxiedRoutes)(
    "%s reaches its worker path and method through Grafana's proxy, for the roles the contract allows",
    (name) => {
      const r = API_ROUTES[name];
      for (const role of ROLES) {
        const got = throughGrafana(name, role);
        if (RANK[role] >= RANK[r.role as keyof typeof RANK]) {
          expect([role, got.reached, got.query, got.host]).toEqual([role, name, 'probe=1', 'worker:8080']);
          expect(got.headers?.authorization).toBe('Bearer tok-123');
          for (const [k, v] of Object.entries(got.params ?? {})) {
            expect([k, v]).toEqual([k, String(SAMPLE_PARAMS[k as keyof typeof SAMPLE_PARAMS])]);
          }
        } else {
          expect([role, got.status, got.body]).toEqual([role, 403, '{"message":"plugin proxy route access denied"}\n']);
        }
      }
    },
  );

  it('the public health check is not proxied (the plugin never calls it)', () => {
    expect(throughGrafana('health', 'Admin')).toMatchObject({ status: 404 });
  });

  it('the old bare-url routes are caught: every call lands on the wrong worker path', () => {
    expect(throughGrafana('listIncidents', 'Admin', BARE_URL_ROUTES)).toMatchObject({
      path: '/incidents',
      reached: undefined,
    });
    expect(throughGrafana('updateSettings', 'Admin', BARE_URL_ROUTES)).toMatchObject({ path: '/', reached: undefined });
    const stillRight = proxiedRoutes.filter((n) => throughGrafana(n, 'Admin', BARE_URL_ROUTES).reached === n);
    expect(stillRight).toEqual([]);
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
      getSpendLimit: spendLimitInfo(),
      changeSpendLimit: spendLimitResult(),
      undoSpendLimitChange: spendLimitResult(200, 6),
      chargeback,
      getNudgeStatus: nudgeStatus,
      setNudgeOptOut: { ...nudgeStatus, optedOut: true, reason: 'on call', changedBy: 'me' },
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
    await workerApi.getSpendLimit("o'brien+cw@example.com", 12);
    await workerApi.getSpendLimit('a@b.c');
    await workerApi.changeSpendLimit({ email: 'a@b.c', spendLimitDollars: 300, reason: 'runaway', incidentId: 12 });
    await workerApi.changeSpendLimit({ email: 'a@b.c', spendLimitDollars: null, reason: 'back to normal' });
    await workerApi.undoSpendLimitChange(5, 'too strict');
    await workerApi.chargeback();
    await workerApi.chargeback('2026-10-17');
    await workerApi.getNudgeStatus('a@b.c');
    await workerApi.setNudgeOptOut('a@b.c', { optedOut: true, reason: 'on call' });
    await workerApi.setNudgeOptOut('a@b.c', { optedOut: false });
    expect(b.violations).toEqual([]);
    const used = new Set(b.requests.map((r) => r.name));
    expect(Object.keys(API_ROUTES).filter((n) => n !== 'health' && !used.has(n as ApiRouteName))).toEqual([]);
  });

  it('the check catches a request the worker would refuse', async () => {
    const b = installFakeBackend({ listIncidents: () => list([]), resolveIncident: () => incident() });
    await lastValueFrom(getBackendSrv().fetch({ url: `${PROXY_BASE}/api/incidents`, params: { status: 'exploded' } }));
    await lastValueFrom(
      getBackendSrv().fetch({
        url: `${PROXY_BASE}/api/incidents/1/resolve`,
        method: 'POST',
        data: { reason: 'bored' },
      }),
    );
    await expect(lastValueFrom(getBackendSrv().fetch({ url: `${PROXY_BASE}/api/nowhere` }))).rejects.toMatchObject({
      status: 404,
    });
    expect(b.violations).toHaveLength(3);
    expect(matchRoute('GET', '/api/users/a%40b.c')?.params).toEqual({ email: 'a@b.c' });
  });

  it("a role below the route's reqRole gets Grafana's 403, classified with the role it needs", async () => {
    setRole('Viewer');
    const b = installFakeBackend({ acknowledgeIncident: () => incident() });
    await expect(workerApi.acknowledge(12)).rejects.toMatchObject({ kind: 'forbidden', status: 403, needs: 'Editor' });
    setRole('Editor');
    await expect(workerApi.updateSettings({ minImpactDollars: 5 })).rejects.toMatchObject({
      kind: 'forbidden',
      needs: 'Admin',
    });
    // Spend-limit changes and their undo: Admin only, for Viewers and Editors alike.
    for (const role of ['Viewer', 'Editor'] as const) {
      setRole(role);
      await expect(
        workerApi.changeSpendLimit({ email: 'a@b.c', spendLimitDollars: 5, reason: 'x' }),
      ).rejects.toMatchObject({ kind: 'forbidden', status: 403, needs: 'Admin' });
      await expect(workerApi.undoSpendLimitChange(5, 'x')).rejects.toMatchObject({ kind: 'forbidden', needs: 'Admin' });
    }
    expect(b.requests).toEqual([]);
    expect(b.proxied.map((p) => p.status)).toEqual([403, 403, 403, 403, 403, 403]);
  });

  it('rejects an answer in the wrong shape instead of rendering it', async () => {
    installFakeBackend({ getIncident: () => ({ incident: { id: 'x' } }) });
    await expect(workerApi.getIncident(1)).rejects.toMatchObject({ kind: 'contract' });
  });
});
