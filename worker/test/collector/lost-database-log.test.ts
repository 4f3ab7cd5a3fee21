import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { emptySummary, recordRun, type CollectPass } from '../../src/collector/pass';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { testClient } from '../support/sim';

// Found by embedded-lifecycle.test.ts (npm start, its PostgreSQL SIGKILLed): when the kill fell inside an endpoint's
// run, the lost connection was logged as that endpoint's failure at error level, although the worker waits for the
// database and runs the pass again. A lost database is a warning; any other failure is still an error.
describe("an endpoint's run cut by a lost database", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('lostdb');
  });
  afterAll(async () => {
    if (t) await dropTestDb(t);
  });

  async function run(err: Error) {
    const lines: { level: number; msg: string; endpoint?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const pass: CollectPass = {
      deps: {
        db: t.db,
        client: testClient('http://127.0.0.1:9'),
        log: pino({ level: 'info' }, sink),
        config: { BACKFILL_DAYS: 1, RESTATE_DAYS: 1 },
      },
      trigger: 'test',
      runId: randomUUID(),
      now: Date.now(),
      summary: emptySummary('run'),
    };
    await recordRun(pass, 'usage_events', {}, async () => Promise.reject(err));
    return { lines, summary: pass.summary };
  }

  it('is logged as a warning, and the summary still says the endpoint failed and the database was lost', async () => {
    const lost = Object.assign(new Error('terminating connection due to unexpected postmaster exit'), {
      code: '57P01',
    });
    const { lines, summary } = await run(lost);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        endpoint: 'usage_events',
        msg: expect.stringContaining('database went away'),
      }),
    );
    expect(summary.databaseLost).toBe(true);
    expect(summary.errors).toEqual([{ endpoint: 'usage_events', message: lost.message }]);
  });

  it('any other failure of the endpoint is an error', async () => {
    const { lines, summary } = await run(new Error('duplicate key value violates unique constraint'));
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'collection of an endpoint failed' }));
    expect(summary.databaseLost).toBeUndefined();
  });
});
