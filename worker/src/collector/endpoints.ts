import { DAY_MS } from '@cursor-cost-watch/contract';
import { splitRange } from '../cursor/client';
import { CursorApiError } from '../cursor/errors';
import { recordRun, type CollectPass } from './pass';
import { quarantineEvents } from './quarantine';
import { advanceWatermark, getWatermark, type RunCounters } from './runs';
import { storeAuditEvents } from './store-audit';
import { flushPendingRollups } from './rollup-pending';
import { ensureEventPartitions, storeEventPages } from './store-events';
import { recordGroupDays } from './store-group-days';
import { storeAnalytics, storeBillingGroups, storeDailyUsage, storeMembers, storeSpend } from './store-reference';

/** One function per Cursor endpoint, each recorded as its own run (pass.ts, recordRun); collect.ts calls them in order. */

const HOUR_MS = 3_600_000;
/** The Analytics API's documented maximum range. */
const ANALYTICS_MAX_DAYS = 30;

const startOfUtcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Where an endpoint with no watermark yet starts: BACKFILL_DAYS before today. */
const backfillStart = (pass: CollectPass) => startOfUtcDay(pass.now) - pass.deps.config.BACKFILL_DAYS * DAY_MS;

export async function collectMembers(pass: CollectPass): Promise<void> {
  const { db, client, signal } = pass.deps;
  await recordRun(pass, 'members', {}, async (c) => {
    const members = await client.members(signal);
    const r = await storeMembers(db, members, new Date(pass.now));
    Object.assign(c, { pages: 1, rowsFetched: members.length, rowsNew: r.inserted, rowsUpdated: r.updated });
    pass.summary.members = members.length;
  });
}

/** Resolves to the billing cycle's start (ms), or null when the spend endpoint failed. */
export async function collectSpend(pass: CollectPass): Promise<number | null> {
  const { db, client, signal } = pass.deps;
  let cycleStart: number | null = null;
  await recordRun(pass, 'spend', {}, async (c) => {
    const spend = await client.spend(signal);
    cycleStart = spend.cycleStart;
    const r = await storeSpend(db, spend.cycleStart, spend.rows);
    Object.assign(c, {
      pages: spend.pages,
      rowsFetched: spend.rows.length,
      rowsNew: r.inserted,
      rowsUpdated: r.updated,
    });
    pass.summary.spendRows = spend.rows.length;
  });
  return cycleStart;
}

export async function collectBillingGroups(pass: CollectPass, cycleStart: number | null): Promise<void> {
  const { db, client, signal, config } = pass.deps;
  const now = pass.now;
  await recordRun(pass, 'billing_groups', {}, async (c) => {
    const cycle = cycleStart !== null ? isoDay(cycleStart) : undefined;
    const { groups, billingCycle } = await client.groups(cycle, signal);
    const stated = billingCycle ?? (cycle ? { start: cycle, end: null } : null);
    const r = await db.transaction().execute(async (tx) => {
      const counts = await storeBillingGroups(tx, groups, stated);
      // Who is in which group today: chargeback attributes each day to that day's group.
      await recordGroupDays(tx, groups, isoDay(now), isoDay(now - config.BACKFILL_DAYS * DAY_MS));
      return counts;
    });
    Object.assign(c, { pages: 1, rowsFetched: groups.length, rowsNew: r.inserted, rowsUpdated: r.updated });
    pass.summary.groups = groups.length;
  });
}

/** Daily usage: restate the last RESTATE_DAYS days on every pass. */
export async function collectDailyUsage(pass: CollectPass): Promise<void> {
  const { db, client, signal, config } = pass.deps;
  const now = pass.now;
  const dailyWm = await getWatermark(db, 'daily_usage');
  const start = dailyWm ? startOfUtcDay(dailyWm.getTime()) - config.RESTATE_DAYS * DAY_MS : backfillStart(pass);
  await recordRun(pass, 'daily_usage', { start, end: now }, async (c) => {
    for await (const page of client.dailyUsage(start, now, signal)) {
      await db.transaction().execute(async (tx) => {
        const r = await storeDailyUsage(tx, page.rows);
        c.pages++;
        c.rowsFetched += page.rows.length;
        c.rowsNew += r.inserted;
        c.rowsUpdated += r.updated;
        if (page.last) await advanceWatermark(tx, 'daily_usage', new Date(now));
      });
    }
    pass.summary.dailyRows = c.rowsFetched;
    return new Date(now);
  });
}

/**
 * Audit log: from its watermark minus a day (entries arrive late too), in the API's 30-day windows. A key that may
 * not read it (403, or 404 where the endpoint is absent) is not a collection failure.
 */
export async function collectAuditLogs(pass: CollectPass): Promise<void> {
  const { db, client, signal, log } = pass.deps;
  const now = pass.now;
  const auditWm = await getWatermark(db, 'audit_logs');
  const start = auditWm ? auditWm.getTime() - DAY_MS : backfillStart(pass);
  await recordRun(pass, 'audit_logs', { start, end: now }, async (c) => {
    try {
      for (const [s, e] of splitRange(start, now, ANALYTICS_MAX_DAYS * DAY_MS)) {
        for await (const page of client.auditLogPages(s, e, signal)) {
          await db.transaction().execute(async (tx) => {
            const inserted = await storeAuditEvents(tx, page.events);
            c.pages++;
            c.rowsFetched += page.events.length;
            c.rowsNew += inserted;
            pass.summary.auditEvents += page.events.length;
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
}

/**
 * Usage events from their watermark minus EVENT_OVERLAP_HOURS. Cursor restates the price of recent events: on
 * request, the last RESTATE_DAYS days before the regular window are read again (a run of its own, so its API cost
 * shows in collection_runs; the watermark does not move).
 */
export async function collectUsageEvents(pass: CollectPass, restateEvents: boolean): Promise<void> {
  const { db, config } = pass.deps;
  const now = pass.now;
  const eventWm = await getWatermark(db, 'usage_events');
  const overlapMs = (config.EVENT_OVERLAP_HOURS ?? 6) * HOUR_MS;
  const start = eventWm ? eventWm.getTime() - overlapMs : backfillStart(pass);
  const restateStart = startOfUtcDay(now) - config.RESTATE_DAYS * DAY_MS;
  await flushPendingRollups(db); // what a crashed pass stored and did not get to
  if (restateEvents && eventWm && restateStart < start) {
    await recordRun(pass, 'usage_events_restate', { start: restateStart, end: start - 1 }, async (c) => {
      await readEventDays(pass, restateStart, start - 1, c, false);
    });
  }
  await recordRun(pass, 'usage_events', { start, end: now }, (c) => readEventDays(pass, start, now, c, true));
}

/** Usage events, one UTC day at a time (progress is visible, and a crash loses at most one day's pages). */
async function readEventDays(
  pass: CollectPass,
  start: number,
  end: number,
  c: RunCounters,
  advance: boolean,
): Promise<Date | null> {
  const { db, client, signal, log } = pass.deps;
  const summary = pass.summary;
  await ensureEventPartitions(db, start, end); // DDL outside the page transactions
  const chunks: [number, number][] = [];
  for (let s = start; s <= end; s = startOfUtcDay(s) + DAY_MS)
    chunks.push([s, Math.min(end, startOfUtcDay(s) + DAY_MS - 1)]);
  let watermark: Date | null = null;
  for (const [i, [s, e]] of chunks.entries()) {
    let dayEvents = 0;
    // The next page is requested while this one is stored (storeEventPages); aborted if the day stops early.
    const stop = new AbortController();
    try {
      const pages = client.usageEventPages(s, e, {
        signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal,
      });
      await storeEventPages(db, pages, async (tx, r, page) => {
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
        dayEvents += page.events.length;
      });
    } finally {
      stop.abort();
    }
    await flushPendingRollups(db); // the day's rollups, once its pages are in
    watermark = new Date(e);
    if (chunks.length > 2) {
      log.info(
        { day: isoDay(s), chunk: `${i + 1}/${chunks.length}`, events: dayEvents },
        'backfill: usage events collected',
      );
    }
  }
  return watermark;
}

/** Analytics: re-read yesterday (restated), never more than the API's 30-day range (older gaps are out of its reach). */
export async function collectAnalytics(pass: CollectPass): Promise<void> {
  const { db, client, signal } = pass.deps;
  const now = pass.now;
  const wm = await getWatermark(db, 'analytics');
  const oldest = startOfUtcDay(now) - (ANALYTICS_MAX_DAYS - 1) * DAY_MS;
  const start = Math.max(oldest, wm ? startOfUtcDay(wm.getTime()) - DAY_MS : backfillStart(pass));
  await recordRun(pass, 'analytics', { start, end: now }, async (c) => {
    const [dau, models] = await Promise.all([
      client.analyticsDau(isoDay(start), isoDay(now), signal),
      client.analyticsModels(isoDay(start), isoDay(now), signal),
    ]);
    await db.transaction().execute(async (tx) => {
      pass.summary.analyticsRows = await storeAnalytics(tx, dau, models);
      await advanceWatermark(tx, 'analytics', new Date(now));
    });
    Object.assign(c, { pages: 2, rowsFetched: pass.summary.analyticsRows, rowsUpdated: pass.summary.analyticsRows });
    return new Date(now);
  });
}
