import { API_ROUTES } from '@cursor-cost-watch/contract';
import { REPO_ROOT } from '../../../src/config/config';
import { playwrightCommand } from '../../../tools/smoke-grafana/browser';
import { runSmoke, type SmokeOptions } from '../../../tools/smoke-grafana/steps';
import { type Check, exitCode, renderTable } from '../../../tools/smoke-grafana/table';
import { fakeGrafana, type FakeOptions } from './fake-grafana';

// The whole smoke run against a stand-in Grafana on 127.0.0.1 (fake-grafana.ts, shaped after Grafana's handlers):
// a healthy stack passes every check; each kind of breakage is one FAIL line and exit code 1.
const admin = { user: 'admin', password: 'admin-secret' };
const options = (url: string): SmokeOptions => ({
  grafanaUrl: url,
  admin,
  repoRoot: REPO_ROOT,
  alertsVia: 'worker',
  userPassword: 'smoke-password-1',
});

async function run(fake: FakeOptions = {}) {
  const grafana = await fakeGrafana(admin, fake);
  try {
    const checks = await runSmoke(options(grafana.url));
    return { checks, grafana };
  } finally {
    await grafana.close();
  }
}

const failed = (checks: Check[]) =>
  checks.filter((c) => c.status === 'FAIL').map((c) => `${c.step}: ${c.name}: ${c.detail}`);

describe('smoke:grafana against a stand-in Grafana', () => {
  it('a healthy stack passes every step, and the table says so', async () => {
    const { checks, grafana } = await run();
    expect(failed(checks)).toEqual([]);
    expect(exitCode(checks)).toBe(0);
    const steps = new Set(checks.map((c) => c.step));
    expect([...steps]).toEqual([
      'health',
      'datasource',
      'dashboards',
      'panels',
      'alert rules',
      'notifications',
      'app',
      'plugin proxy',
    ]);
    // Every worker route, three roles each, through the proxy as the user the run created with that role.
    const routes = Object.values(API_ROUTES).filter((r) => r.role !== 'public').length;
    expect(checks.filter((c) => c.step === 'plugin proxy')).toHaveLength(routes * 3);
    expect([...grafana.users.entries()].filter(([l]) => l.startsWith('smoke-')).map(([l, u]) => [l, u.role])).toEqual([
      ['smoke-viewer', 'Viewer'],
      ['smoke-editor', 'Editor'],
      ['smoke-admin', 'Admin'],
    ]);
    const proxied = grafana.requests.filter(
      (r) => r.url.startsWith('/api/plugin-proxy/') && r.user.startsWith('smoke-'),
    );
    expect(new Set(proxied.map((r) => r.user)).size).toBe(3);
    // Panels were asked with their variables replaced: the stand-in refuses a variable left in the SQL.
    const panelQueries = grafana.requests.filter((r) => r.url === '/api/ds/query');
    expect(panelQueries.length).toBeGreaterThan(40);
    expect(renderTable(checks)).toMatch(/PASS {4}plugin proxy {4}Viewer POST api\/incidents\/0\/acknowledge/);
    expect(renderTable(checks).split('\n').at(-1)).toMatch(/^\d+ checks: \d+ passed, 0 failed, 0 warnings$/);
  });

  it('a second run reuses the users it created (412 from /api/admin/users) and resets their password', async () => {
    const grafana = await fakeGrafana(admin);
    try {
      await runSmoke(options(grafana.url), ['proxy']);
      const again = await runSmoke({ ...options(grafana.url), userPassword: 'another-password' }, ['proxy']);
      expect(failed(again)).toEqual([]);
      expect(grafana.users.get('smoke-editor')?.password).toBe('another-password');
    } finally {
      await grafana.close();
    }
  });

  it('a stack with no incidents or members yet still proves every read route (the worker answers not_found)', async () => {
    const { checks } = await run({ empty: true });
    expect(failed(checks)).toEqual([]);
    const getIncident = checks.filter(
      (c) => c.step === 'plugin proxy' && c.name.includes('GET api/incidents/2147483647'),
    );
    expect(getIncident.map((c) => c.detail)).toEqual(
      ['Viewer', 'Editor', 'Admin'].map(() => expect.stringMatching(/expected 404 \(no sample .*got 404 not_found/)),
    );
  });

  it('a proxy that ignores reqRole fails every probe that should have been refused', async () => {
    const { checks } = await run({ ignoreRoles: true });
    const refusedButAllowed = failed(checks);
    expect(refusedButAllowed.length).toBeGreaterThan(0);
    expect(refusedButAllowed.every((f) => f.startsWith('plugin proxy:') && /expected 403/.test(f))).toBe(true);
    expect(refusedButAllowed).toContainEqual(
      expect.stringMatching(/Viewer PUT api\/settings: expected 403 .*got 400 invalid_request/),
    );
    expect(exitCode(checks)).toBe(1);
  });

  it('an alert rule that errors on evaluation and a dashboard outside its folder are failures', async () => {
    const { checks } = await run({ failEvalRefId: 'A', misplacedDashboard: 'cursor-models' });
    expect(failed(checks)).toEqual([
      'dashboards: cursor-models is in folder "Cursor Cost Watch": folder "General" (cursor-cost-watch)',
      'alert rules: cursor-critical-incident-open evaluates: A: db query error: boom',
      'alert rules: cursor-team-forecast-over-budget evaluates: A: db query error: boom',
      'alert rules: cursor-collection-stale evaluates: A: db query error: boom',
    ]);
  });

  it('an unreachable Grafana fails every step with what to do', async () => {
    // A port that was just free: nothing listens there any more.
    const closed = await fakeGrafana(admin);
    await closed.close();
    const url = closed.url;
    const checks = await runSmoke(options(url), ['health', 'app']);
    expect(checks.map((c) => [c.status, c.detail])).toEqual([
      ['FAIL', `cannot reach Grafana at ${url} (ECONNREFUSED): is the stack up (docker compose up -d)?`],
      ['FAIL', `cannot reach Grafana at ${url} (ECONNREFUSED): is the stack up (docker compose up -d)?`],
    ]);
    expect(exitCode(checks)).toBe(1);
  });

  it('runs the plugin-e2e navigation spec against the same Grafana and admin', () => {
    expect(
      playwrightCommand({ grafanaUrl: 'http://g:3000', user: 'admin', password: 'pw', repoRoot: '/repo' }),
    ).toEqual({
      command: 'npx',
      args: ['playwright', 'test', 'tests/appNavigation.spec.ts', '--reporter=line'],
      cwd: '/repo/plugin',
      env: { GRAFANA_URL: 'http://g:3000', GRAFANA_ADMIN_USER: 'admin', GRAFANA_ADMIN_PASSWORD: 'pw' },
    });
  });
});
