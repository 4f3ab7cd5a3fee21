import pg from 'pg';
import { scalar, type Campaign, type RunResult } from './context';
import { measure, workerSettled } from './measure';
import { sleep, spawnCli, waitFor, type CliChild } from './processes';

const countEvents = (url: string) => scalar<number>(url, 'SELECT count(*)::int FROM usage_events');
const SETTLE_MS = 240_000;

/** The worker (npm start) as a child; `crashed` turns true if it exits without being told to. */
async function startWorker(c: Campaign, url: string) {
  const env = c.env(url, {
    ALERT_WEBHOOK_URL: c.receiver.url,
    WORKER_API_PORT: String(await c.freePort()),
    WORKER_HEARTBEAT_SECONDS: '10',
  });
  const child = spawnCli('start.ts', env);
  const state = { child, crashed: false, killed: false };
  void child.exited.then(() => {
    if (!state.killed) state.crashed = true;
  });
  return state;
}

async function stopWorker(w: { child: CliChild; killed: boolean }): Promise<void> {
  w.killed = true;
  w.child.child.kill('SIGTERM');
  const code = await Promise.race([w.child.exited, sleep(15_000).then(() => 'hung' as const)]);
  if (code === 'hung') w.child.child.kill('SIGKILL');
}

/** N SIGKILLs of the worker at random moments (collection, detection or notification), restarted each time. */
export async function workerKills(c: Campaign): Promise<RunResult> {
  const started = Date.now();
  const url = await c.cluster.createDatabase('chaos_worker_kills');
  c.receiver.reset();
  await c.sim.setFaults({ slowMs: 30 });
  let kills = 0;
  let crashes = 0;
  for (let i = 0; i < c.opts.kills; i++) {
    const w = await startWorker(c, url);
    const before = await countEvents(url).catch(() => 0);
    await waitFor(
      'the worker to store events',
      async () => w.crashed || (await countEvents(url)) > before,
      120_000,
      50,
    ).catch(() => false);
    await sleep(c.random() * 4000);
    if (w.crashed) {
      crashes++;
      continue;
    }
    w.killed = true;
    w.child.child.kill('SIGKILL');
    await w.child.exited;
    kills++;
  }
  await c.sim.setFaults({ slowMs: 0 });
  const w = await startWorker(c, url);
  const settled = await workerSettled(url, SETTLE_MS);
  if (w.crashed) crashes++;
  await stopWorker(w);
  return measure(c, url, {
    name: `worker: ${c.opts.kills} random SIGKILLs`,
    kills,
    crashes,
    notes: [],
    problems: settled ? [] : [`the worker had not settled after ${SETTLE_MS / 1000} s`],
    expectedQuarantined: 0,
    alerts: true,
    started,
  });
}

/** PostgreSQL goes away mid-collection (a fast stop, or a SIGKILL of its postmaster) and comes back 2 s later. */
export async function postgresLoss(c: Campaign, how: 'stop' | 'kill'): Promise<RunResult> {
  const started = Date.now();
  const url = await c.cluster.createDatabase(how === 'stop' ? 'chaos_pg_stop' : 'chaos_pg_kill');
  c.receiver.reset();
  await c.sim.setFaults({ slowMs: 40 });
  const w = await startWorker(c, url);
  await waitFor('the backfill to be under way', async () => (await countEvents(url)) > 0, 120_000, 50);
  const atLoss = await countEvents(url);
  if (how === 'stop') await c.cluster.stopFast();
  else await c.cluster.killPostmaster();
  await sleep(2000);
  await c.cluster.start();
  await c.sim.setFaults({ slowMs: 0 });
  const settled = await workerSettled(url, SETTLE_MS);
  const crashes = w.crashed ? 1 : 0;
  const output = w.child.output();
  await stopWorker(w);
  const problems = settled ? [] : [`the worker had not settled after ${SETTLE_MS / 1000} s`];
  if (crashes) problems.push(`the worker exited: ${output.trim().slice(-400)}`);
  return measure(c, url, {
    name: how === 'stop' ? 'PostgreSQL stop + start mid-collection' : 'postmaster SIGKILL mid-collection',
    kills: 1,
    crashes,
    notes: [`${atLoss.toLocaleString('en-US')} events stored when PostgreSQL went away`],
    problems,
    expectedQuarantined: 0,
    alerts: true,
    started,
  });
}

const OUTAGE_MS = 30 * 60_000;

/**
 * The webhook receiver down for 30 simulated minutes, then back. Simulated time is the notify queue's own retry
 * schedule: each retry pg-boss schedules (pgboss.job.start_after, from the queue's retryDelay/retryBackoff) is
 * brought forward to now and its wait added to the simulated clock, so the worker makes exactly the attempts it
 * would make in 30 minutes, in seconds. The receiver comes back once the simulated clock passes 30 minutes.
 */
export async function webhookOutage(c: Campaign): Promise<RunResult> {
  const started = Date.now();
  const url = await c.cluster.createDatabase('chaos_webhook_down');
  c.receiver.reset();
  c.receiver.up = false;
  const w = await startWorker(c, url);
  let simulatedMs = 0;
  let attemptsDown = 0;
  let backAtMs = 0;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const deadline = Date.now() + SETTLE_MS;
    while (Date.now() < deadline) {
      await sleep(300);
      const due = await db
        .query<{ wait: number }>(
          `SELECT extract(epoch FROM min(start_after) - now())::float8 * 1000 AS wait FROM pgboss.job
            WHERE name = 'notify' AND state = 'retry' AND start_after > now()`,
        )
        .catch(() => ({ rows: [] as { wait: number }[] }));
      const wait = due.rows[0]?.wait;
      if (wait != null) {
        simulatedMs += wait;
        await db.query(
          `UPDATE pgboss.job SET start_after = now() WHERE name = 'notify' AND state = 'retry' AND start_after <= now() + make_interval(secs => $1::float8 / 1000)`,
          [wait],
        );
      }
      if (!c.receiver.up && simulatedMs >= OUTAGE_MS) {
        attemptsDown = c.receiver.refused;
        backAtMs = simulatedMs;
        c.receiver.up = true;
      }
      if (c.receiver.up && (await workerSettled(url, 1))) break;
      const anyAlert = await scalar<number>(url, `SELECT count(*)::int FROM notifications`).catch(() => 0);
      if (!c.receiver.up && anyAlert === 0 && (await workerSettled(url, 1).catch(() => false))) break; // nothing due
    }
  } finally {
    await db.end();
  }
  const crashes = w.crashed ? 1 : 0;
  await stopWorker(w);
  const problems: string[] = [];
  if (!c.receiver.up) problems.push('no alert was due while the receiver was down: the outage tested nothing');
  return measure(c, url, {
    name: 'webhook down 30 simulated min',
    kills: 0,
    crashes,
    notes: [
      `${attemptsDown} deliveries refused while down; back at simulated minute ${(backAtMs / 60_000).toFixed(1)} (the next retry the queue had scheduled)`,
    ],
    problems,
    expectedQuarantined: 0,
    alerts: true,
    started,
  });
}
