import { scalar, type Campaign, type RunResult } from './context';
import { measure } from './measure';
import { sleep, spawnCli, waitFor } from './processes';

const countEvents = (url: string) => scalar<number>(url, 'SELECT count(*)::int FROM usage_events');

/** `collect` again and again until one run ends clean (exit 0), as a cron job would; returns the runs it took. */
export async function collectUntilClean(env: Record<string, string>, maxRuns: number): Promise<number> {
  const outputs: string[] = [];
  for (let n = 1; n <= maxRuns; n++) {
    const run = spawnCli('collect.ts', env);
    if ((await run.exited) === 0) return n;
    outputs.push(run.output().trim().slice(-600));
    if (process.env.CHAOS_VERBOSE) console.error(`\n--- collect run ${n} ---\n${outputs.at(-1)}`);
  }
  throw new Error(`collect did not end clean in ${maxRuns} runs; the last said:\n${outputs.slice(-2).join('\n---\n')}`);
}

/** N SIGKILLs of `npm run collect`, each at a random moment after the run has stored something, then a clean run. */
export async function collectKills(c: Campaign): Promise<RunResult> {
  const started = Date.now();
  const url = await c.cluster.createDatabase('chaos_collect_kills');
  const env = c.env(url);
  const problems: string[] = [];
  await c.sim.setFaults({ slowMs: 40 }); // slow pages, so kills land mid-backfill
  let kills = 0;
  let midCollection = 0;
  for (let attempt = 0; kills < c.opts.kills && attempt < c.opts.kills * 3; attempt++) {
    const before = await countEvents(url).catch(() => 0);
    const run = spawnCli('collect.ts', env);
    let done = false;
    void run.exited.then(() => (done = true));
    await waitFor('collect to store events', async () => done || (await countEvents(url)) > before, 90_000, 25);
    await sleep(c.random() * 1500);
    if (done) continue; // it finished first: not a kill
    run.child.kill('SIGKILL');
    await run.exited;
    kills++;
    if ((await countEvents(url)) > before) midCollection++;
  }
  await c.sim.setFaults({ slowMs: 0 });
  const runs = await collectUntilClean(env, 3);
  return measure(c, url, {
    name: `collect: ${c.opts.kills} random SIGKILLs`,
    kills,
    crashes: 0,
    notes: [`${midCollection} kills after events were stored`, `clean after ${runs} more run(s)`],
    problems: kills < c.opts.kills ? [...problems, `only ${kills} kills landed`] : problems,
    expectedQuarantined: 0,
    alerts: false,
    started,
  });
}

/** Three `collect` processes started at once on a fresh database: migrations and the collection lock race. */
export async function concurrentCollectors(c: Campaign): Promise<RunResult> {
  const started = Date.now();
  const url = await c.cluster.createDatabase('chaos_concurrent');
  const env = c.env(url);
  const runs = [0, 1, 2].map(() => spawnCli('collect.ts', env));
  const codes = await Promise.all(runs.map((r) => r.exited));
  const failed = codes.filter((code) => code !== 0).length;
  const skipped = runs.filter((r) => /another collection is running/.test(r.output())).length;
  const problems = codes
    .map((code, i) => (code === 0 ? null : `collector ${i + 1} exited ${code}: ${runs[i].output().trim().slice(-300)}`))
    .filter((p): p is string => p !== null);
  return measure(c, url, {
    name: '3 concurrent collectors',
    kills: 0,
    crashes: failed,
    notes: [`${3 - skipped} collected, ${skipped} skipped (collection lock held)`],
    problems,
    expectedQuarantined: 0,
    alerts: false,
    started,
  });
}

/** Every API fault at once, then `collect` re-run until clean: nothing lost, poison events quarantined. */
export async function apiChaos(c: Campaign): Promise<RunResult> {
  const started = Date.now();
  const url = await c.cluster.createDatabase('chaos_api');
  const env = c.env(url);
  await c.sim.resetStats();
  const poison = c.opts.quick ? 3 : 8;
  await c.sim.setFaults({
    serverErrors: 4,
    rateLimitStorm: 4,
    retryAfterSeconds: 1,
    resetConnections: 3,
    slowMs: 60,
    malformedPages: 3,
    oversizedPages: 2,
    oversizedBytes: 6 * 1024 * 1024,
    endlessPages: 2,
    poisonEvents: poison,
  });
  const runs = await collectUntilClean(env, 12);
  const s = await c.sim.stats();
  await c.sim.setFaults({ slowMs: 0, retryAfterSeconds: undefined });
  const problems: string[] = [];
  if (s.poisonEventsSent === 0 || s.oversizedPagesSent !== 2 || s.endlessPagesSent !== 2 || s.malformedPagesSent !== 3)
    problems.push(`a hostile page was not served: ${JSON.stringify(s)}`);
  return measure(c, url, {
    name: 'API chaos',
    kills: 0,
    crashes: 0,
    notes: [
      `served: ${s.serverErrors} 5xx, ${s.rateLimited} 429, ${s.connectionsReset} resets, ${s.malformedPagesSent} truncated, ` +
        `${s.oversizedPagesSent} oversized (6 MiB), ${s.endlessPagesSent} endless, ${s.poisonEventsSent} poison, every answer +60 ms`,
      `clean after ${runs} collect runs`,
    ],
    problems,
    expectedQuarantined: s.poisonEventsSent,
    alerts: false,
    started,
  });
}
