import { createSimulatedTeam, startSimulatorServer, type Faults } from '@cursor-cost-watch/simulator';
import { eventIdentity } from './ground-truth';

/**
 * The simulated Cursor API in its own process (forked by the campaign), on a clock frozen at `nowMs` so its ground
 * truth holds still while the campaign runs. Controlled over the IPC channel: faults, stats, ground truth.
 */
export type SimRequest =
  | { id: number; op: 'faults'; faults: Partial<Faults> }
  | { id: number; op: 'stats' }
  | { id: number; op: 'resetStats' }
  | { id: number; op: 'truth'; startMs: number; endMs: number };

export interface SimStartArgs {
  seed: number;
  teamSize: number;
  nowMs: number;
  apiKey: string;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as SimStartArgs;
  const team = createSimulatedTeam({
    seed: args.seed,
    teamSize: args.teamSize,
    historyDays: 40,
    now: () => args.nowMs,
  });
  const server = await startSimulatorServer({ team, apiKey: args.apiKey, port: 0, rateLimitsPerMinute: null });
  const answer = (id: number, value: unknown) => process.send?.({ id, value });
  process.on('message', (m: SimRequest) => {
    if (m.op === 'faults') answer(m.id, server.setFaults(m.faults));
    else if (m.op === 'stats') answer(m.id, server.stats());
    else if (m.op === 'resetStats') answer(m.id, server.resetStats());
    else if (m.op === 'truth')
      // Each event as [identity, charged cents]: the ground truth the stored events are compared with.
      answer(
        m.id,
        team.eventsBetween(m.startMs, m.endMs).map((e) => [eventIdentity(e), e.chargedCents ?? 0]),
      );
  });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
  process.send?.({ ready: server.url });
}

void main();
