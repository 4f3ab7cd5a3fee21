import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../../src/db/embedded';
import { binariesFor, installedBinaries } from '../../src/db/embedded-pg/binaries';
import { postgresAccount } from '../../src/db/embedded-pg/os-user';
import { firstBlockedDir, permits, type Account } from '../../src/db/embedded-pg/reach';

const isRoot = process.getuid?.() === 0;
const dirStat = (uid: number, gid: number, mode: number) => ({ uid, gid, mode: fs.constants.S_IFDIR | mode });

describe('who can reach a folder, from its permission bits', () => {
  const pgUser: Account = { uid: 101, gid: 104, groups: [104, 103] };

  it('reads owner, group (primary or supplementary) and other bits as the kernel does', () => {
    expect(permits(dirStat(0, 0, 0o700), pgUser, 1)).toBe(false); // /root
    expect(permits(dirStat(0, 0, 0o755), pgUser, 1)).toBe(true);
    expect(permits(dirStat(0, 103, 0o750), pgUser, 1)).toBe(true); // a supplementary group
    expect(permits(dirStat(101, 0, 0o700), pgUser, 1)).toBe(true); // its own
    expect(permits(dirStat(101, 0, 0o077), pgUser, 1)).toBe(false); // owner bits apply to the owner, not other bits
  });

  it('finds the first folder on the way that cannot be entered; a missing tail is no block', () => {
    const stats: Record<string, ReturnType<typeof dirStat>> = {
      '/': dirStat(0, 0, 0o755),
      '/root': dirStat(0, 0, 0o700),
      '/root/x': dirStat(0, 0, 0o755),
      '/srv': dirStat(0, 0, 0o755),
    };
    const stat = ((p: string) => {
      if (!stats[p]) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return { ...stats[p], isDirectory: () => true };
    }) as unknown as typeof fs.statSync;
    expect(firstBlockedDir('/root/x/repo/data/postgres', pgUser, stat)).toBe('/root');
    expect(firstBlockedDir('/srv/cw/postgres', pgUser, stat)).toBeNull();
  });
});

describe('embedded PostgreSQL as root, from a clone the postgres user cannot enter', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-root-'));
    fs.chmodSync(tmp, 0o755);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('stages the binaries in a folder it can reach (world-readable, owned by us) and runs them as that user', async () => {
    const closed = path.join(tmp, 'home');
    fs.mkdirSync(closed, { mode: 0o700 });
    fs.chmodSync(closed, 0o700);
    const installed = await installedBinaries();
    const copy = path.join(closed, 'native');
    fs.cpSync(installed.dir, copy, { recursive: true, verbatimSymlinks: true });
    const inClosed = {
      ...installed,
      dir: copy,
      initdb: path.join(copy, path.relative(installed.dir, installed.initdb)),
      postgres: path.join(copy, path.relative(installed.dir, installed.postgres)),
    };
    const who: Account = isRoot
      ? await postgresAccount()
      : { uid: process.getuid!(), gid: process.getgid!(), groups: [] };
    const cache = path.join(tmp, 'cache');
    const b = await binariesFor(who, cache, inClosed);
    if (isRoot) {
      expect(b.dir).toBe(path.join(cache, `pg-${installed.version}-${os.platform()}-${os.arch()}`));
      expect(fs.statSync(b.dir).mode & 0o777).toBe(0o755);
      expect(fs.existsSync(path.join(b.dir, '.staged'))).toBe(true);
      // Staged once, then reused.
      expect((await binariesFor(who, cache, inClosed)).dir).toBe(b.dir);
    } else {
      expect(b.dir).toBe(copy); // its owner can run them where they are
    }
    const version = execFileSync(b.postgres, ['--version'], { uid: who.uid, gid: who.gid, encoding: 'utf8' });
    expect(version).toMatch(/^postgres \(PostgreSQL\) \d+/);
  }, 120_000);

  it('starts on a data directory left closed and owned by root, as a starting owner has it for a moment', async () => {
    // Between creating the data directory (0700, as root) and handing it to the postgres user, an owner starting at
    // the same moment leaves it so; a second process checking the way to it refused it as closed ("inside" itself).
    const dataDir = path.join(tmp, 'handover', 'postgres');
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(path.dirname(dataDir), 0o755);
    fs.chmodSync(dataDir, 0o700);
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      ephemeral: true,
      database: 'handover_test',
    });
    try {
      expect(server.dataDir).toBe(dataDir);
      if (isRoot) expect(fs.statSync(dataDir).uid).toBe((await postgresAccount()).uid);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('keeps the data in the fallback folder when the default one is closed to the postgres user', async () => {
    const closed = path.join(tmp, 'clone');
    fs.mkdirSync(closed, { mode: 0o700 });
    fs.chmodSync(closed, 0o700);
    const fallback = path.join(tmp, 'state', 'postgres');
    const server = await startEmbeddedPostgres({
      dataDir: path.join(closed, 'data', 'postgres'),
      fallbackDataDir: fallback,
      port: await freePort(),
      ephemeral: true,
      database: 'root_test',
    });
    try {
      expect(server.dataDir).toBe(isRoot ? fallback : path.join(closed, 'data', 'postgres'));
      const client = new pg.Client({ connectionString: server.connectionString });
      await client.connect();
      const { rows } = await client.query('SELECT current_database() AS db');
      await client.end();
      expect(rows[0].db).toBe('root_test');
      if (isRoot) expect(fs.statSync(fallback).uid).toBe((await postgresAccount()).uid);
    } finally {
      await server.stop();
    }
    expect(fs.existsSync(server.dataDir)).toBe(false);
  }, 120_000);
});
