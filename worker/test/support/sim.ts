import pino from 'pino';
import { CursorClient } from '../../src/cursor/client';
import {
  createSimulatedTeam,
  startSimulatorServer,
  type SimulatedTeam,
  type SimulatorServer,
} from '@cursor-cost-watch/simulator';

export const TEST_KEY = 'key_' + 'cd'.repeat(32);
import { DAY_MS } from '@cursor-cost-watch/contract';
export { DAY_MS };
export const silentLog = pino({ level: 'silent' });
/**
 * A fixed clock for tests whose collector takes its `now` from the simulator (collectOnce's `now`): a test may not
 * depend on today (a rounding coincidence of the wall clock's events failed the chaos accounting test on Dec 4 2026).
 * Mid-month and mid-afternoon: no month boundary within the days collected, and not near midnight.
 */
export const TEST_NOW = Date.UTC(2026, 10, 18, 15, 20);

/** A simulated team on a frozen clock, served over real HTTP, rate limits scaled up for tests. */
export async function startTestSimulator(
  opts: { teamSize?: number; seed?: number; nowMs?: number; historyDays?: number; cycleDayOfMonth?: number } = {},
) {
  const nowMs = opts.nowMs ?? Date.now();
  const team: SimulatedTeam = createSimulatedTeam({
    seed: opts.seed ?? 7,
    teamSize: opts.teamSize ?? 20,
    historyDays: opts.historyDays ?? 40,
    now: () => nowMs,
    cycleDayOfMonth: opts.cycleDayOfMonth,
  });
  const server: SimulatorServer = await startSimulatorServer({
    team,
    apiKey: TEST_KEY,
    port: 0,
    rateLimitsPerMinute: { admin: 10_000, events: 10_000, analytics: 10_000 },
  });
  return { team, server, nowMs };
}

/**
 * A billing-cycle day (1..28) whose cycle, at `nowMs`, began `daysAgo` days or more before: a test on the real clock
 * whose current cycle must already hold collected days (the seed's own cycle day may be today, early in the day).
 */
export function cycleDayStartedBefore(nowMs: number, daysAgo: number): number {
  return Math.min(28, new Date(nowMs - daysAgo * DAY_MS).getUTCDate());
}

export function testClient(
  url: string,
  over: Partial<ConstructorParameters<typeof CursorClient>[0]> = {},
): CursorClient {
  return new CursorClient({
    baseUrl: url,
    apiKey: TEST_KEY,
    rateLimits: { admin: 0, events: 0, analytics: 0 },
    backoffBaseMs: 10,
    maxRetries: 5,
    ...over,
  });
}

/** What the simulator holds for [startMs, endMs]: the ground truth the collector must reproduce exactly. */
export function truthTotals(team: SimulatedTeam, startMs: number, endMs: number) {
  const events = team.eventsBetween(startMs, endMs);
  return { events: events.length, chargedCents: events.reduce((s, e) => s + (e.chargedCents ?? 0), 0) };
}
