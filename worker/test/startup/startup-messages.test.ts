import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/embedded';
import { spawnCli } from '../support/child';
import { TEST_KEY, startTestSimulator } from '../support/sim';

/** Runs `npm start`'s CLI to its exit; returns the exit code, its stderr, and all output. */
async function start(env: Record<string, string | undefined>) {
  const run = spawnCli('start.ts', {
    DATABASE_URL: undefined,
    CURSOR_ADMIN_API_KEY: undefined,
    CURSOR_API_BASE_URL: undefined,
    WORKER_API_HOST: undefined,
    WORKER_API_TOKEN: undefined,
    SIM_PORT: undefined,
    LOG_LEVEL: 'info',
    ...env,
  });
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stderr: run.stderr().trim(), output: run.output() };
}

/** Occupies a port on 127.0.0.1 until closed. */
async function occupy(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const STARTED_PG = 'starting the embedded PostgreSQL';
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-startup-'));
  fs.chmodSync(tmp, 0o755); // as root, PostgreSQL runs as the postgres user
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm start: each startup failure is one line naming the setting to change', () => {
  it('refuses WORKER_API_HOST=0.0.0.0 without WORKER_API_TOKEN before PostgreSQL starts', async () => {
    const r = await start({ WORKER_API_HOST: '0.0.0.0', EMBEDDED_PG_DIR: path.join(tmp, 'never') });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Refusing to start the worker API on 0.0.0.0 without WORKER_API_TOKEN: set a token (16+ characters) or listen on 127.0.0.1',
    );
    expect(r.output).not.toContain(STARTED_PG);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  }, 60_000);

  it('names WORKER_API_PORT when the API port is taken, before PostgreSQL starts', async () => {
    const busy = await occupy();
    try {
      const r = await start({ WORKER_API_PORT: String(busy.port), EMBEDDED_PG_DIR: path.join(tmp, 'never') });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `Port ${busy.port} on 127.0.0.1 is already in use, so the worker API cannot listen there: stop the program using it, or set WORKER_API_PORT to a free port.`,
      );
      expect(r.output).not.toContain(STARTED_PG);
    } finally {
      await busy.close();
    }
  }, 60_000);

  it('names SIM_PORT when the simulated Cursor API port is taken', async () => {
    const busy = await occupy();
    try {
      const r = await start({
        SIM_PORT: String(busy.port),
        WORKER_API_PORT: String(await freePort()),
        EMBEDDED_PG_DIR: path.join(tmp, 'never'),
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `Port ${busy.port} on 127.0.0.1 is already in use, so the simulated Cursor API cannot listen there: stop the program using it, or set SIM_PORT to a free port.`,
      );
    } finally {
      await busy.close();
    }
  }, 60_000);

  it('names EMBEDDED_PG_PORT when the embedded PostgreSQL port is taken', async () => {
    const busy = await occupy();
    try {
      const r = await start({
        EMBEDDED_PG_PORT: String(busy.port),
        WORKER_API_PORT: String(await freePort()),
        EMBEDDED_PG_DIR: path.join(tmp, 'pg-port'),
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `Port ${busy.port} on 127.0.0.1 is already in use, so the embedded PostgreSQL cannot listen there: stop the program using it, or set EMBEDDED_PG_PORT to a free port.`,
      );
    } finally {
      await busy.close();
    }
  }, 60_000);

  it('names EMBEDDED_PG_DIR when a file is in the way of the data directory', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    const dataDir = path.join(file, 'postgres');
    const r = await start({ EMBEDDED_PG_DIR: dataDir, WORKER_API_PORT: String(await freePort()) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `The embedded PostgreSQL cannot keep its data in ${dataDir}: a file is in the way of the folder ${file}. Set EMBEDDED_PG_DIR to a folder you can write to, or set DATABASE_URL to a PostgreSQL you run.`,
    );
  }, 60_000);

  it('names EMBEDDED_PG_DIR when it points at a folder of something else', async () => {
    const dataDir = path.join(tmp, 'my-documents');
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'keep me');
    const r = await start({ EMBEDDED_PG_DIR: dataDir, WORKER_API_PORT: String(await freePort()) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `The embedded PostgreSQL cannot keep its data in ${dataDir}: the folder is not empty and holds no PostgreSQL data (no PG_VERSION file). Set EMBEDDED_PG_DIR to a folder you can write to, or set DATABASE_URL to a PostgreSQL you run.`,
    );
    expect(fs.readFileSync(path.join(dataDir, 'notes.txt'), 'utf8')).toBe('keep me');
  }, 60_000);

  it('gives the three ways out when the data directory is closed to PostgreSQL (root) or unwritable (others)', async () => {
    const closed = path.join(tmp, 'closed');
    fs.mkdirSync(closed, { mode: 0o700 });
    fs.chmodSync(closed, process.getuid?.() === 0 ? 0o700 : 0o500);
    const dataDir = path.join(closed, 'postgres');
    const r = await start({ EMBEDDED_PG_DIR: dataDir, WORKER_API_PORT: String(await freePort()) });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(1);
    if (process.getuid?.() === 0) {
      expect(r.stderr).toBe(
        `The embedded PostgreSQL cannot start: its data directory ${dataDir} is inside ${closed}, which the "postgres" user cannot enter. PostgreSQL refuses to run as root, so it runs as the "postgres" user, which must reach its files. ` +
          'Either run npm start as a normal (non-root) user, or set DATABASE_URL to a PostgreSQL you run, or set EMBEDDED_PG_DIR to a folder the "postgres" user can reach (such as /var/lib/cursor-cost-watch/postgres).',
      );
    } else {
      expect(r.stderr).toContain(`${closed} is not writable (permission denied)`);
    }
  }, 60_000);

  it('names DATABASE_URL, password masked, when nothing listens there', async () => {
    const port = await freePort();
    const r = await start({ DATABASE_URL: `postgres://watch:s3cret-pw@127.0.0.1:${port}/cw` });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Cannot use the PostgreSQL at DATABASE_URL=postgres://watch:***@127.0.0.1:${port}/cw: nothing accepts connections at 127.0.0.1:${port} (connection refused). Is PostgreSQL running, and are the host and port right? Or unset DATABASE_URL to use the embedded PostgreSQL.`,
    );
    expect(r.output).not.toContain('s3cret-pw');
  }, 60_000);

  it('names DATABASE_URL when the password is wrong, and when the database does not exist', async () => {
    const url = new URL(process.env.CW_TEST_ADMIN_URL!);
    url.password = 'wrong-password';
    const bad = await start({ DATABASE_URL: url.toString() });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'password authentication failed for user "postgres". Check the user name and password in DATABASE_URL.',
    );
    expect(bad.stderr).toContain(':***@');
    expect(bad.output).not.toContain('wrong-password');

    const missing = new URL(process.env.CW_TEST_ADMIN_URL!);
    missing.pathname = '/no_such_db';
    const r = await start({ DATABASE_URL: missing.toString() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'the database "no_such_db" does not exist. Create it (createdb) or fix its name in DATABASE_URL.',
    );
  }, 60_000);

  it('says once that Cursor refused the Admin API key, and where to create one', async () => {
    const { server } = await startTestSimulator({ teamSize: 10, nowMs: Date.UTC(2026, 0, 15) });
    try {
      const r = await start({
        CURSOR_ADMIN_API_KEY: 'key_' + 'ab'.repeat(32),
        CURSOR_API_BASE_URL: server.url,
        DATABASE_URL: process.env.CW_TEST_ADMIN_URL,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `Cursor refused the Admin API key in CURSOR_ADMIN_API_KEY (HTTP 401 from ${server.url}): it is wrong, revoked, or not an Admin API key. Create one in the Cursor dashboard → Settings → Advanced → Admin API Keys (team admins only), then set CURSOR_ADMIN_API_KEY in .env (or unset it for the demo).`,
      );
      expect(r.output.match(/\b401\b/g)).toHaveLength(1); // \b: the random port in the URL may contain 401
      expect(TEST_KEY).not.toBe('key_' + 'ab'.repeat(32));
    } finally {
      await server.close();
    }
  }, 60_000);

  it('names CURSOR_API_BASE_URL when Cursor cannot be reached', async () => {
    const port = await freePort();
    const r = await start({
      CURSOR_ADMIN_API_KEY: TEST_KEY,
      CURSOR_API_BASE_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: process.env.CW_TEST_ADMIN_URL,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Cannot reach Cursor's API at CURSOR_API_BASE_URL=http://127.0.0.1:${port} (GET /teams/members: ECONNREFUSED). Check this machine's network, DNS and proxy, or the value of CURSOR_API_BASE_URL.`,
    );
  }, 60_000);
});
