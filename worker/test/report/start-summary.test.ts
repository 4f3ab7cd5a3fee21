import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../support/ports';
import { spawnCli, waitFor } from '../support/child';

describe('npm start: the summary after the first backfill', () => {
  it('logs one "run summary" record (JSON when stdout is not a terminal) once detection has run on the backfill', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-summary-'));
    fs.chmodSync(dir, 0o777); // as root, Postgres runs as the postgres user
    const [apiPort, pgPort] = await freePorts(2);
    const run = spawnCli('start.ts', {
      DATABASE_URL: undefined,
      CURSOR_ADMIN_API_KEY: undefined,
      LOG_FORMAT: undefined,
      EMBEDDED_PG_DIR: path.join(dir, 'pg'),
      EMBEDDED_PG_PORT: String(pgPort),
      WORKER_API_PORT: String(apiPort),
      SIM_TEAM_SIZE: '15',
      BACKFILL_DAYS: '2',
      LOG_LEVEL: 'info',
    });
    try {
      const line = await waitFor(
        'the run summary',
        async () =>
          run
            .stdout()
            .split('\n')
            .find((l) => l.includes('"msg":"run summary"')),
        150_000,
        1_000,
      );
      const { report } = JSON.parse(line);
      expect(report.trigger).toBe('backfill');
      expect(report.events.fetched).toBeGreaterThan(0);
      expect(report.events.new).toBe(report.events.fetched);
      expect(report.collected.map((c: { endpoint: string }) => c.endpoint)).toContain('members');
      expect(report.cycle.forecastCents).toBeGreaterThanOrEqual(report.cycle.spentCents);
      expect(report.next.api).toBe(`http://127.0.0.1:${apiPort}`);
      // After the detection that followed the collection: the backfill's detection passes came first.
      const lines = run.stdout().split('\n');
      const lastPass = lines.map((l) => l.includes('"msg":"detection pass finished"')).lastIndexOf(true);
      expect(lastPass).toBeGreaterThanOrEqual(0);
      expect(lines.indexOf(line)).toBeGreaterThan(lastPass);
    } catch (err) {
      console.error(run.output().slice(-3000));
      throw err;
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);
});
