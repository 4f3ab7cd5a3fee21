import { CHARGEBACK_CSV_COLUMNS, chargebackReportSchema, type ChargebackReport } from '@cursor-cost-watch/contract';
import { collectOnce } from '../../src/collector/collect';
import { createSimulatedTeam, startSimulatorServer, type SimulatedTeam } from '@cursor-cost-watch/simulator';
import { startTestApi, TOKEN, type TestApi } from '../api/support';
import { createTestDb } from '../support/test-db';
import { silentLog, TEST_KEY, testClient } from '../support/sim';

/**
 * Chargeback end to end: a simulated team served over real HTTP, collected by the real collector into PostgreSQL
 * once a day (at 23:00 UTC) through a whole billing cycle, then read back through the worker API. Cycles start on the
 * 5th; the closed cycle is 2026-10-05 .. 2026-11-04. In this team (seed 7) chloe.kim moves from Mobile to Payments on
 * 2026-10-29, in the middle of it.
 */
const CYCLE = '2026-10-05';
const NEXT = '2026-11-05';
const MOVER = 'chloe.kim@acme-corp.example';
/**
 * Days the collector runs, at 23:00 UTC. In production it runs hourly and so sees a move on the day it happens; a
 * test cannot afford 24 × 31 passes, so it runs every few days and daily around the two moves of the cycle
 * (chloe.kim on 2026-10-29, noah.evans on 2026-11-03): the days in between are filled from the next listing.
 */
const COLLECTION_DAYS = [
  '2026-10-04',
  '2026-10-09',
  '2026-10-14',
  '2026-10-19',
  '2026-10-24',
  '2026-10-28',
  '2026-10-29',
  '2026-11-02',
  '2026-11-03',
  '2026-11-04',
];
const at = (iso: string) => Date.parse(iso);
const dollars = (cents: number) => (Math.round(cents) / 100).toFixed(2);

describe('chargeback of a closed cycle, collected from the simulator over HTTP', () => {
  let clock = at(`${COLLECTION_DAYS[0]}T23:00:00Z`); // the team is generated around this day
  let team: SimulatedTeam;
  let sim: Awaited<ReturnType<typeof startSimulatorServer>>;
  let api: TestApi;
  /** POST /teams/spend as Cursor answered it in the last millisecond of the cycle. */
  let spendAtClose: { email: string; spendCents: number; overallSpendCents?: number }[];
  /** GET /teams/groups?billingCycle=CYCLE after the close: Cursor's own attribution of the cycle to groups. */
  let cursorGroups: { name?: string; spendCents?: number }[];
  let report: ChargebackReport;

  const cursor = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${sim.url}${path}`, {
      ...init,
      headers: {
        authorization: `Basic ${Buffer.from(`${TEST_KEY}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
    });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    team = createSimulatedTeam({
      seed: 7,
      teamSize: 60,
      historyDays: 40,
      now: () => clock,
      cycleDayOfMonth: 5,
      anomalies: false,
    });
    sim = await startSimulatorServer({
      team,
      apiKey: TEST_KEY,
      rateLimitsPerMinute: { admin: 10_000, events: 10_000, analytics: 10_000 },
    });
    const t = await createTestDb('chargeback');
    api = await startTestApi({ now: () => new Date(clock) }, {}, t);
    const deps = {
      db: t.db,
      client: testClient(sim.url),
      log: silentLog,
      config: { BACKFILL_DAYS: 30, RESTATE_DAYS: 2 },
    };
    const collect = async () => {
      const s = await collectOnce(deps, { trigger: 'test', now: new Date(clock) });
      expect(s.errors).toEqual([]);
    };
    for (const day of COLLECTION_DAYS) {
      clock = at(`${day}T23:00:00Z`);
      await collect();
    }
    clock = at(`${NEXT}T00:00:00Z`) - 1;
    spendAtClose = (
      (await cursor('/teams/spend', { method: 'POST', body: '{}' })) as { teamMemberSpend: typeof spendAtClose }
    ).teamMemberSpend;
    await collect();
    clock = at(`${NEXT}T06:00:00Z`);
    await collect();
    cursorGroups = ((await cursor(`/teams/groups?billingCycle=${CYCLE}`)) as { groups: typeof cursorGroups }).groups;
    const res = await api.call('GET', `/api/chargeback?cycle=${CYCLE}`);
    expect(res.status).toBe(200);
    report = chargebackReportSchema.parse(res.json);
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    await sim?.close();
  });

  it('is closed, and its totals equal Cursor’s /teams/spend at the close, to the cent', () => {
    expect([report.cycle, report.cycleEnd, report.closed]).toEqual([CYCLE, '2026-11-04', true]);
    expect(report.cycles).toContain(CYCLE);
    // Members who left during the cycle are no longer listed by /teams/spend at its end; their spend is still the team's.
    const listed = new Set(spendAtClose.map((r) => r.email));
    const leavers = team
      .members()
      .filter((m) => !listed.has(m.email) && m.leftDay !== null && m.leftDay > CYCLE && m.joinedDay < NEXT);
    expect(leavers).toEqual([]);
    const overall = spendAtClose.reduce((s, r) => s + (r.overallSpendCents ?? 0), 0);
    const onDemand = spendAtClose.reduce((s, r) => s + r.spendCents, 0);
    expect(overall).toBeGreaterThan(100_000);
    expect(onDemand).toBeGreaterThan(0);
    expect(dollars(report.team.totalCents)).toBe(dollars(overall));
    expect(dollars(report.team.usageBasedCents)).toBe(dollars(onDemand));
    expect(dollars(report.team.includedCents)).toBe(dollars(overall - onDemand));
    expect(Math.abs(report.team.totalCents - overall)).toBeLessThan(0.01);
    // The /teams/spend snapshot the collector took at the close, kept beside the chargeback.
    expect(report.cursor?.overallCents).toBeCloseTo(overall, 4);
    expect(report.cursor?.onDemandCents).toBeCloseTo(onDemand, 4);
  });

  it('gives every developer what /teams/spend says they spent, split into included and usage-based', () => {
    const byEmail = new Map<string, { total: number; usage: number; included: number; requests: number }>();
    for (const g of report.groups)
      for (const d of g.developers) {
        const s = byEmail.get(d.email) ?? { total: 0, usage: 0, included: 0, requests: 0 };
        byEmail.set(d.email, {
          total: s.total + d.totalCents,
          usage: s.usage + d.usageBasedCents,
          included: s.included + d.includedCents,
          requests: s.requests + d.requests,
        });
      }
    let checked = 0;
    for (const r of spendAtClose) {
      const ours = byEmail.get(r.email) ?? { total: 0, usage: 0, included: 0, requests: 0 };
      expect([r.email, dollars(ours.total), dollars(ours.usage)]).toEqual([
        r.email,
        dollars(r.overallSpendCents ?? 0),
        dollars(r.spendCents),
      ]);
      const events = team.eventsBetween(at(`${CYCLE}T00:00:00Z`), at(`${NEXT}T00:00:00Z`) - 1, { email: r.email });
      expect(ours.requests).toBe(events.length);
      if ((r.overallSpendCents ?? 0) > 0) checked++;
    }
    expect(checked).toBeGreaterThan(40);
    expect(report.team.requests).toBe(team.eventsBetween(at(`${CYCLE}T00:00:00Z`), at(`${NEXT}T00:00:00Z`) - 1).length);
  });

  it('attributes each day to the group the developer was in that day, as Cursor’s own group totals do', () => {
    const move = team.groupMoves().find((m) => m.email === MOVER);
    expect(move).toEqual({ email: MOVER, day: '2026-10-29', fromGroup: 'Mobile', toGroup: 'Payments' });
    const cents = (from: string, to: string) =>
      team
        .eventsBetween(at(`${from}T00:00:00Z`), at(`${to}T00:00:00Z`) - 1, { email: MOVER })
        .reduce((s, e) => s + (e.chargedCents ?? 0), 0);
    const before = cents(CYCLE, move!.day);
    const after = cents(move!.day, NEXT);
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
    const rowIn = (group: string) =>
      report.groups.find((g) => g.name === group)?.developers.find((d) => d.email === MOVER);
    expect(dollars(rowIn('Mobile')!.totalCents)).toBe(dollars(before));
    expect(dollars(rowIn('Payments')!.totalCents)).toBe(dollars(after));
    expect(rowIn('Platform')).toBeUndefined();

    // Every group's total is Cursor's (GET /teams/groups for the cycle), and nothing is Unassigned.
    expect(report.groups.map((g) => g.name).sort()).toEqual(cursorGroups.map((g) => g.name).sort());
    for (const g of cursorGroups) {
      const ours = report.groups.find((x) => x.name === g.name)!;
      expect([g.name, dollars(ours.totalCents)]).toEqual([g.name, dollars(g.spendCents ?? 0)]);
    }
    const shares = report.groups.reduce((s, g) => s + g.shareOfTeamPct, 0);
    expect(shares).toBeCloseTo(100, 1);
    for (const g of report.groups) {
      expect(g.topModels.length).toBeGreaterThan(0);
      expect(g.developers.reduce((s, d) => s + d.shareOfGroupPct, 0)).toBeCloseTo(100, 0);
    }
  });

  it('downloads as CSV with a header, a filename and the same numbers', async () => {
    const res = await fetch(`${api.url}/api/chargeback?cycle=${CYCLE}&format=csv`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="cursor-chargeback-${CYCLE}.csv"`);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(CHARGEBACK_CSV_COLUMNS.join(','));
    const team = lines[1].split(',');
    expect(team.slice(0, 3)).toEqual([CYCLE, '2026-11-04', 'team']);
    expect(team[6]).toBe(dollars(report.team.totalCents));
    const developers = report.groups.reduce((n, g) => n + g.developers.length, 0);
    expect(lines).toHaveLength(2 + report.groups.length + developers);
    expect(lines.filter((l) => l.includes(`,developer,`) && l.includes(MOVER))).toHaveLength(2);
  });
});
