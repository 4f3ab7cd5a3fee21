import { DAY_MS, toDay } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';
import { getSettings } from '../settings';
import type { Severity } from '../db/schema/detection';

/** Open incidents listed one per line; the rest are counted. */
export const REPORT_MAX_INCIDENTS = 10;

/** What one collection pass (and the detection after it) left: the terminal's summary block, as data. */
export interface RunReport {
  at: string;
  trigger: string;
  runId: string;
  /** Per endpoint: rows read from Cursor, of which new or changed, refused; the window asked for; any error. */
  collected: Array<{
    endpoint: string;
    status: string;
    rows: number;
    new: number;
    updated: number;
    refused: number;
    windowStart: string | null;
    windowEnd: string | null;
    error: string | null;
  }>;
  /** The usage events part, the one everything stands on. */
  events: { fetched: number; new: number; alreadyStored: number; windowStart: string | null; windowEnd: string | null };
  cycle: {
    start: string;
    end: string;
    spentCents: number;
    /** Dollars a day over the last seven complete days. */
    paceCentsPerDay: number;
    forecastCents: number;
    budgetCents: number | null;
  };
  openIncidents: {
    total: number;
    shown: Array<{
      id: number;
      severity: Severity;
      status: string;
      scope: string;
      subject: string;
      detector: string;
      impactCents: number;
      onsetAt: string;
    }>;
  };
  next: { api: string; grafana: string; grafanaConfigured: boolean; compose: string };
}

export interface RunReportContext {
  runId: string;
  trigger: string;
  now: Date;
  apiUrl: string;
  grafanaUrl: string;
  /** GRAFANA_URL was set by the user (else it is the compose stack's default address). */
  grafanaConfigured: boolean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The cycle's spend and forecast the way the overview dashboard computes them (provisioning/dashboards/json/
 * cursor-overview.json, panel "Billing cycle: spent, forecast, budget"): the cycle Cursor reports, else the calendar
 * month; spent since its start; pace = the last seven complete days / 7; forecast = spent + pace × days left.
 */
async function cycleForecast(db: DbOrTx, now: Date): Promise<RunReport['cycle']> {
  const latest = await db
    .selectFrom('member_spend')
    .select((eb) => eb.fn.max('cycle_start').as('c'))
    .executeTakeFirst();
  const start = latest?.c ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(
    Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), start.getUTCHours()),
  );
  const today = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const day = (d: Date) => toDay(d.getTime());
  const row = await db
    .selectFrom('user_daily_rollup')
    .select([
      sql<string>`coalesce(sum(charged_cents) FILTER (WHERE day >= ${day(start)}::date), 0)`.as('spent'),
      sql<string>`coalesce(sum(charged_cents) FILTER (WHERE day BETWEEN ${day(new Date(today.getTime() - 7 * DAY_MS))}::date AND ${day(new Date(today.getTime() - DAY_MS))}::date), 0)`.as(
        'week',
      ),
    ])
    .executeTakeFirstOrThrow();
  const spentCents = Number(row.spent);
  const paceCentsPerDay = Number(row.week) / 7;
  const daysLeft = Math.max(0, end.getTime() - now.getTime()) / DAY_MS;
  const budget = (await getSettings(db)).teamBudgetDollars;
  return {
    start: start.toISOString(),
    end: end.toISOString(),
    spentCents,
    paceCentsPerDay: Math.round(paceCentsPerDay),
    forecastCents: Math.round(spentCents + paceCentsPerDay * daysLeft),
    budgetCents: budget > 0 ? Math.round(budget * 100) : null,
  };
}

const SEVERITY_ORDER = sql<number>`CASE severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END`;

/** Reads what collection run `runId` stored and what is open now. Reads only; writes nothing. */
export async function buildRunReport(db: DbOrTx, ctx: RunReportContext): Promise<RunReport> {
  const runs = await db
    .selectFrom('collection_runs')
    .select([
      'endpoint',
      'status',
      'rows_fetched',
      'rows_new',
      'rows_updated',
      'rows_refused',
      'window_start',
      'window_end',
      'error',
    ])
    .where('run_id', '=', ctx.runId)
    .orderBy('id')
    .execute();
  const collected = runs.map((r) => ({
    endpoint: r.endpoint,
    status: r.status,
    rows: Number(r.rows_fetched),
    new: Number(r.rows_new),
    updated: Number(r.rows_updated),
    refused: Number(r.rows_refused),
    windowStart: iso(r.window_start),
    windowEnd: iso(r.window_end),
    error: r.error,
  }));
  const ev = collected.find((c) => c.endpoint === 'usage_events');
  const [cycle, open, total] = await Promise.all([
    cycleForecast(db, ctx.now),
    db
      .selectFrom('incidents')
      .select(['id', 'severity', 'status', 'scope', 'subject', 'detector', 'impact_cents', 'onset_at'])
      .where('status', '<>', 'resolved')
      .orderBy(SEVERITY_ORDER, 'desc')
      .orderBy('impact_cents', 'desc')
      .orderBy('id')
      .limit(REPORT_MAX_INCIDENTS)
      .execute(),
    db
      .selectFrom('incidents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '<>', 'resolved')
      .executeTakeFirstOrThrow(),
  ]);
  return {
    at: ctx.now.toISOString(),
    trigger: ctx.trigger,
    runId: ctx.runId,
    collected,
    events: {
      fetched: ev?.rows ?? 0,
      new: ev?.new ?? 0,
      alreadyStored: ev ? Math.max(0, ev.rows - ev.new - ev.updated - ev.refused) : 0,
      windowStart: ev?.windowStart ?? null,
      windowEnd: ev?.windowEnd ?? null,
    },
    cycle,
    openIncidents: {
      total: Number(total.n),
      shown: open.map((i) => ({
        id: i.id,
        severity: i.severity,
        status: i.status,
        scope: i.scope,
        subject: i.subject,
        detector: i.detector,
        impactCents: Number(i.impact_cents),
        onsetAt: i.onset_at.toISOString(),
      })),
    },
    next: {
      api: ctx.apiUrl,
      grafana: ctx.grafanaUrl,
      grafanaConfigured: ctx.grafanaConfigured,
      compose: 'npm run build -w plugin && docker compose up -d',
    },
  };
}
