import { sql } from 'kysely';
import type { DbOrTx } from '../database';
import type { UserSeries } from '../../detection/series';
import { addDays, daysBetween } from '@cursor-cost-watch/contract';
import { loadFirstSeen } from './detection-members';
import { slideSeries } from './detection-series-slide';
import {
  finishInput,
  readSeries,
  seriesWindow,
  type FirstRows,
  type RowDays,
  type SeriesInput,
  type SeriesLoadOptions,
  type SeriesWindow,
} from './detection-series-set';

/** How a load was served: from scratch, or by re-reading the days collections may have changed since the last. */
export interface CacheLoad {
  full: boolean;
  /** The first day re-read (the window's first day on a full load); null when nothing had changed. */
  readFrom: string | null;
  /** Days the kept series moved forward (asOf later than the last load's, same settings); absent when it did not. */
  slid?: number;
}

interface Snapshot {
  key: string;
  window: SeriesWindow;
  weekdayAware: boolean;
  byEmail: Map<string, UserSeries>;
  firstRows: FirstRows;
  rowDays: RowDays;
  /** collection_runs of usage events: the last id seen, and those still running, when the snapshot was read. */
  lastRunId: number;
  runningIds: number[];
}

/**
 * Keeps the hourly pass's series between passes (issue #13): the rollups change only where a collection stored
 * events, and every collection records the window it read (collection_runs.window_start), so a pass re-reads the days
 * from the earliest window of the runs since its snapshot (an hourly run: yesterday or today) instead of the whole
 * history. On a new day (asOf later by fewer days than the window holds, same settings) the kept series slide forward
 * (detection-series-slide.ts) and the new days are read with those. The result equals loadSeriesInput's
 * (worker/test/detection/series-cache.test.ts). An earlier asOf, a jump past the window, other settings, or a run
 * reaching before the window or without one read everything again. Only for a database written by the collector:
 * rows written any other way are not seen until the next full read.
 */
export class DetectionSeriesCache {
  private snapshot: Snapshot | null = null;

  clear(): void {
    this.snapshot = null;
  }

  async load(db: DbOrTx, asOf: string, opts: SeriesLoadOptions): Promise<SeriesInput & { cache: CacheLoad }> {
    const window = seriesWindow(asOf, opts);
    const key = `${window.from}/${asOf}/${opts.weekdayAware}/${window.olderDays}`;
    // Read before the rollups, so a run that commits rows during this load counts as a change for the next one.
    const runs = await runMarks(db);
    const firstSeen = opts.firstSeen ?? (await loadFirstSeen(db, asOf));
    const prev = this.snapshot;
    const same = prev?.key === key;
    const shift = prev && !same ? slidable(prev, window, opts.weekdayAware) : 0;
    const base = same || shift > 0 ? prev : null;
    const changed = base ? await changedFrom(db, base, window) : window.from;
    // After a slide the days that came into the window are read too (their rows were not in the last window).
    const dirtyFrom = shift > 0 ? minDay(changed, addDays(base!.window.asOf, 1)) : changed;
    this.snapshot = null; // a load that fails half-way leaves nothing half-updated behind
    let snap: Snapshot | null = null;
    let users = 0;
    if (base && (dirtyFrom === null || dirtyFrom > window.from)) {
      if (shift === 0 || (await slideSeries(db, base.byEmail, base.firstRows, base.rowDays, shift))) snap = base;
    }
    if (snap) {
      snap.window = window;
      snap.key = key;
      if (dirtyFrom !== null) {
        forgetFrom(snap, window.days.indexOf(dirtyFrom));
        await readSeries(db, window, dirtyFrom, snap.byEmail, firstSeen, opts.chunkUsers, snap.firstRows, snap.rowDays);
      }
      for (const u of snap.byEmail.values()) if (snap.firstRows.has(u.cents)) users++;
    } else {
      snap = {
        key,
        window,
        weekdayAware: opts.weekdayAware,
        byEmail: new Map(),
        firstRows: new WeakMap(),
        rowDays: new WeakMap(),
        lastRunId: 0,
        runningIds: [],
      };
      users = await readSeries(
        db,
        window,
        window.from,
        snap.byEmail,
        firstSeen,
        opts.chunkUsers,
        snap.firstRows,
        snap.rowDays,
      );
    }
    for (const u of snap.byEmail.values()) u.firstSeenDay = firstSeen.get(u.email) ?? null;
    const input = await finishInput(db, window, snap.byEmail, users, opts);
    this.snapshot = { ...snap, lastRunId: runs.lastRunId, runningIds: runs.runningIds };
    const full = snap !== base;
    return {
      ...input,
      cache: { full, readFrom: full ? window.from : dirtyFrom, ...(!full && shift > 0 ? { slid: shift } : {}) },
    };
  }
}

/**
 * How many days the kept series can move forward to `window`: asOf later by fewer days than the window holds, the
 * same number of days, the same weekday setting. 0 when they cannot (read everything).
 */
function slidable(prev: Snapshot, window: SeriesWindow, weekdayAware: boolean): number {
  if (
    prev.weekdayAware !== weekdayAware ||
    prev.window.days.length !== window.days.length ||
    prev.window.olderDays !== window.olderDays
  )
    return 0;
  const shift = daysBetween(prev.window.asOf, window.asOf);
  return shift > 0 && shift < window.days.length ? shift : 0;
}

function minDay(a: string | null, b: string): string {
  return a !== null && a < b ? a : b;
}

async function runMarks(db: DbOrTx): Promise<{ lastRunId: number; runningIds: number[] }> {
  const { rows } = await sql<{ last: string | null; running: string[] | null }>`
    SELECT max(id)::text AS last, array_agg(id::text) FILTER (WHERE status = 'running') AS running
    FROM collection_runs WHERE endpoint LIKE 'usage_events%'`.execute(db);
  return { lastRunId: Number(rows[0]?.last ?? 0), runningIds: (rows[0]?.running ?? []).map(Number) };
}

/**
 * The first day of the window a usage-event collection may have changed since the snapshot: the earliest window start
 * of the runs begun since, or running then. Null when none reaches into the window; its first day when a run's window
 * is unknown.
 */
async function changedFrom(db: DbOrTx, prev: Snapshot, window: SeriesWindow): Promise<string | null> {
  const { rows } = await sql<{ runs: number; unknown: boolean; first: string | null }>`
    SELECT count(*)::int AS runs, bool_or(window_start IS NULL) AS unknown,
           to_char(min(window_start) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS first
    FROM collection_runs
    WHERE endpoint LIKE 'usage_events%' AND (id > ${prev.lastRunId} OR id = ANY(${prev.runningIds}::bigint[]))`.execute(
    db,
  );
  const r = rows[0];
  if (!r || r.runs === 0) return null;
  if (r.unknown || r.first === null || r.first < window.from) return window.from;
  return r.first > window.asOf ? null : r.first;
}

/**
 * Drops what the snapshot knows from `dirtyIdx` on, so re-reading those days gives what a full read would: values
 * zeroed, models and users whose first row lies there forgotten (a full read would meet them there, in that order).
 */
function forgetFrom(snap: Snapshot, dirtyIdx: number): void {
  const n = snap.window.days.length;
  for (const [email, u] of snap.byEmail) {
    if ((snap.firstRows.get(u) ?? n) >= dirtyIdx) {
      snap.byEmail.delete(email);
      continue;
    }
    if ((snap.firstRows.get(u.cents) ?? n) >= dirtyIdx) snap.firstRows.delete(u.cents);
    snap.rowDays.get(u.cents)?.fill(0, dirtyIdx);
    for (const a of [u.cents, u.events, u.tokens, u.headlessCents, u.maxModeCents]) a.fill(0, dirtyIdx);
    if (u.firstActive >= dirtyIdx) u.firstActive = n;
    for (const [model, m] of u.models) {
      if ((snap.firstRows.get(m) ?? n) >= dirtyIdx) u.models.delete(model);
      else {
        m.cents.fill(0, dirtyIdx);
        m.events.fill(0, dirtyIdx);
        snap.rowDays.get(m)?.fill(0, dirtyIdx);
      }
    }
  }
}
