/** Every pg-boss queue the worker uses, one module each: name, options, payload schema, send() and its worker. */
import { collectQueue } from './collect';
import { detectQueue } from './detect';
import { digestQueue } from './digest';
import { notifyQueue } from './notify';
import { nudgeQueue } from './nudge';
import { nudgeCheckQueue } from './nudge-check';

/** Created (or updated) at every boot by queue/boss.ts. */
export const ALL_QUEUES = [collectQueue, detectQueue, notifyQueue, digestQueue, nudgeQueue, nudgeCheckQueue] as const;

export { BACKFILL_REPLAY_DAYS, collectQueue, registerCollectWorker, type CollectJob } from './collect';
export { detectQueue, registerDetectWorker, type DetectJob } from './detect';
export { notifyQueue, registerNotifyWorker, type NotifyJob } from './notify';
export { digestQueue, registerDigestWorker } from './digest';
export { nudgeQueue, registerNudgeWorker, type NudgeJob } from './nudge';
export { nudgeCheckQueue, registerNudgeCheckWorker } from './nudge-check';
export { InvalidJobPayloadError, type QueueDefinition, type QueueOptions } from './define';
