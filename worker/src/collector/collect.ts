import { DAY_MS } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { Config } from '../config/config';
import type { Logger } from '../config/log';
import type { CursorClient } from '../cursor/client';
import { ADMIN_KEY_HELP } from '../cursor/preflight';
import type { DriftEntry } from '../cursor/drift';
import type { Db } from '../db/database';
import { CursorApiError } from '../cursor/errors';
import { splitRange } from '../cursor/client';
import { storeAuditEvents } from './store-audit';
import { isConnectionError } from '../db/reconnect';
import { quarantineEvents } from './quarantine';
import { ensureEventPartitions, storeUsageEvents } from './store-events';
import { storeAnalytics, storeBillingGroups, storeDailyUsage, storeMembers, storeSpend } from './store-reference';
import { recordGroupDays } from './store-group-days';
import {
  advanceWatermark,
  failAbandonedRuns,
  finishRun,
  getWatermark,
  newRunId,
  startRun,
  type Endpoint,
  type RunCounters,
} from './runs';

const HOUR_MS = 3_600_000;
/** Session-level advisory lock: one collection at a time per database, whichever process (worker or CLI) runs it. */
const COLLECT_LOCK = sql`hashtext('cursor-cost-watch:collect')`;
/** The Analytics API's documented maximum range. */
const ANALYTICS_MAX_DAYS = 30;

export interface CollectDeps {
  db: Db;
  client: CursorClient;
  log: Logger;
  config: Pick<Config, 'BACKFILL_DAYS' | 'RESTATE_DAYS'> & Partial<Pick<Config, 'EVENT_OVERLAP_HOURS'>>;
  signal?: AbortSignal;
}

export interface CollectOptions {
  trigger: string;
  now?: Date;
  /** Also re-read the events of the last RESTATE_DAYS days so restated prices land (costs API requests). */
  restateEvents?: boolean;
}

export interface CollectSummary {
  runId: string;
  /** Set when another collection held the lock: nothing was collected. */
  skipped?: string;
  members: number;
  dailyRows: number;
  spendRows: number;
  groups: number;
  auditEvents: number;
  analyticsRows: number;
  /** restated: events already stored whose price changed (row and rollups updated); refused: events quarantined
   * (unparseable, unstorable text, outside the window asked for). */
  events: { fetched: number; inserted: number; restated: number; duplicates: number; refused: number };
  requests: number;
  rateLimited: number;
  durationMs: number;
  errors: { endpoint: Endpoint; message: string }[];
  /** Answers that held more than, or other than, our reading of the docs: once per API endpoint and field. */
  drift: (DriftEntry & { collector: Endpoint })[];
  /** An endpoint failed because the database went away: the pass is worth running again once it is back. */
  databaseLost?: boolean;
}

const startOfUtcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * One collection pass over every endpoint. Each endpoint reads its window from its stored watermark minus an
 * overlap, so duplicate or missed triggers are harmless; data and watermark are written in one transaction. An
 * endpoint that fails is recorded and the others still run; the caller sees the failures in `errors`.
 */
export async function collectOnce(deps: CollectDeps, opts: CollectOptions): Promise<CollectSummary> {
  return deps.db.connection().execute(async (conn) => {
    const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${COLLECT_LOCK}) AS locked`.execute(conn);
    if (!lock.rows[0].locked) {
      deps.log.warn('another collection is running on this database: skipped');
      return { ...emptySummary(newRunId()), skipped: 'another collection is running' };
    }
    try {
      // Holding the lock, any run still marked running belongs to a process that died.
      const abandoned = await failAbandonedRuns(deps.db, 0);
      if (abandoned) deps.log.warn({ abandoned }, 'closed collection runs left open by a stopped process');
      return await collectLocked(deps, opts);
    } finally {
      await sql`SELECT pg_advisory_unlock(${COLLECT_LOCK})`.execute(conn).catch(() => {});
    }
  });
}

function emptySummary(runId: string): CollectSummary {
  return {
    runId,
    members: 0,
    dailyRows: 0,
    spendRows: 0,
    groups: 0,
    auditEvents: 0,
    analyticsRows: 0,
    events: { fetched: 0, inserted: 0, restated: 0, duplicates: 0, refused: 0 },
    requests: 0,
    rateLimited: 0,
    durationMs: 0,
    errors: [],
    drift: [],
  };
}

async function collectLocked(deps: CollectDeps, opts: CollectOptions): Promise<CollectSummary> {
  const { db, client, log } = deps;
  const started = Date.now();
  const now = (opts.now ?? new Date()).getTime();
  const runId = newRunId();
  const before = { ...client.stats };
  const summary = emptySummary(runId);

  /** Set once Cursor refuses the Admin API key: the other admin endpoints would only repeat the same 401. */
  let keyRefused: string | undefined;

  /** Records one endpoint's run in collection_runs, whatever happens. */
  const track = async (
    endpoint: Endpoint,
    window: { start?: number; end?: number },
    work: (c: RunCounters) => Promise<Date | null | void>,
  ) => {
    if (keyRefused && endpoint !== 'analytics') work = async () => Promise.reject(new Error(keyRefused));
    const t0 = Date.now();
    const statsBefore = { ...client.stats };
    client.drift.drain(); // drift belongs to the endpoint run that saw it
    const c: RunCounters = { pages: 0, rowsFetched: 0, rowsNew: 0, rowsUpdated: 0, rateLimited: 0, retries: 0 };
    const id = await startRun(db, {
      runId,
      endpoint,
      trigger: opts.trigger,
      windowStart: window.start !== undefined ? new Date(window.start) : undefined,
      windowEnd: window.end !== undefined ? new Date(window.end) : undefined,
    });
    const takeDrift = () => {
      const drift = client.drift.drain();
      summary.drift.push(...drift.map((d) => ({ ...d, collector: endpoint })));
      for (const d of drift)
        log.warn(
          { endpoint: d.endpoint, field: d.field, kind: d.kind, example: d.example, seen: d.count },
          'Cursor API schema drift: answer differs from the documented shape (collected anyway)',
        );
      return drift;
    };
    try {
      const watermark = await work(c);
      Object.assign(c, statsDelta(statsBefore, client.stats));
      await finishRun(db, id, t0, c, { watermark: watermark ?? null, drift: takeDrift() });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      Object.assign(c, statsDelta(statsBefore, client.stats));
      await finishRun(db, id, t0, c, { error: message, drift: takeDrift() }).catch(() => {});
      summary.errors.push({ endpoint, message });
      if (isConnectionError(err)) summary.databaseLost = true;
      if (keyRefused) {
        // already said once
      } else if (
        err instanceof CursorApiError &&
        (err.status === 401 || err.status === 403) &&
        endpoint !== 'analytics'
      ) {
        keyRefused = `skipped: Cursor refused the Admin API key (HTTP ${err.status})`;
        log.error(
          { endpoint, status: err.status },
          `Cursor refused the Admin API key in CURSOR_ADMIN_API_KEY (HTTP ${err.status}); the other endpoints are skipped. ${ADMIN_KEY_HELP}.`,
        );
      } else log.error({ endpoint, err: message }, 'collection of an endpoint failed');
      if (deps.signal?.aborted) throw err;
    }
  };

  await track('members', {}, async (c) => {
    const members = await client.members(deps.signal);
    const r = await storeMembers(db, members, new Date(now));
    Object.assign(c, { pages: 1, rowsFetched: members.length, rowsNew: r.inserted, rowsUpdated: r.updated });
    summary.members = members.length;
  });

  let cycleStart: number | null = null;
  await track('spend', {}, async (c) => {
    const spend = await client.spend(deps.signal);
    cycleStart = spend.cycleStart;
    const r = await storeSpend(db, spend.cycleStart, spend.rows);
    Object.assign(c, {
      pages: spend.pages,
      rowsFetched: spend.rows.length,
      rowsNew: r.inserted,
      rowsUpdated: r.updated,
    });
    summary.spendRows = spend.rows.length;
  });

  await track('billing_groups', {}, async (c) => {
    const cycle = cycleStart !== null ? isoDay(cycleStart) : undefined;
    const { groups, billingCycle } = await client.groups(cycle, deps.signal);
    const stated = billingCycle ?? (cycle ? { start: cycle, end: null } : null);
    const r = await db.transaction().execute(async (tx) => {
      const counts = await storeBillingGroups(tx, groups, stated);
      // Who is in which group today: chargeback attributes each day to that day's group.
      await recordGroupDays(tx, groups, isoDay(now), isoDay(now - deps.config.BACKFILL_DAYS * DAY_MS));
      return counts;
    });
    Object.assign(c, { pages: 1, rowsFetched: groups.length, rowsNew: r.inserted, rowsUpdated: r.updated });
    summary.groups = groups.length;
  });

  // Daily usage: restate the last RESTATE_DAYS days on every pass.
  const dailyWm = await getWatermark(db, 'daily_usage');
  const dailyStart = dailyWm
    ? startOfUtcDay(dailyWm.getTime()) - deps.config.RESTATE_DAYS * DAY_MS
    : startOfUtcDay(now) - deps.config.BACKFILL_DAYS * DAY_MS;
  await track('daily_usage', { start: dailyStart, end: now }, async (c) => {
    for await (const page of client.dailyUsage(dailyStart, now, deps.signal)) {
      await db.transaction().execute(async (tx) => {
        const r = await storeDailyUsage(tx, page.rows);
        c.pages++;
        c.rowsFetched += page.rows.length;
        c.rowsNew += r.inserted;
        c.rowsUpdated += r.updated;
        if (page.last) await advanceWatermark(tx, 'daily_usage', new Date(now));
      });
    }
    summary.dailyRows = c.rowsFetched;
    return new Date(now);
  });

  // Audit log (before the events, so a pass still ends with them): from its watermark minus a day (entries arrive
  // late too), in the API's 30-day windows. A key that may not read it (403, or 404 where the endpoint is absent)
  // is not a collection failure.
  const auditWm = await getWatermark(db, 'audit_logs');
  const auditStart = auditWm ? auditWm.getTime() - DAY_MS : startOfUtcDay(now) - deps.config.BACKFILL_DAYS * DAY_MS;
  await track('audit_logs', { start: auditStart, end: now }, async (c) => {
    try {
      for (const [s, e] of splitRange(auditStart, now, ANALYTICS_MAX_DAYS * DAY_MS)) {
        for await (const page of client.auditLogPages(s, e, deps.signal)) {
          await db.transaction().execute(async (tx) => {
            const inserted = await storeAuditEvents(tx, page.events);
            c.pages++;
            c.rowsFetched += page.events.length;
            c.rowsNew += inserted;
            summary.auditEvents += page.events.length;
            if (page.last) await advanceWatermark(tx, 'audit_logs', new Date(e));
          });
        }
      }
    } catch (err) {
      if (err instanceof CursorApiError && (err.status === 403 || err.status === 404)) {
        log.warn({ status: err.status }, 'the audit log is not available to this API key: skipped');
        return null;
      }
      throw err;
    }
    return new Date(now);
  });

  // Usage events, one UTC day at a time (progress is visible, and a crash loses at most one day's pages).
  const readEventDays = async (start: number, end: number, c: RunCounters, advance: boolean) => {
    await ensureEventPartitions(db, start, end); // DDL outside the page transactions
    const chunks: [number, number][] = [];
    for (let s = start; s <= end; s = startOfUtcDay(s) + DAY_MS)
      chunks.push([s, Math.min(end, startOfUtcDay(s) + DAY_MS - 1)]);
    let watermark: Date | null = null;
    for (const [i, [s, e]] of chunks.entries()) {
      let dayEvents = 0;
      for await (const page of client.usageEventPages(s, e, { signal: deps.signal })) {
        await db.transaction().execute(async (tx) => {
          const r = await storeUsageEvents(tx, page.events);
          const refused = await quarantineEvents(tx, 'usage_events', { start: s, end: e }, page.refused);
          c.rowsRefused = (c.rowsRefused ?? 0) + refused;
          summary.events.refused += refused;
          c.pages++;
          c.rowsFetched += page.events.length + refused;
          c.rowsNew += r.inserted;
          c.rowsUpdated += r.restated;
          summary.events.fetched += page.events.length;
          summary.events.inserted += r.inserted;
          summary.events.restated += r.restated;
          summary.events.duplicates += r.duplicates;
          if (advance && page.last) await advanceWatermark(tx, 'usage_events', new Date(e));
        });
        dayEvents += page.events.length;
      }
      watermark = new Date(e);
      if (chunks.length > 2) {
        log.info(
          { day: isoDay(s), chunk: `${i + 1}/${chunks.length}`, events: dayEvents },
          'backfill: usage events collected',
        );
      }
    }
    return watermark;
  };
  const eventWm = await getWatermark(db, 'usage_events');
  const overlapMs = (deps.config.EVENT_OVERLAP_HOURS ?? 6) * HOUR_MS;
  const eventStart = eventWm ? eventWm.getTime() - overlapMs : startOfUtcDay(now) - deps.config.BACKFILL_DAYS * DAY_MS;
  // Cursor restates the price of recent events: on request, the last RESTATE_DAYS days before the regular window
  // are read again (a run of its own, so its API cost shows in collection_runs). The watermark does not move.
  const restateStart = startOfUtcDay(now) - deps.config.RESTATE_DAYS * DAY_MS;
  if (opts.restateEvents && eventWm && restateStart < eventStart) {
    await track('usage_events_restate', { start: restateStart, end: eventStart - 1 }, async (c) => {
      await readEventDays(restateStart, eventStart - 1, c, false);
    });
  }
  await track('usage_events', { start: eventStart, end: now }, (c) => readEventDays(eventStart, now, c, true));

  if (client.hasAnalytics) {
    const wm = await getWatermark(db, 'analytics');
    // Re-read yesterday (restated), never more than the API's 30-day range: older gaps are out of its reach.
    const oldest = startOfUtcDay(now) - (ANALYTICS_MAX_DAYS - 1) * DAY_MS;
    const start = Math.max(
      oldest,
      wm ? startOfUtcDay(wm.getTime()) - DAY_MS : startOfUtcDay(now) - deps.config.BACKFILL_DAYS * DAY_MS,
    );
    await track('analytics', { start, end: now }, async (c) => {
      const [dau, models] = await Promise.all([
        client.analyticsDau(isoDay(start), isoDay(now), deps.signal),
        client.analyticsModels(isoDay(start), isoDay(now), deps.signal),
      ]);
      await db.transaction().execute(async (tx) => {
        summary.analyticsRows = await storeAnalytics(tx, dau, models);
        await advanceWatermark(tx, 'analytics', new Date(now));
      });
      Object.assign(c, { pages: 2, rowsFetched: summary.analyticsRows, rowsUpdated: summary.analyticsRows });
      return new Date(now);
    });
  }

  const delta = statsDelta(before, client.stats);
  summary.requests = client.stats.requests - before.requests;
  summary.rateLimited = delta.rateLimited;
  summary.durationMs = Date.now() - started;
  return summary;
}

function statsDelta(a: CursorClient['stats'], b: CursorClient['stats']) {
  return { rateLimited: b.rateLimited - a.rateLimited, retries: b.retries - a.retries };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** `members 87 · daily rows 2,610 · spend rows 87 · events 12,847 (new 12,801, already stored 46) · 4.2 s` */
export function formatSummary(s: CollectSummary): string {
  if (s.skipped) return `skipped: ${s.skipped}`;
  const parts = [
    `members ${fmt(s.members)}`,
    `daily rows ${fmt(s.dailyRows)}`,
    `spend rows ${fmt(s.spendRows)}`,
    `groups ${fmt(s.groups)}`,
    `audit events ${fmt(s.auditEvents)}`,
    `events ${fmt(s.events.fetched)} (new ${fmt(s.events.inserted)}, ${s.events.restated ? `restated ${fmt(s.events.restated)}, ` : ''}already stored ${fmt(s.events.duplicates)}${s.events.refused ? `, quarantined ${fmt(s.events.refused)}` : ''})`,
  ];
  if (s.analyticsRows) parts.push(`analytics rows ${fmt(s.analyticsRows)}`);
  parts.push(`${(s.durationMs / 1000).toFixed(1)} s`);
  let line = parts.join(' · ');
  if (s.rateLimited) line += ` · ${s.rateLimited} rate-limited answers`;
  for (const e of s.errors) line += `\n  FAILED ${e.endpoint}: ${e.message}`;
  if (s.drift.length) {
    line += `\n  WARNING schema drift in ${s.drift.length} field(s): collected anyway, details in collection_runs.drift`;
    for (const d of s.drift) line += `\n    ${d.endpoint} ${d.field}: ${d.kind} (${d.message}), e.g. ${d.example}`;
  }
  return line;
}
