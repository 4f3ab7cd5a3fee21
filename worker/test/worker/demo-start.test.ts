import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePorts } from '../support/ports';
import { spawnCli, waitFor } from '../support/child';

const COLLECTION_TABLES = [
  'members',
  'member_spend',
  'daily_usage',
  'usage_events',
  'user_daily_rollup',
  'user_model_daily_rollup',
  'hourly_rollup',
  'billing_groups',
  'billing_group_members',
  'billing_group_daily_spend',
  'analytics_dau',
  'analytics_model_usage',
  'collection_runs',
  'collection_watermarks',
];

describe('npm start with nothing configured', () => {
  it('starts an embedded PostgreSQL and the simulated team, fills every collection table, and stops cleanly on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-demo-'));
    fs.chmodSync(dir, 0o777); // as root, Postgres runs as the postgres user
    const [port, apiPort] = await freePorts(2);
    const run = spawnCli('start.ts', {
      DATABASE_URL: undefined,
      CURSOR_ADMIN_API_KEY: undefined,
      EMBEDDED_PG_DIR: path.join(dir, 'pg'),
      EMBEDDED_PG_PORT: String(port),
      WORKER_API_PORT: String(apiPort),
      SIM_TEAM_SIZE: '15',
      BACKFILL_DAYS: '2',
      LOG_LEVEL: 'info',
    });
    // The generated superuser password, kept in the data directory (0600) for the worker and its neighbours.
    const credentials = path.join(dir, 'pg', 'cursor-cost-watch-credentials.json');
    const url = () =>
      `postgres://postgres:${JSON.parse(fs.readFileSync(credentials, 'utf8')).password}@127.0.0.1:${port}/cursor_watch`;
    let client = new pg.Client();
    try {
      await waitFor(
        'the embedded database',
        async () => {
          client = new pg.Client({ connectionString: url() }); // a pg.Client cannot retry a failed connect
          await client.connect();
          return true;
        },
        60_000,
        500,
      );
      const counts = await waitFor(
        'data in every collection table',
        async () => {
          const c: Record<string, number> = {};
          for (const table of COLLECTION_TABLES) {
            c[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
          }
          return Object.values(c).every((n) => n > 0) ? c : undefined;
        },
        120_000,
        1_000,
      );
      for (const table of COLLECTION_TABLES) expect(counts[table]).toBeGreaterThan(0);
      expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);
      expect(url()).not.toContain(':embedded@');
      // The HTTP API for the Grafana plugin is up beside the worker.
      const health = await fetch(`http://127.0.0.1:${apiPort}/healthz`);
      expect(health.status).toBe(200);
    } catch (err) {
      console.error(run.output().slice(-3000));
      throw err;
    } finally {
      await client.end().catch(() => {});
      run.child.kill('SIGTERM');
      const code = await run.exited;
      if (code !== 0) console.error(run.output().slice(-3000));
      expect(code).toBe(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(run.output()).toContain('demo mode on the simulated Cursor team');
  }, 180_000);
});
