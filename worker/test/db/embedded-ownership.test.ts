import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../../src/db/embedded';
import { WORKER_DIR, waitFor } from '../support/child';

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

interface Opened {
  role: 'owner' | 'client';
  created: boolean;
  url: string;
}

/** A separate process opening the embedded PostgreSQL of `dataDir` (test/support/embedded-child.ts). */
function openInChild(dataDir: string, port: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(WORKER_DIR, 'test/support/embedded-child.ts'), dataDir, String(port)],
    { cwd: WORKER_DIR, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const opened = new Promise<Opened>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as Opened);
    });
    void exited.then((code) => reject(new Error(`exited ${code} before opening: ${err}`)));
  });
  return { child, opened, exited, stderr: () => err };
}

async function query(url: string, text: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

describe('one owner per embedded PostgreSQL data directory', () => {
  let dir: string;
  let dataDir: string;
  const children: ReturnType<typeof openInChild>[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-own-'));
    fs.chmodSync(dir, 0o777); // as root, PostgreSQL runs as the postgres user
    dataDir = path.join(dir, 'pg');
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    const pm = fs.existsSync(path.join(dataDir, 'postmaster.pid')) ? postmasterPid(dataDir) : 0;
    if (pm && alive(pm)) process.kill(pm, 'SIGQUIT');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('two processes started at once on a fresh directory: one runs initdb, the other waits and connects as a client that never stops it', async () => {
    const port = await freePort();
    const a = openInChild(dataDir, port);
    const b = openInChild(dataDir, port);
    children.push(a, b);
    const [ra, rb] = await Promise.all([a.opened, b.opened]);
    expect([ra.role, rb.role].sort()).toEqual(['client', 'owner']);
    expect([ra.created, rb.created].filter(Boolean)).toHaveLength(1); // exactly one initdb
    const [owner, client] = ra.role === 'owner' ? [a, b] : [b, a];
    const clientUrl = (ra.role === 'client' ? ra : rb).url;
    expect(await query(clientUrl, 'SELECT current_database() AS db')).toEqual([{ db: 'own_test' }]);
    const pm = postmasterPid(dataDir);

    client.child.kill('SIGTERM');
    expect(await client.exited).toBe(0);
    expect(alive(pm)).toBe(true); // the client left the owner's cluster running
    expect(await query(clientUrl, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

    owner.child.kill('SIGTERM');
    expect(await owner.exited).toBe(0);
    await waitFor('the postmaster to exit', async () => !alive(pm), 30_000, 100);
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);
  }, 180_000);

  it('a stale lock after a SIGKILL of the owner: the next process takes over, stops the orphan and keeps the data', async () => {
    const port = await freePort();
    const first = openInChild(dataDir, port);
    children.push(first);
    const r1 = await first.opened;
    expect(r1.role).toBe('owner');
    await query(r1.url, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)');
    const orphan = postmasterPid(dataDir);
    first.child.kill('SIGKILL');
    await first.exited;
    // PostgreSQL runs in its own process group: it outlives its killed owner, whose lock is left behind.
    expect(alive(orphan)).toBe(true);
    expect(JSON.parse(fs.readFileSync(`${dataDir}.lock`, 'utf8')).pid).toBe(first.child.pid);

    const second = openInChild(dataDir, port);
    children.push(second);
    const r2 = await second.opened;
    expect(r2).toMatchObject({ role: 'owner', created: false });
    expect(alive(orphan)).toBe(false);
    expect(postmasterPid(dataDir)).not.toBe(orphan);
    expect(await query(r2.url, 'SELECT v FROM kept')).toEqual([{ v: 7 }]);
    expect(JSON.parse(fs.readFileSync(`${dataDir}.lock`, 'utf8')).pid).toBe(second.child.pid);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);

  it('keeps a generated password in the data directory (0600) and moves a cluster off the old fixed password', async () => {
    const port = await freePort();
    let server = await startEmbeddedPostgres({ dataDir, port, database: 'own_test' });
    const credentials = path.join(dataDir, 'cursor-cost-watch-credentials.json');
    const { password } = JSON.parse(fs.readFileSync(credentials, 'utf8')) as { password: string };
    expect(password).toMatch(/^[\w-]{32}$/);
    expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);
    expect(server.connectionString).toContain(`:${password}@`);
    // What an older version left: the superuser password "embedded" and no credentials file.
    await query(server.connectionString, "ALTER ROLE postgres PASSWORD 'embedded'");
    fs.rmSync(credentials);
    await server.stop();

    server = await startEmbeddedPostgres({ dataDir, port, database: 'own_test' });
    try {
      expect(server.passwordMigrated).toBe(true);
      const { password: fresh } = JSON.parse(fs.readFileSync(credentials, 'utf8')) as { password: string };
      expect(fresh).not.toBe('embedded');
      expect(await query(server.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      const legacy = `postgres://postgres:embedded@127.0.0.1:${port}/own_test`;
      await expect(query(legacy, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await server.stop();
    }
  }, 180_000);

  it('runs with fsync on unless asked to be fast (EMBEDDED_PG_FAST=1, tests)', async () => {
    const port = await freePort();
    const safe = await startEmbeddedPostgres({ dataDir, port, database: 'own_test', fast: false });
    try {
      expect(await query(safe.connectionString, 'SHOW fsync')).toEqual([{ fsync: 'on' }]);
    } finally {
      await safe.stop();
    }
    const fast = await startEmbeddedPostgres({ dataDir, port, database: 'own_test', fast: true });
    try {
      expect(await query(fast.connectionString, 'SHOW fsync')).toEqual([{ fsync: 'off' }]);
    } finally {
      await fast.stop();
    }
  }, 120_000);
});
