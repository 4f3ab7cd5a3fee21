import { usageEventSchema, type ApiUsageEvent } from '../../src/cursor/schemas';
import { createSimulatedTeam, type SimulatedTeam } from '@cursor-cost-watch/simulator';
import { DAY, NOW, utcDay } from './http';

const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const cents = (events: ApiUsageEvent[]) => events.reduce((s, e) => s + (e.chargedCents ?? 0), 0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
};
function dayCents(team: SimulatedTeam, email: string, iso: string): number {
  return cents(team.eventsBetween(utcDay(iso), utcDay(iso) + DAY - 1, { email }));
}

describe('simulated team generator', () => {
  const team = createSimulatedTeam({ seed: 2026, teamSize: 60, now: () => NOW });
  const historyStart = utcDay(isoOf(NOW)) - 90 * DAY;

  it('is deterministic: same seed, same team, events and truth; another seed differs', () => {
    const twin = createSimulatedTeam({ seed: 2026, teamSize: 60, now: () => NOW });
    expect(twin.members()).toEqual(team.members());
    expect(twin.eventsForDay('2026-03-10')).toEqual(team.eventsForDay('2026-03-10'));
    expect(twin.truth()).toEqual(team.truth());
    const other = createSimulatedTeam({ seed: 2027, teamSize: 60, now: () => NOW });
    expect(other.members().map((m) => m.email)).not.toEqual(team.members().map((m) => m.email));
  });

  it('generates any day alone the same as in sequence (lazy, per user-day)', () => {
    const fresh = createSimulatedTeam({ seed: 2026, teamSize: 60, now: () => NOW });
    const day = fresh.eventsForDay('2026-03-12');
    team.eventsForDay('2026-03-11');
    expect(team.eventsForDay('2026-03-12')).toEqual(day);
  });

  it('gives every event a unique (user, timestamp), valid per the API schema', () => {
    const events = team.eventsBetween(utcDay('2026-03-09'), utcDay('2026-03-16') - 1);
    expect(events.length).toBeGreaterThan(5000);
    expect(new Set(events.map((e) => `${e.userEmail}|${e.timestamp}`)).size).toBe(events.length);
    for (const e of events.slice(0, 2000)) usageEventSchema.parse(e);
  });

  it('has joiners and leavers: removed members stay listed, no events outside membership', () => {
    const members = team.members();
    const leavers = members.filter((m) => m.leftDay !== null);
    const joiners = members.filter((m) => Date.parse(m.joinedDay) > historyStart);
    expect(leavers.length + joiners.length).toBeGreaterThan(0);
    for (const m of leavers) {
      expect(m.isRemoved).toBe(true);
      expect(team.eventsBetween(Date.parse(m.leftDay!), NOW, { email: m.email })).toEqual([]);
    }
    for (const m of joiners)
      expect(team.eventsBetween(historyStart, Date.parse(m.joinedDay) - 1, { email: m.email })).toEqual([]);
    expect(team.apiMembers().filter((m) => m.isRemoved).length).toBe(leavers.length);
  });

  it('follows a weekday/weekend rhythm (weekends ≈ 15% of a workday)', () => {
    const count = (iso: string) => team.eventsForDay(iso).length;
    const workdays = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'].map(count);
    const weekend = ['2026-03-07', '2026-03-08', '2026-02-28', '2026-03-01'].map(count);
    const ratio =
      weekend.reduce((a, b) => a + b) / weekend.length / (workdays.reduce((a, b) => a + b) / workdays.length);
    expect(ratio).toBeGreaterThan(0.05);
    expect(ratio).toBeLessThan(0.3);
  });

  it('prices models realistically: cheap ≈ 0.1–1¢, mid a few ¢, premium 30–150¢', () => {
    const events = team
      .eventsBetween(utcDay('2026-03-02'), utcDay('2026-03-07') - 1)
      .filter((e) => !e.maxMode && e.isChargeable);
    const byModel = (name: string) => events.filter((e) => e.model === name).map((e) => e.chargedCents ?? 0);
    for (const cheap of ['cursor-small', 'gpt-5-mini']) {
      const m = median(byModel(cheap));
      expect(m).toBeGreaterThan(0.05);
      expect(m).toBeLessThan(1.5);
    }
    for (const mid of ['claude-4.5-sonnet', 'gpt-5']) {
      const m = median(byModel(mid));
      expect(m).toBeGreaterThan(1);
      expect(m).toBeLessThan(20);
    }
    const opus = median(byModel('claude-4.1-opus'));
    expect(opus).toBeGreaterThan(20);
    expect(opus).toBeLessThan(150);
  });

  it('derives daily usage from the same events', () => {
    const start = utcDay('2026-03-16');
    const rows = team.dailyUsage(start, start + DAY - 1);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const events = team.eventsBetween(start, start + DAY - 1, { email: row.email! });
      expect(row.isActive).toBe(true);
      expect(row.agentRequests + row.chatRequests + row.composerRequests + row.cmdkUsages).toBe(events.length);
      const included = events.filter((e) => e.kind === 'Included in Business').length;
      const usageBased = events.filter((e) => e.kind === 'Usage-based').length;
      expect([row.subscriptionIncludedReqs, row.usageBasedReqs]).toEqual([included, usageBased]);
      const perModel = new Map<string, number>();
      for (const e of events) perModel.set(e.model, (perModel.get(e.model) ?? 0) + 1);
      expect(perModel.get(row.mostUsedModel!)).toBe(Math.max(...perModel.values()));
      expect(row.acceptedLinesAdded).toBeLessThanOrEqual(row.totalLinesAdded);
    }
    const all = team.dailyUsage(start, start + DAY - 1, { includeInactive: true });
    expect(all.length).toBeGreaterThan(rows.length);
    expect(all.filter((r) => !r.isActive).every((r) => r.agentRequests === 0)).toBe(true);
  });

  it('reports spend that agrees with the events of the cycle; the first ~$20 is included', () => {
    const spend = team.spend();
    const cycleStart = Number(spend.subscriptionCycleStart);
    expect(isoOf(cycleStart) <= isoOf(NOW)).toBe(true);
    expect(NOW - cycleStart).toBeLessThan(32 * DAY);
    expect(spend.totalMembers).toBe(team.members().filter((m) => !m.isRemoved).length);
    for (const row of spend.teamMemberSpend) {
      const events = team.eventsBetween(cycleStart, NOW, { email: row.email });
      expect(row.overallSpendCents).toBeCloseTo(cents(events), 3);
      expect(row.spendCents).toBeCloseTo(cents(events.filter((e) => e.kind === 'Usage-based')), 3);
      const included = cents(events.filter((e) => e.kind === 'Included in Business'));
      if (row.spendCents > 0) expect(included).toBeGreaterThanOrEqual(2000);
      expect(included).toBeLessThan(2000 + 500);
    }
    expect(spend.teamMemberSpend.some((r) => r.spendCents > 0)).toBe(true);
    expect(spend.teamMemberSpend.some((r) => r.monthlyLimitDollars === null)).toBe(true);
    const groups = team.groups();
    const groupTotal = groups.groups.reduce((s, g) => s + (g.spendCents ?? 0), 0);
    expect(groupTotal).toBeCloseTo(cents(team.eventsBetween(cycleStart, NOW)), 2);
  });

  describe('labelled anomalies', () => {
    const truth = team.truth();
    const emailsOf = new Map(truth.map((a) => [a.id, a.email]));

    it('represents every kind, after the 21-day baseline, mostly ≥ $20 with a few small ones', () => {
      expect(new Set(truth.map((a) => a.kind))).toEqual(
        new Set(['spike', 'level_shift', 'ramp', 'model_shift', 'runaway_agent', 'team_jump']),
      );
      for (const a of truth) expect(Date.parse(a.startDay)).toBeGreaterThanOrEqual(historyStart + 21 * DAY);
      const big = truth.filter((a) => a.extraCents >= 2000).length;
      expect(big).toBeGreaterThan(truth.length / 2);
      expect(truth.some((a) => a.extraCents > 0 && a.extraCents < 2000)).toBe(true);
      expect(truth.length).toBeGreaterThanOrEqual(7);
      expect(truth.filter((a) => a.scope === 'team').every((a) => a.email === null && a.emails.length > 20)).toBe(true);
    });

    it('makes a big spike day cost far more than the user’s normal days', () => {
      const spike = truth.find((a) => a.kind === 'spike' && a.extraCents >= 2000)!;
      const email = emailsOf.get(spike.id)!;
      const start = Date.parse(spike.startDay);
      const normal = Array.from({ length: 14 }, (_, i) => dayCents(team, email, isoOf(start - (i + 1) * DAY))).filter(
        (c) => c > 0,
      );
      const spikeCents = dayCents(team, email, spike.startDay);
      expect(spikeCents).toBeGreaterThan(3 * median(normal));
      expect(spikeCents - median(normal)).toBeGreaterThan(spike.extraCents * 0.5);
    });

    it('makes a runaway agent many headless calls, mostly max mode', () => {
      const runaway = truth.find((a) => a.kind === 'runaway_agent' && a.extraCents >= 2000)!;
      const events = team.eventsBetween(Date.parse(runaway.startDay), Date.parse(runaway.startDay) + DAY - 1, {
        email: runaway.email!,
      });
      const headless = events.filter((e) => e.isHeadless);
      expect(headless.length).toBeGreaterThan(200);
      expect(headless.filter((e) => e.maxMode).length / headless.length).toBeGreaterThan(0.6);
      expect(headless.some((e) => e.cloudAgentId)).toBe(true);
    });

    it('shifts a user to premium models at flat volume', () => {
      const shift = truth.find((a) => a.kind === 'model_shift')!;
      const start = Date.parse(shift.startDay);
      const before = team.eventsBetween(start - 14 * DAY, start - 1, { email: shift.email! });
      const after = team.eventsBetween(start, Math.min(NOW, start + 14 * DAY - 1), { email: shift.email! });
      const days = Math.min(14, Math.ceil((NOW - start) / DAY));
      const opusShare = (es: ApiUsageEvent[]) =>
        es.filter((e) => e.model === 'claude-4.1-opus').length / Math.max(1, es.length);
      expect(opusShare(after)).toBeGreaterThan(opusShare(before) + 0.3);
      const volumeRatio = after.length / days / (before.length / 14);
      expect(volumeRatio).toBeGreaterThan(0.5);
      expect(volumeRatio).toBeLessThan(1.8);
    });

    it('computes extraCents honestly: a level shift’s extra is the cost rise over the same days without anomalies', () => {
      // Compare over days no other anomaly touches (the team jump also moves this user's prices).
      const jump = truth.find((a) => a.kind === 'team_jump')!;
      const shift = truth.find((a) => a.kind === 'level_shift')!;
      const start = Date.parse(shift.startDay);
      const shared = jump.emails.includes(shift.email!) && Date.parse(jump.startDay) > start;
      const lastDay = shared ? Date.parse(jump.startDay) - DAY : Date.parse(shift.endDay);
      const end = lastDay + DAY - 1;
      const withAnomaly = cents(team.eventsBetween(start, end, { email: shift.email! }));
      const plain = createSimulatedTeam({ seed: 2026, teamSize: 60, now: () => NOW, anomalies: false });
      const without = cents(plain.eventsBetween(start, end, { email: shift.email! }));
      expect(withAnomaly).toBeGreaterThan(1.5 * without);
      if (!jump.emails.includes(shift.email!)) expect(withAnomaly - without).toBeCloseTo(shift.extraCents, 0);
      else expect(withAnomaly - without).toBeLessThanOrEqual(shift.extraCents + 0.01);
    });
  });
});
