import { accountAlerts } from './alerts';
import { DAY_MS, scalar, startOfUtcDay, type Campaign, type RunResult } from './context';
import { accountEvents } from './ground-truth';
import { waitFor } from './processes';

/** The ground truth of a run's window (the collector's backfill start to the simulator's frozen now), compared. */
export async function measure(
  c: Campaign,
  url: string,
  run: Pick<RunResult, 'name' | 'kills' | 'crashes' | 'notes' | 'problems' | 'expectedQuarantined'> & {
    alerts: boolean;
    started: number;
  },
): Promise<RunResult> {
  const truth = await c.sim.truth(startOfUtcDay(Date.now()) - c.opts.backfillDays * DAY_MS, c.simNowMs);
  const ev = await accountEvents(url, truth);
  if (ev.rollupEvents !== ev.stored)
    run.problems.push(`rollups count ${ev.rollupEvents} events, usage_events holds ${ev.stored}`);
  if (truth.length === 0) run.problems.push('the ground truth is empty: the run tested nothing');
  run.notes.push(`${ev.stored.toLocaleString('en-US')} of ${truth.length.toLocaleString('en-US')} events stored`);
  let alertsLost: number | null = null;
  let alertsDuplicated: number | null = null;
  if (run.alerts) {
    const a = await accountAlerts(url, c.receiver);
    alertsLost = a.lost;
    alertsDuplicated = a.duplicated;
    const incidents = await scalar<string>(
      url,
      `SELECT format('%s incidents (%s unresolved) from %s anomalies', (SELECT count(*) FROM incidents),
              (SELECT count(*) FROM incidents WHERE status <> 'resolved'), (SELECT count(*) FROM anomalies))`,
    );
    run.notes.push(`${incidents}, ${a.announced} incident alerts announced`);
    if (a.announced === 0) run.problems.push('no alert was announced: the alert figures test nothing');
    if (a.redelivered)
      run.notes.push(`${a.redelivered} same-id redeliveries (dropped by the receiver's idempotency key)`);
  }
  return {
    name: run.name,
    kills: run.kills,
    lost: ev.lost,
    duplicated: ev.duplicated,
    quarantined: ev.quarantined,
    expectedQuarantined: run.expectedQuarantined,
    centsOff: ev.centsOff,
    alertsLost,
    alertsDuplicated,
    crashes: run.crashes,
    notes: run.notes,
    problems: run.problems,
    wallMs: Date.now() - run.started,
  };
}

/**
 * The worker has nothing left to do: a usage-events collection finished ok, no collect/detect/notify job is queued,
 * retrying or running, and no notification is unsent.
 */
export async function workerSettled(url: string, timeoutMs: number): Promise<boolean> {
  return waitFor(
    'the worker to settle',
    async () => {
      const ok = await scalar<number>(
        url,
        `SELECT count(*)::int FROM collection_runs WHERE endpoint = 'usage_events' AND status = 'ok'`,
      );
      const busy = await scalar<number>(
        url,
        `SELECT count(*)::int FROM pgboss.job WHERE name IN ('collect', 'detect', 'notify') AND state IN ('created', 'retry', 'active')`,
      );
      const unsent = await scalar<number>(url, `SELECT count(*)::int FROM notifications WHERE status <> 'sent'`);
      return ok > 0 && busy === 0 && unsent === 0;
    },
    timeoutMs,
    1000,
  ).catch(() => false);
}
