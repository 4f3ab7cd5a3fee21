import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../src/config/log';

/** A logger whose JSON lines are kept, parsed, in `lines` (pino writes them asynchronously: wait a tick to read). */
export function keptLog(level: 'debug' | 'info' = 'info'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    }),
  );
  return { log, lines };
}
