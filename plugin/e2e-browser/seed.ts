import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The worker package: the check runs its npm scripts, never imports its code (README, the dependency rule). */
const WORKER_DIR = path.resolve(__dirname, '../../worker');
const READY_TIMEOUT_MS = 5 * 60_000;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const SIM_KEY = `key_${'e'.repeat(64)}`;

/**
 * The simulated Cursor API as its own process (`npm run simulate`): 30 developers, seed 11, 60 days of history, each
 * answer 150 ms late, so a collection the pages start is still in flight when they ask for a second one. The billing
 * cycle began ten days ago whatever today is (seed 11's own cycle starts on the 3rd: on the 3rd the current cycle
 * held minutes of spend, and the Users page no share of it).
 */
async function startSimulator(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const cycleDay = Math.min(28, new Date(Date.now() - 10 * 86_400_000).getUTCDate());
  const args = ['--size', '30', '--seed', '11', '--history-days', '60', '--cycle-day', String(cycleDay)];
  args.push('--port', String(port), '--key', SIM_KEY);
  const child = spawn(
    'npm',
    ['run', '--silent', 'simulate', '--', ...args, '--no-rate-limits', '--fault', 'slowMs=150'],
    {
      cwd: WORKER_DIR,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true, // its own process group: npm, the shell and node stop together
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const found = /^CURSOR_API_BASE_URL=(\S+)$/m.exec(out);
      if (found) resolve(found[1]);
    });
    child.on('exit', (code) => reject(new Error(`npm run simulate exited ${code}: ${out}`)));
  });
  const stop = () => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
  };
  return { url, stop };
}

/** The environment `npm start` runs with: the simulated team as Cursor, a throwaway embedded PostgreSQL. */
function workerEnv(opts: {
  token: string;
  grafanaUrl: string;
  cursorUrl: string;
  pgDir: string;
  pgPort: number;
  apiPort: number;
}) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing of the caller's own setup: no database, no Cursor key, no channel.
  for (const key of Object.keys(env)) {
    if (/^(DATABASE_URL|CURSOR_|SLACK_|SMTP_|ALERT_|GRAFANA_|WORKER_|SIM_|EMBEDDED_PG_|LOG_)/.test(key))
      delete env[key];
  }
  return {
    ...env,
    EMBEDDED_PG_DIR: opts.pgDir,
    EMBEDDED_PG_PORT: String(opts.pgPort),
    EMBEDDED_PG_FAST: '1',
    WORKER_API_HOST: '127.0.0.1',
    WORKER_API_PORT: String(opts.apiPort),
    WORKER_API_TOKEN: opts.token,
    // The stand-in Grafana signs the ID tokens the worker verifies (issuer and JWKS derive from GRAFANA_URL).
    GRAFANA_URL: opts.grafanaUrl,
    GRAFANA_IDENTITY: 'verify',
    CURSOR_API_BASE_URL: opts.cursorUrl,
    CURSOR_ADMIN_API_KEY: SIM_KEY,
    // The simulator is local: no need to pace at Cursor's documented limits.
    CURSOR_RATE_LIMIT_PER_MIN: '10000',
    CURSOR_EVENTS_RATE_LIMIT_PER_MIN: '10000',
    BACKFILL_DAYS: '30',
    // Only the first-run backfill and the pages' own "collect now" run: no scheduled collection mid-check.
    COLLECT_CRON: '0 0 1 1 *',
    RESTATE_EVENTS_CRON: '0 0 1 1 *',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
  };
}

/** Runs one of the worker's npm scripts to its end; resolves to its stdout's last line, parsed as JSON. */
function runScript(args: string[], env: NodeJS.ProcessEnv): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', ...args], { cwd: WORKER_DIR, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`npm run ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`npm run ${args.join(' ')} printed no JSON: ${out.slice(-2000)}`));
      }
    });
  });
}

interface LogRecord {
  msg?: string;
  level?: number;
  summary?: { events?: { inserted?: number } };
}

/**
 * Starts the worker as production does (`npm start` against the simulated Cursor API, its own embedded PostgreSQL),
 * both as child processes through the worker's npm scripts: the first-run
 * backfill of 30 days, detection replayed over the last 14 days and today. Resolves once the backfill's summary is
 * logged; then one developer incident goes through the nudge lifecycle and spend-limit changes are turned on (`npm run browser-check -- seed`).
 */
export async function startSeededWorker(opts: { token: string; grafanaUrl: string }) {
  // As in the worker's test setup: as root, PostgreSQL runs as the postgres user, which must enter this folder.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cw-e2e-pg-'));
  chmodSync(dir, 0o777);
  const apiPort = await freePort();
  const sim = await startSimulator();
  const env = workerEnv({
    ...opts,
    cursorUrl: sim.url,
    pgDir: path.join(dir, 'data'),
    pgPort: await freePort(),
    apiPort,
  });
  const worker: ChildProcess = spawn('npm', ['start'], { cwd: WORKER_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let collectedEvents = 0;
  const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
  // A check that dies on its way (an exception, process.exit) still stops the worker and its PostgreSQL.
  const orphanGuard = () => {
    if (worker.exitCode === null) worker.kill('SIGTERM');
    sim.stop();
  };
  process.on('exit', orphanGuard);
  const ready = new Promise<void>((resolve, reject) => {
    let buffered = '';
    let isReady = false;
    worker.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        let rec: LogRecord;
        try {
          rec = JSON.parse(line) as LogRecord;
        } catch {
          continue;
        }
        if (rec.msg?.startsWith('collection finished')) collectedEvents += rec.summary?.events?.inserted ?? 0;
        if (rec.msg === 'run summary' && !isReady) {
          isReady = true;
          console.log(`worker ready: ${line.length > 4000 ? `${line.slice(0, 4000)}…` : line}`);
          resolve();
        }
        if ((rec.level ?? 0) >= 50) reject(new Error(`the worker logged an error: ${line}`));
      }
    });
    worker.stderr!.on('data', (c: Buffer) => lines.push(c.toString('utf8')));
    void exited.then((code) => reject(new Error(`the worker exited (${code}) before its first backfill was done`)));
    setTimeout(
      () => reject(new Error(`no backfill summary within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    ).unref();
  });
  const stop = async () => {
    if (worker.exitCode === null) {
      worker.kill('SIGTERM'); // npm hands it to the worker, which closes its API, jobs and PostgreSQL, then exits 0
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 60_000))]);
      if (code !== 0) console.error(`the worker stopped with ${String(code)}`);
    }
    sim.stop();
    process.off('exit', orphanGuard);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await ready;
    const nudged = (await runScript(['browser-check', '--', 'seed'], env)) as {
      incidentId: number;
      email: string;
      outcome: string | null;
    };
    return {
      url: `http://127.0.0.1:${apiPort}`,
      collectedEvents,
      nudged,
      /** Who the worker's API audit recorded, and how each identity was known. */
      audited: () =>
        runScript(['browser-check', '--', 'audit'], env) as Promise<
          { actor: string; verified: boolean; source: string }[]
        >,
      stop,
    };
  } catch (err) {
    console.error(lines.slice(-40).join('\n'));
    await stop();
    throw err;
  }
}
