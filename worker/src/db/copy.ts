import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Rows per message of a COPY (~14 kB of usage_events' text). */
const BATCH = 50;

/**
 * Runs `statement` (a COPY … FROM STDIN) on `client` with the rows' text (`line`: one line each, newline included),
 * formatted and sent BATCH rows at a time as the socket takes them: PostgreSQL parses and stores one batch while the
 * next one is formatted, rather than waiting for the text of the whole set.
 */
export async function copyIn<T>(client: pg.PoolClient, statement: string, rows: T[], line: (r: T) => string) {
  await pipeline(Readable.from(batches(rows, line)), client.query(copyFrom(statement)));
}

function* batches<T>(rows: T[], line: (r: T) => string): Generator<string> {
  for (let i = 0; i < rows.length; i += BATCH) {
    let text = '';
    for (let j = i; j < Math.min(i + BATCH, rows.length); j++) text += line(rows[j]);
    yield text;
  }
}
