import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '../db/database';
import type { SnoozesTable } from '../db/schema/detection';
import { IncidentInputError } from './errors';

export type SnoozeRow = Selectable<SnoozesTable>;

export class SnoozeNotFoundError extends Error {
  constructor(public readonly snoozeId: number) {
    super(`Snooze ${snoozeId} does not exist`);
    this.name = 'SnoozeNotFoundError';
  }
}

const snoozeInput = z
  .object({
    scope: z.enum(['user', 'team'], { message: 'must be "user" or "team"' }),
    subject: z.string().trim().min(1, 'must name the user (email) or team').max(320, 'is too long').optional(),
    until: z.union([z.date(), z.string()]).transform((v, ctx) => {
      const d = v instanceof Date ? v : new Date(v);
      if (Number.isNaN(d.getTime())) ctx.addIssue({ code: 'custom', message: 'must be an ISO date or timestamp' });
      return d;
    }),
    reason: z.string().trim().min(1, 'must say why the subject is snoozed').max(2000, 'is too long'),
  })
  .refine((s) => s.scope === 'team' || s.subject !== undefined, {
    path: ['subject'],
    message: 'must name the user (email)',
  });

export type SnoozeInput = z.input<typeof snoozeInput>;

/** Silences a user or the team until a date: their anomalies are still recorded, but no incident opens. */
export async function createSnooze(db: DbOrTx, input: unknown, actor: string, now = new Date()): Promise<SnoozeRow> {
  const parsed = snoozeInput.safeParse(input);
  if (!parsed.success) {
    throw new IncidentInputError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const s = parsed.data;
  if (s.until.getTime() <= now.getTime()) {
    throw new IncidentInputError([{ path: 'until', message: `must be in the future (got ${s.until.toISOString()})` }]);
  }
  return db
    .insertInto('snoozes')
    .values({
      scope: s.scope,
      // Collected emails are lowercase: a snooze for Alice@Co.com must match alice@co.com.
      subject: s.scope === 'user' ? (s.subject ?? '').toLowerCase() : (s.subject ?? 'team'),
      until: s.until,
      reason: s.reason,
      created_by: actor,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Snoozes, newest first; `activeAt` keeps only those still in force at that time. */
export async function listSnoozes(db: DbOrTx, opts: { activeAt?: Date } = {}): Promise<SnoozeRow[]> {
  let q = db.selectFrom('snoozes').selectAll();
  if (opts.activeAt) q = q.where('until', '>', opts.activeAt);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

/** Ends a snooze now. `actor` is accepted for the API's audit log; the row itself is removed. */
export async function deleteSnooze(db: DbOrTx, id: number, _actor: string): Promise<SnoozeRow> {
  const row = await db.deleteFrom('snoozes').where('id', '=', id).returningAll().executeTakeFirst();
  if (!row) throw new SnoozeNotFoundError(id);
  return row;
}

/** `scope\0subject` of every subject snoozed at `at`. */
export async function activeSnoozedSubjects(db: DbOrTx, at: Date): Promise<Set<string>> {
  const rows = await db.selectFrom('snoozes').select(['scope', 'subject']).where('until', '>', at).execute();
  return new Set(rows.map((r) => `${r.scope}\u0000${r.subject}`));
}
