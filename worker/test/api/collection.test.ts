import { collectionRunResultSchema, collectionStatusSchema } from '@cursor-cost-watch/contract';
import type { PgBoss } from 'pg-boss';
import { createLogger } from '../../src/config/log';
import { collectQueue } from '../../src/jobs/queues';
import { startBoss } from '../../src/queue/boss';
import { createTestDb } from '../support/test-db';
import { NOW, startTestApi, type TestApi } from './support';

const MIN = 60_000;
let api: TestApi;
let boss: PgBoss;

beforeAll(async () => {
  const t = await createTestDb('api');
  boss = await startBoss(t.url, createLogger('silent'));
  api = await startTestApi({ boss }, {}, t);
  const db = t.db;
  await db
    .insertInto('collection_watermarks')
    .values([
      { endpoint: 'usage_events', watermark: new Date(NOW.getTime() - 20 * MIN) },
      { endpoint: 'spend', watermark: new Date(NOW.getTime() - 65 * MIN) },
    ])
    .execute();
  const run = (endpoint: string, status: 'ok' | 'failed', minutesAgo: number, extra: object = {}) => ({
    run_id: '00000000-0000-4000-8000-00000000000' + String(minutesAgo % 10),
    endpoint,
    trigger: 'schedule',
    status,
    started_at: new Date(NOW.getTime() - minutesAgo * MIN),
    finished_at: new Date(NOW.getTime() - minutesAgo * MIN + 5000),
    duration_ms: 5000,
    ...extra,
  });
  await db
    .insertInto('collection_runs')
    .values([
      run('usage_events', 'ok', 120, { rows_new: 10 }),
      run('usage_events', 'ok', 60, { rows_new: 42 }),
      run('spend', 'ok', 120),
      run('spend', 'failed', 60, { error: 'Cursor answered 500: An unexpected error occurred' }),
      run('spend', 'failed', 3000, { error: 'old failure' }),
    ])
    .execute();
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await api.close();
});

describe('GET /api/collection/status', () => {
  it('reports the last run per endpoint, lag behind now, last error and failures in the last day', async () => {
    const r = await api.call('GET', '/api/collection/status');
    expect(r.status).toBe(200);
    const s = collectionStatusSchema.parse(r.json);
    expect(s.endpoints.map((e) => e.endpoint)).toEqual(['spend', 'usage_events']);
    const [spend, events] = s.endpoints;
    expect(events).toMatchObject({
      lastStatus: 'ok',
      lastRowsNew: 42,
      lagSeconds: 1200,
      failuresLast24h: 0,
      lastError: null,
    });
    expect(spend).toMatchObject({
      lastStatus: 'failed',
      lagSeconds: 3900,
      failuresLast24h: 1,
      lastError: expect.stringMatching(/500/),
    });
    expect(spend.lastSuccessAt).toBe(new Date(NOW.getTime() - 120 * MIN + 5000).toISOString());
    expect(s.lastRunAt).toBe(new Date(NOW.getTime() - 60 * MIN).toISOString());
    expect(s.hasData).toBe(false);
  });
});

describe('POST /api/collection/run', () => {
  it('queues a manual collection, then answers 409 while it is queued', async () => {
    const first = await api.call('POST', '/api/collection/run', { login: 'ops.olga' });
    expect(first.status).toBe(202);
    const { jobId } = collectionRunResultSchema.parse(first.json);
    const job = await boss.getJobById(collectQueue.name, jobId);
    expect(job?.data).toEqual({ trigger: 'manual' });
    const second = await api.call('POST', '/api/collection/run', { login: 'ops.olga' });
    expect(second.status).toBe(409);
    expect(second.json.message).toMatch(/already queued or running/);
  });

  it('503 when the process has no job queue', async () => {
    const noQueue = await startTestApi();
    try {
      const r = await noQueue.call('POST', '/api/collection/run');
      expect(r.status).toBe(503);
    } finally {
      await noQueue.close();
    }
  });
});
