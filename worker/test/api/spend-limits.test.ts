import {
  apiErrorSchema,
  incidentDetailSchema,
  spendLimitChangeResultSchema,
  spendLimitInfoSchema,
} from '@cursor-cost-watch/contract';
import type { AuditDb } from '../../src/api/audit';
import { CursorClient } from '../../src/cursor/client';
import { spendResponseSchema } from '../../src/cursor/schemas';
import { createSimulatedTeam, startSimulatorServer, type SimulatorServer } from '@cursor-cost-watch/simulator';
import { seedIncident } from './fixtures';
import { NOW, startTestApi, type TestApi } from './support';

/**
 * Spend limits end to end: the worker API on a real PostgreSQL, Cursor played by the simulator over real HTTP.
 * Roles are Grafana's job (plugin.json reqRole); plugin/src/api/contract.test.ts shows Viewers and Editors get 403.
 */
const D = 86_400_000;
const KEY = 'key_spend_limit_test';
const team = createSimulatedTeam({ seed: 7, teamSize: 12, now: () => NOW.getTime(), cycleDayOfMonth: 1 });
const dev = team.apiMembers().find((m) => !m.isRemoved && m.role === 'member')!.email;
let sim: SimulatorServer;
let api: TestApi;
let incidentId: number;

const cursorClient = () =>
  new CursorClient({ baseUrl: sim.url, apiKey: KEY, rateLimits: { admin: 0, events: 0, analytics: 0 } });
/** The limit the simulated Cursor holds for `email` (what /teams/spend reports). */
const cursorLimit = async (email: string) => {
  const res = await fetch(`${sim.url}/teams/spend`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ searchTerm: email }),
  });
  return spendResponseSchema.parse(await res.json()).teamMemberSpend.find((r) => r.email === email)
    ?.monthlyLimitDollars;
};
const audit = () => api.t.db as unknown as AuditDb;
const auditRows = (route: string) =>
  audit().selectFrom('api_audit').selectAll().where('route', '=', route).orderBy('id').execute();
const changeRows = () =>
  api.t.db
    .selectFrom('spend_limit_changes' as never)
    .selectAll()
    .execute() as Promise<Record<string, unknown>[]>;

beforeAll(async () => {
  sim = await startSimulatorServer({ team, apiKey: KEY, rateLimitsPerMinute: null });
  await cursorClient().setUserSpendLimit(dev, 200); // Cursor's state before the test: $200
  api = await startTestApi({ cursor: cursorClient() });
  const db = api.t.db;
  await db.insertInto('members').values({ email: dev, name: 'Dev One', role: 'member' }).execute();
  await db
    .insertInto('member_spend')
    .values({
      email: dev,
      cycle_start: new Date('2026-11-01T00:00:00Z'),
      spend_cents: 31_000,
      overall_spend_cents: 33_000,
      monthly_limit_dollars: 200,
      collected_at: new Date(NOW.getTime() - 3_600_000),
    })
    .execute();
  // $15 a day for 40 days, then $90 a day over the last 3 (the anomaly).
  const rollups = Array.from({ length: 40 }, (_, i) => ({
    user_email: dev,
    day: new Date(NOW.getTime() - i * D).toISOString().slice(0, 10),
    events: 100,
    charged_cents: i <= 3 ? 9000 : 1500,
  }));
  await db.insertInto('user_daily_rollup').values(rollups).execute();
  incidentId = await seedIncident(db, {
    subject: dev,
    detector: 'personal_spike',
    onset: new Date(NOW.getTime() - 3 * D),
    status: 'alerted',
  });
}, 60_000);
afterAll(async () => {
  await api.close();
  await sim.close();
});

describe('GET /api/spend-limits/:email', () => {
  it('shows cycle spend, forecast, the limit in force and a suggestion that says how it is computed', async () => {
    const res = await api.call('GET', `/api/spend-limits/${encodeURIComponent(dev)}?incidentId=${incidentId}`);
    expect(res.status).toBe(200);
    const info = spendLimitInfoSchema.parse(res.json);
    expect(info).toMatchObject({
      email: dev,
      name: 'Dev One',
      enabled: true, // demo mode: "auto" is on
      cycleStart: '2026-11-01T00:00:00.000Z',
      cycleEnd: '2026-12-01T00:00:00.000Z',
      cycleSpendCents: 31_000,
      cycleOverallSpendCents: 33_000,
      limit: { known: true, dollars: 200, source: 'cursor' },
    });
    // Pace: the last 7 complete days (3 at $90, 4 at $15) = $47.14/day × 10.5 days left.
    const pace = (3 * 9000 + 4 * 1500) / 7;
    expect(info.forecastCents).toBeCloseTo(31_000 + pace * 10.5, 6);
    expect(info.forecastExplanation).toContain('10.5 days left until 2026-12-01');
    // Usual: $15 a day over the 28 days before the onset × 30 days = $450; × 1.5 = $675.
    expect(info.suggestion).toMatchObject({ dollars: 675, usualCycleCents: 45_000, factor: 1.5 });
    expect(info.suggestion.explanation).toContain('28 days before the anomaly began (2026-10-20 – 2026-11-16');
    expect(info.suggestion.explanation).toContain('spendLimitSuggestionFactor');
    // Without the incident the window ends yesterday and includes the anomaly's days.
    const plain = spendLimitInfoSchema.parse(
      (await api.call('GET', `/api/spend-limits/${encodeURIComponent(dev)}`)).json,
    );
    expect(plain.suggestion.usualCycleCents).toBeCloseTo(((25 * 1500 + 3 * 9000) / 28) * 30, 6);
  });

  it('answers 404 for nobody and 400 for an incident about someone else', async () => {
    expect((await api.call('GET', '/api/spend-limits/nobody%40example.com')).status).toBe(404);
    const other = await seedIncident(api.t.db, { subject: 'x@example.com', detector: 'personal_spike', onset: NOW });
    const res = await api.call('GET', `/api/spend-limits/${encodeURIComponent(dev)}?incidentId=${other}`);
    expect([res.status, res.json.message]).toEqual([400, `Incident ${other} is about x@example.com, not ${dev}`]);
  });
});

describe('POST /api/spend-limits and undo', () => {
  let firstChange: number;

  it('sets the limit through Cursor and records who, why and old → new on the timeline and in api_audit', async () => {
    const res = await api.call('POST', '/api/spend-limits', {
      login: 'olga.admin',
      body: { email: dev, spendLimitDollars: 675, reason: 'Runaway agent, capping until Monday', incidentId },
    });
    expect(res.status).toBe(200);
    const result = spendLimitChangeResultSchema.parse(res.json);
    expect(result.cursor).toEqual({ outcome: 'success', message: `Spend limit for ${dev} set to $675` });
    expect(result.change).toMatchObject({
      actor: 'olga.admin',
      email: dev,
      incidentId,
      oldDollars: 200,
      oldKnown: true,
      newDollars: 675,
      reason: 'Runaway agent, capping until Monday',
      undoOf: null,
      undoneBy: null,
    });
    firstChange = result.change.id;
    expect(await cursorLimit(dev)).toBe(675);

    const detail = incidentDetailSchema.parse((await api.call('GET', `/api/incidents/${incidentId}`)).json);
    const entry = detail.timeline.find((e) => e.action === 'spend_limit_changed');
    expect(entry).toMatchObject({
      actor: 'olga.admin',
      details: {
        changeId: firstChange,
        oldDollars: 200,
        newDollars: 675,
        reason: 'Runaway agent, capping until Monday',
        note: `Spend limit of ${dev}: $200 → $675. Runaway agent, capping until Monday`,
      },
    });
    const rows = await auditRows('/api/spend-limits');
    expect(rows.map((r) => [r.actor, r.status_code, r.request])).toEqual([
      [
        'olga.admin',
        200,
        { email: dev, spendLimitDollars: 675, reason: 'Runaway agent, capping until Monday', incidentId },
      ],
    ]);
    // The dialog now shows the limit as set here.
    const info = spendLimitInfoSchema.parse(
      (await api.call('GET', `/api/spend-limits/${encodeURIComponent(dev)}`)).json,
    );
    expect(info.limit).toMatchObject({ known: true, dollars: 675, source: 'change' });
    expect(info.changes.map((c) => c.id)).toEqual([firstChange]);
  });

  it("shows Cursor's error outcome as it is and records nothing as applied", async () => {
    const before = (await changeRows()).length;
    const res = await api.call('POST', '/api/spend-limits', {
      login: 'olga.admin',
      body: { email: 'ghost@example.com', spendLimitDollars: 50, reason: 'test' },
    });
    expect(res.status).toBe(422);
    expect(apiErrorSchema.parse(res.json)).toEqual({
      error: 'cursor_refused',
      message: 'Cursor answered outcome "error": User ghost@example.com is not in the team. The limit was not changed.',
    });
    expect((await changeRows()).length).toBe(before);
    expect((await auditRows('/api/spend-limits')).at(-1)?.status_code).toBe(422);
  });

  it('shows HTTP 5xx and 429 from Cursor as they are, without retrying or recording', async () => {
    const before = (await changeRows()).length;
    sim.resetStats();
    sim.setFaults({ serverErrors: 1 });
    const failed = await api.call('POST', '/api/spend-limits', {
      body: { email: dev, spendLimitDollars: 10, reason: 'x' },
    });
    expect([failed.status, failed.json]).toEqual([
      502,
      {
        error: 'cursor_http_error',
        message:
          'Cursor answered HTTP 500 to POST /teams/user-spend-limit: {"error":"Internal Server Error","message":"An unexpected error occurred"}. The limit was not changed.',
      },
    ]);
    sim.setFaults({ rateLimitStorm: 1, retryAfterSeconds: 30 });
    const limited = await api.call('POST', '/api/spend-limits', {
      body: { email: dev, spendLimitDollars: 10, reason: 'x' },
    });
    expect(limited.status).toBe(429);
    expect(limited.json.error).toBe('cursor_rate_limited');
    expect(limited.json.message).toContain('Rate limit exceeded. Please try again later.');
    expect(sim.stats().requestsByEndpoint['POST /teams/user-spend-limit']).toBe(2); // one attempt each
    expect(await cursorLimit(dev)).toBe(675);
    expect((await changeRows()).length).toBe(before);
    expect((await auditRows('/api/spend-limits')).slice(-2).map((r) => r.status_code)).toEqual([502, 429]);
  });

  it('refuses bad values naming the field, before calling Cursor', async () => {
    sim.resetStats();
    const cases: [Record<string, unknown>, string][] = [
      [{ email: dev, spendLimitDollars: 2.5, reason: 'x' }, 'body.spendLimitDollars'],
      [{ email: dev, spendLimitDollars: -1, reason: 'x' }, 'body.spendLimitDollars'],
      [{ email: dev, spendLimitDollars: 5, reason: '  ' }, 'body.reason'],
      [{ email: dev, spendLimitDollars: 5 }, 'body.reason'],
      [{ email: dev, reason: 'x' }, 'body.spendLimitDollars'],
    ];
    for (const [body, path] of cases) {
      const res = await api.call('POST', '/api/spend-limits', { body });
      expect([body, res.status, res.json.issues?.[0]?.path]).toEqual([body, 400, path]);
    }
    expect(sim.stats().requestsByEndpoint['POST /teams/user-spend-limit']).toBeUndefined();
  });

  it('undoes the latest change from the timeline, itself audited, and only once', async () => {
    const res = await api.call('POST', `/api/spend-limits/changes/${firstChange}/undo`, {
      login: 'lead.lee',
      body: { reason: 'Spoke to them, agent stopped' },
    });
    expect(res.status).toBe(200);
    const undo = spendLimitChangeResultSchema.parse(res.json).change;
    expect(undo).toMatchObject({
      actor: 'lead.lee',
      oldDollars: 675,
      newDollars: 200,
      undoOf: firstChange,
      incidentId,
      reason: `Undo of change ${firstChange}: Spoke to them, agent stopped`,
    });
    expect(await cursorLimit(dev)).toBe(200);
    const detail = incidentDetailSchema.parse((await api.call('GET', `/api/incidents/${incidentId}`)).json);
    expect(
      detail.timeline.filter((e) => e.action === 'spend_limit_changed').map((e) => [e.actor, e.details.note]),
    ).toEqual([
      ['olga.admin', `Spend limit of ${dev}: $200 → $675. Runaway agent, capping until Monday`],
      ['lead.lee', `Spend limit of ${dev}: $675 → $200. Undo of change ${firstChange}: Spoke to them, agent stopped`],
    ]);
    const again = await api.call('POST', `/api/spend-limits/changes/${firstChange}/undo`, { body: { reason: 'x' } });
    expect([again.status, again.json.message]).toEqual([
      409,
      `Change ${firstChange} was already undone by change ${undo.id}`,
    ]);
    expect((await api.call('POST', '/api/spend-limits/changes/9999/undo', { body: { reason: 'x' } })).status).toBe(404);
    expect((await auditRows('/api/spend-limits/changes/:id/undo')).map((r) => [r.actor, r.status_code])).toEqual([
      ['lead.lee', 200],
      ['api', 409],
      ['api', 404],
    ]);
  });

  it('removes a limit (null), from the Users page: shown on the open incidents of the developer', async () => {
    const res = await api.call('POST', '/api/spend-limits', {
      login: 'olga.admin',
      body: { email: dev, spendLimitDollars: null, reason: 'Back to normal' },
    });
    expect(res.status).toBe(200);
    expect(spendLimitChangeResultSchema.parse(res.json).change).toMatchObject({ newDollars: null, incidentId: null });
    expect(await cursorLimit(dev)).toBeNull();
    const detail = incidentDetailSchema.parse((await api.call('GET', `/api/incidents/${incidentId}`)).json);
    expect(detail.timeline.at(-1)?.details.note).toBe(`Spend limit of ${dev}: $200 → no limit. Back to normal`);
  });

  it('has one api_audit row for every accepted change', async () => {
    const changes = await changeRows();
    const accepted = [
      ...(await auditRows('/api/spend-limits')),
      ...(await auditRows('/api/spend-limits/changes/:id/undo')),
    ].filter((r) => r.status_code === 200);
    expect(changes.length).toBe(3);
    expect(accepted.length).toBe(changes.length);
  });
});

describe('the spendLimitFeature setting', () => {
  it('turned off, refuses changes with a sentence saying how to turn it on, without calling Cursor', async () => {
    const put = await api.call('PUT', '/api/settings', { body: { spendLimitFeature: 'off' }, login: 'olga.admin' });
    expect(put.status).toBe(200);
    sim.resetStats();
    const res = await api.call('POST', '/api/spend-limits', {
      body: { email: dev, spendLimitDollars: 5, reason: 'x' },
    });
    expect(res.status).toBe(409);
    expect(res.json.error).toBe('feature_off');
    expect(res.json.message).toContain('Settings → Spend limits');
    const info = spendLimitInfoSchema.parse(
      (await api.call('GET', `/api/spend-limits/${encodeURIComponent(dev)}`)).json,
    );
    expect([info.enabled, info.disabledReason]).toEqual([false, res.json.message]);
    expect(sim.stats().requestsByEndpoint['POST /teams/user-spend-limit']).toBeUndefined();
    await api.call('PUT', '/api/settings', { body: { spendLimitFeature: 'auto' } });
  });

  it('is off by default with a real Cursor key until an Admin turns it on', async () => {
    const real = await startTestApi({ cursor: cursorClient() }, { CURSOR_ADMIN_API_KEY: `key_${'ab'.repeat(32)}` });
    try {
      await real.t.db.insertInto('members').values({ email: dev, name: 'Dev One', role: 'member' }).execute();
      const refused = await real.call('POST', '/api/spend-limits', {
        body: { email: dev, spendLimitDollars: 5, reason: 'x' },
      });
      expect([refused.status, refused.json.error]).toEqual([409, 'feature_off']);
      expect(refused.json.message).toContain('a real Cursor key is configured');
      await real.call('PUT', '/api/settings', { body: { spendLimitFeature: 'on' } });
      const ok = await real.call('POST', '/api/spend-limits', {
        body: { email: dev, spendLimitDollars: 5, reason: 'x' },
      });
      expect(ok.status).toBe(200);
      expect(await cursorLimit(dev)).toBe(5);
    } finally {
      await real.close();
    }
  });
});
