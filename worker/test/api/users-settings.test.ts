import {
  incidentMetricsSchema,
  settingsPreviewSchema,
  settingsResponseSchema,
  snoozeListSchema,
  snoozeSchema,
  userDetailSchema,
  userListSchema,
} from '@cursor-cost-watch/contract';
import type { ApiServices } from '../../src/api/deps';
import { DEFAULT_SETTINGS, SETTING_KEYS } from '../../src/settings';
import { seedIncident, seedTeam } from './fixtures';
import { NOW, startTestApi, type TestApi } from './support';

const D = 86_400_000;
let api: TestApi;
const backtestCalls: unknown[] = [];
const sent: string[] = [];

// Stand-ins for the detection and notify modules where a test needs a specific answer; each records its calls.
const services: Partial<ApiServices> = {
  async backtest(_db, opts) {
    backtestCalls.push(opts);
    const limit = opts.settings?.minImpactDollars ?? 20;
    const ep = (subject: string, firstDay: string, lastDay: string) =>
      ({ scope: 'user', subject, detector: 'personal_spike', firstDay, lastDay }) as const;
    // A lower limit finds bob's spike and a longer one for alice (the same incident); the higher finds dan's only.
    const incidents =
      limit < 10
        ? [ep('alice@example.com', '2026-11-01', '2026-11-06'), ep('bob@example.com', '2026-11-10', '2026-11-10')]
        : [ep('alice@example.com', '2026-11-03', '2026-11-04'), ep('dan@example.com', '2026-11-12', '2026-11-12')];
    return {
      days: opts.days,
      perDetector: { personal_spike: limit < 10 ? 9 : 3 },
      total: limit < 10 ? 9 : 3,
      incidents,
    };
  },
  async sendTestNotification(_config, channel) {
    if (channel === 'webhook') throw new Error('ALERT_WEBHOOK_URL is not set');
    sent.push(channel);
  },
};

beforeAll(async () => {
  api = await startTestApi({ services });
  await seedTeam(api.t.db, NOW);
  await seedIncident(api.t.db, {
    subject: 'carol@example.com',
    detector: 'personal_spike',
    onset: new Date(NOW.getTime() - 2 * D),
    status: 'alerted',
  });
  await seedIncident(api.t.db, {
    subject: 'carol@example.com',
    detector: 'model_shift',
    onset: new Date(NOW.getTime() - 20 * D),
    status: 'resolved',
  });
});
afterAll(() => api.close());

describe('users', () => {
  it('searches by email or name, highest spend first, with rank and open incidents', async () => {
    const all = userListSchema.parse((await api.call('GET', '/api/users')).json);
    expect(all.members).toBe(4);
    expect(all.items.map((u) => [u.email, u.rank, u.openIncidents])).toEqual([
      ['carol@example.com', 1, 1],
      ['alice@example.com', 2, 0],
      ['bob@example.com', 3, 0],
      ["o'brien@example.com", 4, 0],
    ]);
    const byName = userListSchema.parse((await api.call('GET', '/api/users?search=stone')).json);
    expect(byName.items.map((u) => u.email)).toEqual(['bob@example.com']);
    const quote = userListSchema.parse((await api.call('GET', `/api/users?search=${encodeURIComponent("o'b")}`)).json);
    expect(quote.items.map((u) => u.email)).toEqual(["o'brien@example.com"]);
    const evil = await api.call('GET', `/api/users?search=${encodeURIComponent("' OR ''='")}`);
    expect(evil.json.items).toEqual([]);
    expect((await api.call('GET', '/api/users?limit=0')).json.issues[0].path).toBe('query.limit');
  });

  it("gives each member's share of the team, a 30-day trend and their open incidents at a glance", async () => {
    const all = userListSchema.parse((await api.call('GET', '/api/users')).json);
    expect(all.teamSpendCents).toBe(42_000 + 12_500 + 88_000 + 500);
    const carol = all.items[0];
    expect(carol.shareOfTeam).toBeCloseTo(88_000 / 143_000, 10);
    expect(all.items.reduce((s, u) => s + (u.shareOfTeam ?? 0), 0)).toBeCloseTo(1, 10);
    expect(carol.trend).toHaveLength(30);
    expect(carol.trend![0]).toEqual({ day: '2026-10-22', chargedCents: 1500 });
    expect(carol.trend!.at(-1)).toEqual({ day: '2026-11-20', chargedCents: 1500 });
    // The resolved model shift is not listed; the open spike is, with the id the badge links to.
    expect(carol.openIncidentList).toEqual([
      { id: expect.any(Number), severity: 'warning', detector: 'personal_spike', impactCents: 7500 },
    ]);
    expect(all.items[1].openIncidentList).toEqual([]);
    const detail = await api.call('GET', `/api/incidents/${carol.openIncidentList![0].id}`);
    expect(detail.json.incident.subject).toBe('carol@example.com');
  });

  it("shows a user's cycle spend, rank, 30-day trend and incidents; 404 for an unknown email", async () => {
    const r = await api.call('GET', `/api/users/${encodeURIComponent('carol@example.com')}`);
    expect(r.status).toBe(200);
    const u = userDetailSchema.parse(r.json);
    expect(u).toMatchObject({
      name: 'Carol Diaz',
      spendCents: 88_000,
      overallSpendCents: 90_000,
      rank: 1,
      members: 4,
      openIncidents: 1,
    });
    expect(u.cycleStart).toBe('2026-11-01T00:00:00.000Z');
    expect(u.trend).toHaveLength(30);
    expect(u.trend.at(-1)).toEqual({ day: '2026-11-20', chargedCents: 1500, events: 100 });
    expect(u.incidents.map((i) => i.detector)).toEqual(['personal_spike', 'model_shift']);
    const missing = await api.call('GET', '/api/users/nobody%40example.com');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toContain('nobody@example.com');
  });
});

describe('settings', () => {
  it('GET lists every setting with its value, meaning, default and kind', async () => {
    const s = settingsResponseSchema.parse((await api.call('GET', '/api/settings')).json);
    expect(s.fields.map((f) => f.key)).toEqual(SETTING_KEYS);
    expect(s.values).toEqual(JSON.parse(JSON.stringify(DEFAULT_SETTINGS)));
    const impact = s.fields.find((f) => f.key === 'minImpactDollars')!;
    expect(impact).toMatchObject({ type: 'number', default: 20, min: 0 });
    expect(impact.description.length).toBeGreaterThan(10);
    expect(s.fields.find((f) => f.key === 'notifySlack')).toMatchObject({
      type: 'enum',
      options: ['immediate', 'digest', 'off'],
    });
    expect(s.fields.find((f) => f.key === 'weekdayAware')).toMatchObject({ type: 'boolean' });
    expect(s.fields.find((f) => f.key === 'disabledDetectors')).toMatchObject({
      type: 'list',
      options: expect.arrayContaining(['model_shift']),
    });
    expect(s.fields.find((f) => f.key === 'baselineDays')).toMatchObject({ type: 'integer' });
  });

  it('PUT validates, saves, and keeps old and new values with the Grafana user in the audit log', async () => {
    const bad = await api.call('PUT', '/api/settings', {
      body: { minImpactDollars: -5, nonsense: 1 },
      login: 'admin.ada',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.issues).toEqual([{ path: 'nonsense', message: 'is not a setting' }]);
    const range = await api.call('PUT', '/api/settings', {
      body: { minImpactDollars: -5, notifySlack: 'sometimes' },
      login: 'admin.ada',
    });
    expect(range.status).toBe(400);
    expect(range.json.issues.map((i: { path: string }) => i.path).sort()).toEqual(['minImpactDollars', 'notifySlack']);
    expect((await api.call('PUT', '/api/settings', { body: [1, 2] })).status).toBe(400);

    const ok = await api.call('PUT', '/api/settings', {
      body: { minImpactDollars: 35, notifySlack: 'digest' },
      login: 'admin.ada',
    });
    expect(ok.status).toBe(200);
    const s = settingsResponseSchema.parse(ok.json);
    expect(s.values).toMatchObject({ minImpactDollars: 35, notifySlack: 'digest' });
    expect(s.audit.map((a) => [a.key, a.oldValue, a.newValue, a.changedBy]).sort()).toEqual([
      ['minImpactDollars', 20, 35, 'admin.ada'],
      ['notifySlack', 'immediate', 'digest', 'admin.ada'],
    ]);
    expect((await api.call('GET', '/api/settings')).json.values.minImpactDollars).toBe(35);
  });

  it('POST /api/settings/preview backtests current and proposed values without saving', async () => {
    backtestCalls.length = 0;
    const r = await api.call('POST', '/api/settings/preview', { body: { minImpactDollars: 5 } });
    expect(r.status).toBe(200);
    expect(settingsPreviewSchema.parse(r.json)).toEqual({
      days: 30,
      current: { days: 30, perDetector: { personal_spike: 3 }, total: 3 },
      proposed: { days: 30, perDetector: { personal_spike: 9 }, total: 9 },
      opened: [
        {
          scope: 'user',
          subject: 'bob@example.com',
          detector: 'personal_spike',
          firstDay: '2026-11-10',
          lastDay: '2026-11-10',
        },
      ],
      closed: [
        {
          scope: 'user',
          subject: 'dan@example.com',
          detector: 'personal_spike',
          firstDay: '2026-11-12',
          lastDay: '2026-11-12',
        },
      ],
    });
    expect(backtestCalls).toEqual([
      { days: 30, settings: expect.objectContaining({ minImpactDollars: 35 }) },
      { days: 30, settings: expect.objectContaining({ minImpactDollars: 5 }) },
    ]);
    expect((await api.call('GET', '/api/settings')).json.values.minImpactDollars).toBe(35);
    const bad = await api.call('POST', '/api/settings/preview', { body: { driftDaysAbove: 30, driftWindowDays: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.json.issues[0].path).toBe('driftDaysAbove');
  });
});

describe('snoozes', () => {
  it('creates, lists and deletes a snooze, recording who did it', async () => {
    const until = new Date(NOW.getTime() + 3 * D).toISOString();
    const created = await api.call('POST', '/api/snoozes', {
      body: { scope: 'user', subject: 'bob@example.com', until, reason: "offsite; DROP TABLE snoozes; --'" },
      login: 'lead.lou',
    });
    expect(created.status).toBe(201);
    const s = snoozeSchema.parse(created.json);
    expect(s).toMatchObject({
      subject: 'bob@example.com',
      createdBy: 'lead.lou',
      reason: "offsite; DROP TABLE snoozes; --'",
      until: new Date(until).toISOString(),
    });
    expect(snoozeListSchema.parse((await api.call('GET', '/api/snoozes')).json).items.map((x) => x.id)).toEqual([s.id]);

    const del = await api.call('DELETE', `/api/snoozes/${s.id}`, { login: 'lead.lou' });
    expect(del.status).toBe(200);
    expect((await api.call('GET', '/api/snoozes')).json.items).toEqual([]);
    expect((await api.call('DELETE', `/api/snoozes/${s.id}`)).status).toBe(404);
    const audit = await api.t.db
      .selectFrom('api_audit' as never)
      .select(['actor', 'method', 'status_code'] as never[])
      .where('route' as never, '=', '/api/snoozes/:id' as never)
      .execute();
    expect(audit).toEqual([
      { actor: 'lead.lou', method: 'DELETE', status_code: 200 },
      { actor: 'api', method: 'DELETE', status_code: 404 },
    ]);
  });

  it('400 for a bad snooze, naming each field', async () => {
    const r = await api.call('POST', '/api/snoozes', {
      body: { scope: 'planet', subject: '', until: 'tomorrow', reason: '' },
    });
    expect(r.status).toBe(400);
    expect(r.json.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'body.reason',
      'body.scope',
      'body.subject',
      'body.until',
    ]);
    const past = await api.call('POST', '/api/snoozes', {
      body: { scope: 'team', subject: 'team', until: new Date(NOW.getTime() - D).toISOString(), reason: 'x' },
    });
    expect(past.status).toBe(400);
    expect(past.json.issues[0]).toMatchObject({ path: 'until', message: expect.stringMatching(/future/) });
  });
});

describe('GET /api/metrics/incidents', () => {
  it('reports counts, MTTD/time to alert/MTTI/MTTR and per-detector figures over a range', async () => {
    const r = await api.call(
      'GET',
      `/api/metrics/incidents?from=${new Date(NOW.getTime() - 30 * D).toISOString()}&to=${NOW.toISOString()}`,
    );
    expect(r.status).toBe(200);
    const m = incidentMetricsSchema.parse(r.json);
    expect(m.total).toBe(2);
    expect(m.open).toBe(1);
    expect(m.mttd.mean).toBe(6 * 3600); // onset → detection, as seeded
    expect(m.timeToAlert.mean).toBe(60); // detection → first message
    expect(m.perDetector.map((d) => d.detector).sort()).toEqual(['model_shift', 'personal_spike']);
    const bad = await api.call(
      'GET',
      `/api/metrics/incidents?from=${NOW.toISOString()}&to=${new Date(NOW.getTime() - D).toISOString()}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.issues[0].path).toBe('query.from');
  });
});

describe('POST /api/notifications/test', () => {
  it('sends on a channel, 502 with the reason when delivery fails, 400 for an unknown channel', async () => {
    const ok = await api.call('POST', '/api/notifications/test', { body: { channel: 'slack' } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, channel: 'slack' });
    expect(sent).toEqual(['slack']);
    const fail = await api.call('POST', '/api/notifications/test', { body: { channel: 'webhook' } });
    expect(fail.status).toBe(502);
    expect(fail.json.message).toMatch(/ALERT_WEBHOOK_URL/);
    const bad = await api.call('POST', '/api/notifications/test', { body: { channel: 'pager' } });
    expect(bad.status).toBe(400);
    expect(bad.json.issues[0].path).toBe('body.channel');
  });
});
