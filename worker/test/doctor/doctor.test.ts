import { runDoctor, type DoctorReport } from '../../src/doctor/doctor';
import { formatDoctorReport } from '../../src/doctor/format';
import { createSimulatedTeam, startSimulatorServer } from '@cursor-cost-watch/simulator';
import { spawnCli } from '../support/child';
import { startTestSimulator, TEST_KEY } from '../support/sim';

const ANALYTICS_KEY = 'key_' + 'ab'.repeat(32);
const NOW = Date.UTC(2026, 10, 20, 14, 30);

describe('npm run doctor against the simulated Cursor API', () => {
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  let analyticsSim: Awaited<ReturnType<typeof startSimulatorServer>>;
  beforeAll(async () => {
    sim = await startTestSimulator({ teamSize: 12, seed: 4, nowMs: NOW, historyDays: 40 });
    analyticsSim = await startSimulatorServer({
      team: sim.team,
      apiKey: TEST_KEY,
      analyticsApiKey: ANALYTICS_KEY,
      nonEnterpriseApiKey: 'key_' + 'ee'.repeat(32),
      port: 0,
      rateLimitsPerMinute: null,
    });
  });
  afterAll(async () => {
    await sim.server.close();
    await analyticsSim.close();
  });
  afterEach(() => {
    sim.server.setShapes('documented');
    sim.server.setFaults({ rateLimitStorm: 0, serverErrors: 0, slowMs: 0, malformedPages: 0, resetConnections: 0 });
  });

  const doctor = (over: Partial<Parameters<typeof runDoctor>[0]> = {}): Promise<DoctorReport> =>
    runDoctor({
      baseUrl: sim.server.url,
      apiKey: TEST_KEY,
      backfillDays: 30,
      rateLimits: { admin: 0, events: 0, analytics: 0 },
      now: () => NOW,
      backoffBaseMs: 10,
      ...over,
    });
  const byName = (r: DoctorReport, name: string) => r.endpoints.find((e) => e.endpoint === name)!;

  it('documented shapes: every endpoint ok, auth ok, no drift; measures how far back events go', async () => {
    const r = await doctor({ baseUrl: analyticsSim.url, analyticsApiKey: ANALYTICS_KEY });
    expect(r.ok).toBe(true);
    expect(r.endpoints.map((e) => [e.endpoint, e.status, e.http, e.auth])).toEqual([
      ['GET /teams/members', 'ok', 200, 'ok'],
      ['POST /teams/daily-usage-data', 'ok', 200, 'ok'],
      ['POST /teams/spend', 'ok', 200, 'ok'],
      ['POST /teams/filtered-usage-events', 'ok', 200, 'ok'],
      ['GET /teams/groups', 'ok', 200, 'ok'],
      ['GET /teams/audit-logs', 'ok', 200, 'ok'],
      ['GET /analytics/team/dau', 'ok', 200, 'ok'],
      ['GET /analytics/team/models', 'ok', 200, 'ok'],
    ]);
    expect(r.endpoints.every((e) => e.drift.length === 0 && typeof e.ms === 'number')).toBe(true);
    // The team has 40 days of history: the bisection finds it to the day.
    expect(r.retention.daysBack).toBeGreaterThanOrEqual(40);
    expect(r.retention.daysBack).toBeLessThanOrEqual(41);
    expect(r.warnings.some((w) => /BACKFILL_DAYS/.test(w))).toBe(false);
    const text = formatDoctorReport(r);
    expect(text).toContain('Result: OK');
    expect(text).not.toContain(TEST_KEY);
    expect(text).not.toContain(ANALYTICS_KEY);
  });

  it('shape variants: still ok, each drifting field named per endpoint', async () => {
    sim.server.setShapes('variants');
    const r = await doctor();
    expect(r.ok).toBe(true);
    expect(byName(r, 'GET /teams/groups').drift.map((d) => d.field)).toContain('groups[].formerMembers');
    expect(byName(r, 'POST /teams/spend').drift.map((d) => `${d.field} ${d.kind}`)).toEqual(
      expect.arrayContaining([
        'teamMemberSpend[].includedSpendCents unknown field',
        'teamMemberSpend[].role unexpected shape',
      ]),
    );
    expect(byName(r, 'GET /teams/groups').status).toBe('warning');
    expect(formatDoctorReport(r)).toContain('drift groups[].formerMembers: unknown field');
  });

  it('a wrong key and a non-Enterprise key: auth rejected, exit status failed', async () => {
    const wrong = await doctor({ apiKey: 'key_' + '00'.repeat(32) });
    expect(wrong.ok).toBe(false);
    expect(byName(wrong, 'GET /teams/members')).toMatchObject({ status: 'failed', http: 401, auth: 'rejected' });
    const free = await doctor({ baseUrl: analyticsSim.url, apiKey: 'key_' + 'ee'.repeat(32) });
    expect(byName(free, 'POST /teams/spend')).toMatchObject({ status: 'failed', http: 403, auth: 'rejected' });
    expect(formatDoctorReport(free)).toContain('Result: FAILED');
  });

  it('a wrong analytics key fails the analytics checks only', async () => {
    const r = await doctor({ baseUrl: analyticsSim.url, analyticsApiKey: 'key_' + '11'.repeat(32) });
    expect(r.ok).toBe(false);
    expect(byName(r, 'GET /analytics/team/dau')).toMatchObject({ status: 'failed', auth: 'rejected' });
    expect(byName(r, 'GET /teams/members').status).toBe('ok');
  });

  it('transient faults (500, reset, malformed page, 429 with Retry-After) are retried and reported', async () => {
    sim.server.setFaults({ serverErrors: 1 });
    const a = await doctor();
    expect(a.ok).toBe(true);
    expect(byName(a, 'GET /teams/members').retries).toBe(1);

    sim.server.setFaults({ resetConnections: 1 });
    expect(byName(await doctor(), 'GET /teams/members').retries).toBe(1);

    sim.server.setFaults({ malformedPages: 1 });
    const m = await doctor();
    expect(byName(m, 'POST /teams/filtered-usage-events')).toMatchObject({ status: 'ok', retries: 1 });

    sim.server.setFaults({ rateLimitStorm: 1, retryAfterHeader: true, retryAfterSeconds: 1 });
    const rl = await doctor();
    expect(rl.ok).toBe(true);
    expect(rl.rateLimitHeadersSeen).toEqual(['retry-after']);
    expect(byName(rl, 'GET /teams/members').rateLimitHeaders).toEqual({ 'retry-after': '1' });
  });

  it('an API that keeps failing or answers slowly is named', async () => {
    sim.server.setFaults({ serverErrors: 1_000 });
    const down = await doctor();
    expect(down.ok).toBe(false);
    expect(byName(down, 'GET /teams/members')).toMatchObject({ status: 'failed', http: 500, retries: 2 });
    expect(byName(down, 'GET /teams/members').error).toMatch(/failed after 3 attempts/);
    sim.server.setFaults({ serverErrors: 0, slowMs: 120 });
    const slow = await doctor();
    expect(slow.ok).toBe(true);
    expect(slow.endpoints.every((e) => (e.ms ?? 0) >= 120)).toBe(true);
  });

  it('warns when events reach back less than BACKFILL_DAYS', async () => {
    const team = createSimulatedTeam({ seed: 4, teamSize: 10, historyDays: 12, now: () => NOW });
    const short = await startSimulatorServer({ team, apiKey: TEST_KEY, port: 0, rateLimitsPerMinute: null });
    try {
      const r = await doctor({ baseUrl: short.url, backfillDays: 30 });
      expect(r.ok).toBe(true);
      expect(r.retention.daysBack).toBeLessThanOrEqual(13);
      expect(r.warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/usage events reach back 1[23] days .*BACKFILL_DAYS=30 asks for more/),
        ]),
      );
    } finally {
      await short.close();
    }
  });

  it('`npm run doctor -- --json` prints the report as JSON without secrets and exits 1 on failure', async () => {
    const env = {
      CURSOR_API_BASE_URL: sim.server.url,
      CURSOR_RATE_LIMIT_PER_MIN: '10000',
      CURSOR_EVENTS_RATE_LIMIT_PER_MIN: '10000',
      LOG_LEVEL: 'error',
      DATABASE_URL: undefined,
    };
    const ok = spawnCli('doctor.ts', { ...env, CURSOR_ADMIN_API_KEY: TEST_KEY }, ['--json']);
    expect(await ok.exited).toBe(0);
    const report = JSON.parse(ok.output()) as DoctorReport;
    expect(report.ok).toBe(true);
    expect(report.adminKey).toBe('set (68 characters, key_…)');
    expect(ok.output()).not.toContain(TEST_KEY);
    const bad = spawnCli('doctor.ts', { ...env, CURSOR_ADMIN_API_KEY: 'key_' + '00'.repeat(32) });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/FAIL GET \/teams\/members +HTTP 401/);
  }, 60_000);
});
