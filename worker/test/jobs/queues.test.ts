import type { PgBoss } from 'pg-boss';
import { createLogger } from '../../src/config/log';
import { ALL_QUEUES, InvalidJobPayloadError, collectQueue, notifyQueue } from '../../src/jobs/queues';
import { startBoss } from '../../src/queue/boss';
import { waitFor } from '../support/child';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';

const log = createLogger('silent');

describe('job modules on a real pg-boss', () => {
  let t: TestDb;
  let boss: PgBoss;
  beforeAll(async () => {
    t = await createTestDb('queues');
    boss = await startBoss(t.url, log, { heartbeatSeconds: 30 });
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await dropTestDb(t);
  });

  it('creates every module’s queue with its options', async () => {
    expect(ALL_QUEUES.map((q) => q.name)).toEqual(['collect', 'detect', 'notify', 'digest', 'nudge', 'nudge_check']);
    for (const q of ALL_QUEUES) {
      const stored = await boss.getQueue(q.name);
      const { policy, retryLimit, heartbeatSeconds } = q.options(30);
      expect(stored).toMatchObject({
        name: q.name,
        policy,
        retryLimit,
        ...(heartbeatSeconds ? { heartbeatSeconds } : {}),
      });
    }
  });

  it('send() refuses an invalid payload before it reaches the queue, naming the queue and field', async () => {
    const bad = { notificationId: 'seven' } as unknown as { notificationId: number };
    await expect(notifyQueue.send(boss, bad)).rejects.toThrow(
      /invalid payload for queue "notify": notificationId: Invalid input: expected number, received string/,
    );
    expect(await boss.fetch(notifyQueue.name)).toEqual([]);
  });

  it('a job sent around send() with an invalid payload fails with an error naming the queue, job and field', async () => {
    const handled: number[] = [];
    await notifyQueue.work(boss, { pollingIntervalSeconds: 0.5 }, async (p) => {
      handled.push(p.notificationId);
    });
    const badId = await boss.send(notifyQueue.name, { notificationId: -3 }, { retryLimit: 0 });
    const goodId = await notifyQueue.send(boss, { notificationId: 41 }, { retryLimit: 0 });
    const settled = async (id: string) => {
      const job = await boss.getJobById(notifyQueue.name, id);
      return job && ['failed', 'completed'].includes(job.state) ? job : undefined;
    };
    const failed = await waitFor('the invalid job to settle', () => settled(badId!), 20_000);
    expect(failed.state).toBe('failed');
    expect((failed.output as { message: string }).message).toBe(
      `invalid payload for queue "notify" (job ${badId}): notificationId: Too small: expected number to be >0`,
    );
    expect((await waitFor('the valid job to settle', () => settled(goodId!), 20_000)).state).toBe('completed');
    expect(handled).toEqual([41]);
  });

  it('defaults a collection’s trigger and rejects unknown field types', () => {
    expect(collectQueue.parse({ id: 'j1', data: {} })).toEqual({ trigger: 'schedule' });
    expect(() => collectQueue.parse({ id: 'j2', data: { trigger: 'manual', restateEvents: 'yes' } })).toThrow(
      InvalidJobPayloadError,
    );
  });
});
