import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from '../../src/config/config';
import { freePorts } from '../support/ports';
import { spawnCli, waitFor } from '../support/child';

/** The postmaster's pid, first line of postmaster.pid (PostgreSQL's src/backend/utils/init/miscinit.c). */
const postmasterPid = (dataDir: string) =>
  Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const count = (text: string, needle: string) => text.split(needle).length - 1;

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-life-'));
  fs.chmodSync(dir, 0o777); // as root, PostgreSQL runs as the postgres user
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^(npm_|NODE_OPTIONS$|INIT_CWD$)/.test(k)) delete env[k];
  for (const k of ['DATABASE_URL', 'CURSOR_ADMIN_API_KEY', 'LOG_FORMAT']) delete env[k];
  const [apiPort, pgPort] = await freePorts(2);
  Object.assign(env, {
    EMBEDDED_PG_DIR: path.join(dir, 'pg'),
    EMBEDDED_PG_PORT: String(pgPort),
    EMBEDDED_PG_FAST: '1',
    WORKER_API_PORT: String(apiPort),
    SIM_TEAM_SIZE: '10',
    BACKFILL_DAYS: '1',
    LOG_LEVEL: 'info',
  });
  const healthy = async () => (await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status === 200;
  return { dir, dataDir: path.join(dir, 'pg'), env, healthy };
}

/** `npm start` from the repository root in a process group of its own, as a terminal runs a foreground job. */
function npmStart(env: NodeJS.ProcessEnv) {
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  return { child, exited, output: () => output };
}

/** The worker's own pid, from its JSON log lines (pino's `pid`). */
const workerPid = (output: string) => Number(/"pid":(\d+)/.exec(output)?.[1]);

/** Log lines at error or fatal level (pino 50/60), and anything PostgreSQL or npm says went wrong. */
const errorLines = (output: string) =>
  output.split('\n').filter((l) => /"level":(50|60)|terminating connection|npm error|ERR!|^error:|Unhandled/i.test(l));

describe('npm start in embedded mode', () => {
  it('serves a collect beside it as a client, restarts its killed PostgreSQL, and stops cleanly on Ctrl-C', async () => {
    const { dir, dataDir, env, healthy } = await setup();
    const run = npmStart(env);
    try {
      await waitFor('the worker API', healthy, 180_000, 500);

      // The embedded postmaster dies (SIGKILL) while the first backfill runs: the worker starts it again.
      const killed = postmasterPid(dataDir);
      process.kill(killed, 'SIGKILL');
      await waitFor(
        'a new postmaster and /healthz 200',
        async () => postmasterPid(dataDir) !== killed && alive(postmasterPid(dataDir)) && (await healthy()),
        120_000,
        250,
      );
      await waitFor('the backfill to finish', async () => run.output().includes('collection finished'), 180_000, 500);
      expect(count(run.output(), 'the embedded PostgreSQL exited unexpectedly')).toBe(1);
      expect(count(run.output(), 'the embedded PostgreSQL is running again')).toBe(1);

      // `npm run collect` beside it joins the worker's cluster as a client and leaves it running.
      const running = postmasterPid(dataDir);
      const collect = spawnCli('collect.ts', env);
      expect(await collect.exited).toBe(0);
      expect(collect.output()).toContain(`the embedded PostgreSQL is run by process ${workerPid(run.output())}`);
      expect(postmasterPid(dataDir)).toBe(running);
      expect(alive(running)).toBe(true);
      expect(await healthy()).toBe(true);

      const { password } = JSON.parse(
        fs.readFileSync(path.join(dataDir, 'cursor-cost-watch-credentials.json'), 'utf8'),
      ) as { password: string };
      const db = new pg.Client({
        connectionString: `postgres://postgres:${password}@127.0.0.1:${env.EMBEDDED_PG_PORT}/cursor_watch`,
      });
      await db.connect();
      const runs = await db.query(
        "SELECT count(*)::int AS n FROM collection_runs WHERE endpoint = 'usage_events' AND status = 'ok'",
      );
      await db.end();
      expect(runs.rows[0].n).toBeGreaterThanOrEqual(2); // the backfill (resumed after the kill) and the collect

      // Ctrl-C: SIGINT to the whole foreground process group (npm, sh, node), as the terminal sends it.
      const mark = run.output().length;
      process.kill(-run.child.pid!, 'SIGINT');
      expect(await run.exited).toBe(0);
      const tail = run.output().slice(mark);
      expect(tail).toContain('"msg":"stopped"');
      expect(errorLines(tail)).toEqual([]);
      await waitFor('the postmaster to be gone', async () => !alive(running), 30_000, 100);
      expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);
      // The whole run, the postmaster's death included, logged warnings at most: a lost database is no error.
      expect(run.output().match(/.*"level":(50|60).*/g)).toBeNull();
    } catch (err) {
      console.error(run.output().slice(-5000));
      throw err;
    } finally {
      if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 420_000);

  it('stops cleanly on SIGTERM to the outer npm process alone (npm forwards it; the scripts exec node)', async () => {
    const { dir, dataDir, env, healthy } = await setup();
    const run = npmStart(env);
    try {
      await waitFor('the worker API', healthy, 180_000, 500);
      const worker = workerPid(run.output());
      const postmaster = postmasterPid(dataDir);
      expect(worker).not.toBe(run.child.pid);
      process.kill(run.child.pid!, 'SIGTERM');
      expect(await run.exited).toBe(0);
      await waitFor('the worker to exit', async () => !alive(worker), 30_000, 100);
      await waitFor('the postmaster to be gone', async () => !alive(postmaster), 30_000, 100);
      expect(errorLines(run.output())).toEqual([]);
    } catch (err) {
      console.error(run.output().slice(-5000));
      throw err;
    } finally {
      if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
