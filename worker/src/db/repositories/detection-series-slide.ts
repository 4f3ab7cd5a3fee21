import { sql } from 'kysely';
import type { DbOrTx } from '../database';
import { olderSpend, type ModelSeries, type UserSeries } from '../../detection/series';
import type { FirstRows, RowDays } from './detection-series-set';

/**
 * Moves kept series `shift` days forward in place (issue #13: the first pass of a new day): each array drops its first
 * `shift` days and ends with `shift` zeroed days, to be read; the spend of the days dropped moves into
 * UserSeries.olderLog. What a full read of the new window would note is
 * rebuilt from the days with rows (`rowDays`): where each user and model first has a row, firstActive; users and
 * models left without a row are dropped, and a user whose model first had a row on a day that left gets its models
 * re-ordered as a full read meets them (first day with a row, then model under the database's collation).
 * Returns false, having changed nothing, when something kept has no record of its days (it cannot be proven equal).
 */
export async function slideSeries(
  db: DbOrTx,
  byEmail: Map<string, UserSeries>,
  firstRows: FirstRows,
  rowDays: RowDays,
  shift: number,
): Promise<boolean> {
  for (const u of byEmail.values()) {
    if (!rowDays.has(u.cents) && u.models.size === 0) return false;
    for (const m of u.models.values()) if (!rowDays.has(m)) return false;
  }
  const reorder: UserSeries[] = [];
  for (const [email, u] of byEmail) {
    const n = u.cents.length;
    slideOlder(u, shift);
    for (const a of [u.cents, u.events, u.tokens, u.headlessCents, u.maxModeCents]) shiftLeft(a, shift);
    u.firstActive = firstAbove(u.events);
    let first = slideRows(u.cents, firstRows, rowDays, shift, n);
    let moved = false;
    for (const [model, m] of u.models) {
      moved ||= (firstRows.get(m) ?? n) < shift;
      shiftLeft(m.cents, shift);
      shiftLeft(m.events, shift);
      const at = slideRows(m, firstRows, rowDays, shift, n);
      if (at === n) u.models.delete(model);
      first = Math.min(first, at);
    }
    if (first === n) {
      byEmail.delete(email);
      continue;
    }
    firstRows.set(u, first);
    if (moved && u.models.size > 1) reorder.push(u);
  }
  if (reorder.length > 0) {
    const rank = await collationRanks(db, [...new Set(reorder.flatMap((u) => [...u.models.keys()]))]);
    for (const u of reorder) {
      const first = (m: ModelSeries) => firstRows.get(m)!;
      const sorted = [...u.models].sort(([a, ma], [b, mb]) => first(ma) - first(mb) || rank.get(a)! - rank.get(b)!);
      u.models = new Map(sorted);
    }
  }
  return true;
}

/** The days that leave the window (its first `shift`) become the last of the days before it (UserSeries.olderLog). */
function slideOlder(u: UserSeries, shift: number): void {
  const older = u.olderLog;
  const len = older.length;
  if (len === 0) return;
  older.copyWithin(0, Math.min(shift, len));
  for (let i = Math.max(0, shift - len); i < shift; i++) older[len - shift + i] = olderSpend(u.cents[i], u.events[i]);
}

function shiftLeft(a: Float64Array | Float32Array | Uint8Array, shift: number): void {
  a.copyWithin(0, shift);
  a.fill(0, a.length - shift);
}

/** The first index with a value above zero, or the length (what firstActive is when no day had events). */
function firstAbove(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] > 0) return i;
  return a.length;
}

/** Shifts `key`'s days with rows, notes where it first has one now (n when none: forgotten), and returns that. */
function slideRows(key: object, firstRows: FirstRows, rowDays: RowDays, shift: number, n: number): number {
  const had = rowDays.get(key);
  if (!had) return n;
  shiftLeft(had, shift);
  const at = had.indexOf(1);
  if (at < 0) {
    firstRows.delete(key);
    rowDays.delete(key);
    return n;
  }
  firstRows.set(key, at);
  return at;
}

/** Each name's place under the database's default collation (the order `ORDER BY model` in the loader gives). */
async function collationRanks(db: DbOrTx, names: string[]): Promise<Map<string, number>> {
  const { rows } = await sql<{ m: string }>`SELECT m FROM unnest(${names}::text[]) AS m ORDER BY m`.execute(db);
  return new Map(rows.map((r, i) => [r.m, i]));
}
