import type { JobWithMetadata, PgBoss, Queue, ScheduleOptions, SendOptions } from 'pg-boss';
import type { z } from 'zod';

/** A queue's options as pg-boss creates them (`policy` is fixed at creation, the rest re-applied at every boot). */
export type QueueOptions = Omit<Queue, 'name'>;

/** A job whose data does not match its queue's payload schema: names the queue, the job and each field at fault. */
export class InvalidJobPayloadError extends Error {
  constructor(queue: string, jobId: string | null, issues: z.core.$ZodIssue[]) {
    const fields = issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`);
    super(`invalid payload for queue "${queue}"${jobId ? ` (job ${jobId})` : ''}: ${fields.join('; ')}`);
    this.name = 'InvalidJobPayloadError';
  }
}

/** One pg-boss queue: its name, options and payload schema, and the only way to put a job on it. */
export interface QueueDefinition<S extends z.ZodType> {
  readonly name: string;
  readonly payload: S;
  /** The queue's options; `heartbeatSeconds` is the worker's (tests shorten it). */
  options(heartbeatSeconds: number): QueueOptions;
  /** Validates, then sends; resolves to the job id, or null when the queue's policy refused it (exclusive). */
  send(boss: PgBoss, payload: z.input<S>, opts?: SendOptions): Promise<string | null>;
  /** Validates, then schedules (cron, UTC unless opts say otherwise); `opts.key` tells two schedules apart. */
  schedule(boss: PgBoss, cron: string, payload: z.input<S>, opts?: ScheduleOptions): Promise<void>;
  /** The payload a handler may trust, or InvalidJobPayloadError. */
  parse(job: { id: string; data: unknown }): z.output<S>;
  /** Registers a handler, one job at a time; a job whose payload is invalid fails with InvalidJobPayloadError. */
  work(
    boss: PgBoss,
    opts: { pollingIntervalSeconds: number; localConcurrency?: number },
    handle: (payload: z.output<S>, job: JobWithMetadata<unknown>) => Promise<void>,
  ): Promise<string>;
}

export function defineQueue<S extends z.ZodType>(
  name: string,
  payload: S,
  options: (heartbeatSeconds: number) => QueueOptions,
): QueueDefinition<S> {
  const check = (data: unknown, jobId: string | null): z.output<S> => {
    const parsed = payload.safeParse(data ?? {});
    if (!parsed.success) throw new InvalidJobPayloadError(name, jobId, parsed.error.issues);
    return parsed.data;
  };
  return {
    name,
    payload,
    options,
    async send(boss, data, opts) {
      const valid = check(data, null) as object;
      return opts ? boss.send(name, valid, opts) : boss.send(name, valid);
    },
    async schedule(boss, cron, data, opts) {
      await boss.schedule(name, cron, check(data, null) as object, { tz: 'UTC', ...opts });
    },
    parse: (job) => check(job.data, job.id),
    work(boss, opts, handle) {
      return boss.work<
        unknown,
        void,
        { batchSize: 1; includeMetadata: true; pollingIntervalSeconds: number; localConcurrency?: number }
      >(name, { batchSize: 1, includeMetadata: true, ...opts }, async (jobs: JobWithMetadata<unknown>[]) => {
        for (const job of jobs) await handle(check(job.data, job.id), job);
      });
    },
  };
}
