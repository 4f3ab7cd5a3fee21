import { sql } from 'kysely';
import type { DbOrTx } from '../database';
import type { CycleSpend } from '../../detection/input';
import { DetectionInputError } from '../../detection/input';
import {
  emptyModelSeries,
  emptyUserSeries,
  olderSpend,
  seriesDays,
  seriesSet,
  type SeriesSet,
  type UserSeries,
} from '../../detection/series';
import { loadCycleSpend, loadFirstSeen } from './detection-members';
import { addDays, isDay, toDay } from '@cursor-cost-watch/contract';

/** Users read per round trip: bounds the JSON held at once (and so the pass's peak memory) whatever the team size. */
const CHUNK_USERS = 1_000;

export interface SeriesInput {
  asOf: string;
  series: SeriesSet;
  cycleSpend: CycleSpend[];
  partialDay: boolean;
  /** Developers with a day in user_daily_rollup in the window. */
  users: number;
}

export interface SeriesLoadOptions {
  /** Days of history up to and including asOf: historyDays(settings). */
  days: number;
  /** Days before those whose spend is read into UserSeries.olderLog: olderDays(settings). */
  olderDays?: number;
  weekdayAware: boolean;
  now?: Date;
  /** Users per round trip (default CHUNK_USERS). */
  chunkUsers?: number;
  /** Already read (a backtest replaying many days reads them once): each developer's first-seen day, the cycles. */
  firstSeen?: Map<string, string | null>;
  cycleSpend?: CycleSpend[];
}

/**
 * What loadDetectionInput + buildSeries give, straight from the rollups into each user's dense arrays: one JSON row
 * per user (days as offsets into the window), read in chunks of users along the primary keys, never one object per
 * row. Same values (json numbers parse to the doubles pool.ts's text parsers give), same users, and each user's models
 * in the order buildSeries met them (first day, then model under the database's collation).
 */
export async function loadSeriesInput(db: DbOrTx, asOf: string, opts: SeriesLoadOptions): Promise<SeriesInput> {
  const window = seriesWindow(asOf, opts);
  const firstSeen = opts.firstSeen ?? (await loadFirstSeen(db, asOf));
  const byEmail = new Map<string, UserSeries>();
  const users = await readSeries(db, window, window.from, byEmail, firstSeen, opts.chunkUsers);
  return finishInput(db, window, byEmail, users, opts);
}

/** The days one load covers: `opts.days` days up to and including asOf. */
export interface SeriesWindow {
  asOf: string;
  from: string;
  days: string[];
  dayClass: Uint8Array;
  /** Days before `from` kept in UserSeries.olderLog. */
  olderDays: number;
}

export function seriesWindow(
  asOf: string,
  opts: Pick<SeriesLoadOptions, 'days' | 'weekdayAware' | 'olderDays'>,
): SeriesWindow {
  if (!isDay(asOf)) throw new DetectionInputError(`asOf "${asOf}" must be a day as YYYY-MM-DD`);
  const from = addDays(asOf, -(opts.days - 1));
  return { asOf, from, ...seriesDays(from, asOf, opts.weekdayAware), olderDays: opts.olderDays ?? 0 };
}

/**
 * Where things first have a row in the window (a row may carry zeros, so values cannot tell): a user's first row of
 * either rollup, a user's first user-day row (keyed by the user's cents array), a model's first row.
 */
export type FirstRows = WeakMap<object, number>;

/**
 * Which days of the window have a row, keyed like FirstRows (a user's cents array: user-day rows; a model: its rows):
 * what a kept series needs to know where things first have a row once older days leave the window.
 */
export type RowDays = WeakMap<object, Uint8Array>;

/**
 * Reads the rollups from `readFrom` to asOf into `byEmail` (users created as met, arrays indexed from window.from),
 * noting where users and models first have rows in `firstRows`. Returns how many users had a user-day row there.
 * UserSeries.olderLog is read with a read of the whole window, and for the users a later read creates (as buildSeries
 * does: only for users with a row in the window).
 */
export async function readSeries(
  db: DbOrTx,
  window: SeriesWindow,
  readFrom: string,
  byEmail: Map<string, UserSeries>,
  firstSeen: Map<string, string | null>,
  chunkUsers = CHUNK_USERS,
  firstRows?: FirstRows,
  rowDays?: RowDays,
): Promise<number> {
  const { from, asOf, olderDays } = window;
  const n = window.days.length;
  let users = 0;
  const days = rowDays && ((key: object) => rowDaysOf(rowDays, key, n));
  const whole = readFrom === from;
  const created: string[] = [];
  const user = (email: string, offsets: number[]): UserSeries => {
    checkEmail(email, from);
    let u = byEmail.get(email);
    if (!u) {
      byEmail.set(email, (u = emptyUserSeries(email, firstSeen.get(email) ?? null, n, olderDays)));
      created.push(email);
    }
    if (firstRows) firstRows.set(u, Math.min(firstRows.get(u) ?? n, ...offsets));
    return u;
  };
  // A read of the whole window takes the older days in the same scan (their offsets are negative).
  const range = { from, readFrom, to: asOf };
  const dayRange = { ...range, readFrom: whole ? addDays(from, -olderDays) : readFrom };
  const olderOnly: UserDayRow[] = [];
  let after: string | null = null;
  let next = inFlight(userDayChunk(db, dayRange, after, chunkUsers));
  for (;;) {
    const chunk = await next;
    const last = chunk.length === chunkUsers ? chunk[chunk.length - 1].email : null;
    // The next chunk's days are read while this chunk's models are (two connections, two PostgreSQL backends).
    if (last !== null) next = inFlight(userDayChunk(db, dayRange, last, chunkUsers));
    const models = inFlight(userModelChunk(db, range, after, last));
    for (const row of chunk) {
      const inWindow = row.c[0].filter((i) => i >= 0);
      if (inWindow.length === 0) {
        olderOnly.push(row); // a user with rows before the window only: theirs if a model row brings them in
        continue;
      }
      const u = user(row.email, inWindow);
      if (firstRows) firstRows.set(u.cents, Math.min(firstRows.get(u.cents) ?? n, ...inWindow));
      if (days) {
        const had = days(u.cents);
        for (const i of inWindow) had[i] = 1;
      }
      addUserDays(u, row, from, asOf);
      users++;
    }
    for (const row of await models) addUserModels(user(row.email, row.m[1]), row, from, firstRows, days);
    for (const row of olderOnly) {
      const u = byEmail.get(row.email);
      if (u) addUserDays(u, row, from, asOf);
    }
    olderOnly.length = 0;
    if (last === null) break;
    after = last;
  }
  if (!whole && olderDays > 0 && created.length > 0) await readOlder(db, window, created, byEmail);
  return users;
}

/** The older days (UserSeries.olderLog) of users a read after the window's first day created. */
async function readOlder(db: DbOrTx, window: SeriesWindow, emails: string[], byEmail: Map<string, UserSeries>) {
  const { from, olderDays } = window;
  const { rows } = await sql<UserDayRow>`
    SELECT ${userDayColumns(from)}
    FROM user_daily_rollup
    WHERE user_email = ANY(${emails}::text[]) AND day >= ${addDays(from, -olderDays)} AND day < ${from}
    GROUP BY user_email`.execute(db);
  for (const row of rows) addUserDays(byEmail.get(row.email)!, row, from, window.asOf);
}

/** The input around series read into `byEmail`: cycle spend (unless given), whether asOf is still running. */
export async function finishInput(
  db: DbOrTx,
  window: SeriesWindow,
  byEmail: Map<string, UserSeries>,
  users: number,
  opts: Pick<SeriesLoadOptions, 'now' | 'cycleSpend'>,
): Promise<SeriesInput> {
  const cycleSpend = opts.cycleSpend ?? (await loadCycleSpend(db, `${addDays(window.asOf, 1)}T00:00:00.000Z`, false));
  const now = opts.now ?? new Date();
  return {
    asOf: window.asOf,
    series: seriesSet(window.days, window.dayClass, [...byEmail.values()]),
    cycleSpend,
    partialDay: window.asOf === toDay(now.getTime()),
    users,
  };
}

/**
 * A read started ahead of its await. When the pass stops early (the database went away, a bad row), nobody awaits it:
 * without a handler its rejection would be an unhandled rejection, which ends the process instead of letting the
 * pass be retried. Awaiting it still throws.
 */
function inFlight<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

interface UserDayRow {
  email: string;
  /** day offsets, events, charged cents, tokens, max-mode cents, headless cents */
  c: [number[], number[], number[], number[], number[], number[]];
  /** The least of the columns detection validates but does not use (requests_costs, max_mode_events, headless_events). */
  floor: number;
}

interface UserModelRow {
  email: string;
  /** models, day offsets, events, charged cents: ordered by day then model, the order buildSeries met them */
  m: [string[], number[], number[], number[]];
  /** The least of this user's model-day token sums (validated, not used). */
  floor: number;
}

/** Offsets count from `from`; rows are read from `readFrom` to `to`. */
interface ReadRange {
  from: string;
  readFrom: string;
  to: string;
}

/** A UserDayRow's columns: one row per user, days as offsets from `from` (negative before it). */
function userDayColumns(from: string) {
  return sql`user_email AS email,
    json_build_array(json_agg(day - ${from}::date), json_agg(events), json_agg(charged_cents),
      json_agg(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens),
      json_agg(max_mode_cents), json_agg(headless_cents)) AS c,
    min(least(requests_costs, max_mode_events, headless_events))::float8 AS floor`;
}

function userDayChunk(
  db: DbOrTx,
  { from, readFrom, to }: ReadRange,
  after: string | null,
  size: number,
): Promise<UserDayRow[]> {
  return sql<UserDayRow>`
    SELECT ${userDayColumns(from)}
    FROM user_daily_rollup
    WHERE day >= ${readFrom} AND day <= ${to} ${after === null ? sql`` : sql`AND user_email > ${after}`}
    GROUP BY user_email ORDER BY user_email LIMIT ${size}`
    .execute(db)
    .then((r) => r.rows);
}

function userModelChunk(
  db: DbOrTx,
  { from, readFrom, to }: ReadRange,
  after: string | null,
  upTo: string | null,
): Promise<UserModelRow[]> {
  // Ordered like the primary key (user_email, day, model), so an index scan feeds the aggregates without a sort.
  return sql<UserModelRow>`
    SELECT user_email AS email,
           json_build_array(json_agg(model ORDER BY day, model), json_agg(day - ${from}::date ORDER BY day, model),
             json_agg(events ORDER BY day, model), json_agg(charged_cents ORDER BY day, model)) AS m,
           min(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens)::float8 AS floor
    FROM user_model_daily_rollup
    WHERE day >= ${readFrom} AND day <= ${to}
      ${after === null ? sql`` : sql`AND user_email > ${after}`} ${upTo === null ? sql`` : sql`AND user_email <= ${upTo}`}
    GROUP BY user_email`
    .execute(db)
    .then((r) => r.rows);
}

function checkEmail(email: string, from: string): string {
  if (!email) throw new DetectionInputError(`email is empty for a row from ${from} on: every rollup row needs one`);
  return email;
}

/** Checks what validateInput checks: finite, not negative (the message names the user, the day and the field). */
function checked(value: number, field: string, email: string, from: string, offset: number, kind: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new DetectionInputError(
      `${field} is ${String(value)} for ${email} on ${addDays(from, offset)} (${kind}): must be a finite number, not negative`,
    );
  return value;
}

function addUserDays(u: UserSeries, row: UserDayRow, from: string, asOf: string): void {
  const [offsets, events, cents, tokens, maxMode, headless] = row.c;
  if (row.floor < 0)
    throw new DetectionInputError(
      `requests_costs, max_mode_events or headless_events is negative for ${u.email} between ${from} and ${asOf} (user day): must not be negative`,
    );
  const olderLen = u.olderLog.length;
  for (let k = 0; k < offsets.length; k++) {
    const i = offsets[k];
    const where = (v: number, f: string) => checked(v, f, u.email, from, i, 'user day');
    const e = where(events[k], 'events');
    if (i < 0) {
      // a day before the window (UserSeries.olderLog; one row per developer and day in the rollup): validated as the
      // window's days are, for the developers kept (a developer with rows before the window only is not read)
      where(tokens[k], 'totalTokens');
      where(maxMode[k], 'maxModeCents');
      where(headless[k], 'headlessCents');
      u.olderLog[i + olderLen] = olderSpend(where(cents[k], 'chargedCents'), e);
      continue;
    }
    if (e > 0 && i < u.firstActive) u.firstActive = i;
    u.events[i] += e;
    u.cents[i] += where(cents[k], 'chargedCents');
    u.tokens[i] += where(tokens[k], 'totalTokens');
    u.maxModeCents[i] += where(maxMode[k], 'maxModeCents');
    u.headlessCents[i] += where(headless[k], 'headlessCents');
  }
}

function rowDaysOf(rowDays: RowDays, key: object, n: number): Uint8Array {
  let days = rowDays.get(key);
  if (!days) rowDays.set(key, (days = new Uint8Array(n)));
  return days;
}

function addUserModels(
  u: UserSeries,
  row: UserModelRow,
  from: string,
  firstRows?: FirstRows,
  rowDaysOf?: (key: object) => Uint8Array,
): void {
  const n = u.cents.length;
  if (row.floor < 0)
    throw new DetectionInputError(
      `totalTokens is negative for ${u.email} from ${from} on (user model day): must not be negative`,
    );
  const [models, offsets, events, cents] = row.m;
  for (let k = 0; k < models.length; k++) {
    const model = models[k];
    if (!model) throw new DetectionInputError(`model is empty for ${u.email} from ${from} on (user model day)`);
    let m = u.models.get(model);
    const i = offsets[k];
    if (!m) {
      u.models.set(model, (m = emptyModelSeries(n)));
      firstRows?.set(m, i);
    }
    if (rowDaysOf) rowDaysOf(m)[i] = 1;
    m.cents[i] += checked(cents[k], 'chargedCents', u.email, from, i, `model ${model}`);
    m.events[i] += checked(events[k], 'events', u.email, from, i, `model ${model}`);
  }
}
