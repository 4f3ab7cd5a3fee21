import { toDay } from '@cursor-cost-watch/contract';
import type { ChargebackReport } from '@cursor-cost-watch/contract';
import type { Db } from '../db/database';
import { cycleLastDay, cycleStartOf, cyclesBetween, dayOfMonth, isCycleStart, nextCycleStart } from './cycle';
import { loadCursorTotals, loadCycleAnchors, loadDeveloperGroupRows, loadModelRows } from './load';
import { buildReport } from './report';

/** The request cannot be answered as asked (an unknown cycle, nothing collected yet): the message says why. */
export class ChargebackRequestError extends Error {
  constructor(
    public readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'ChargebackRequestError';
  }
}

const isoDay = (d: Date) => toDay(d.getTime());

/**
 * The chargeback of the billing cycle starting on `cycle` (default: the latest cycle Cursor reported). Cycles start
 * on the day of the month of Cursor's subscriptionCycleStart; another day is refused with the nearest valid start.
 */
export async function chargebackReport(db: Db, cycle: string | undefined, now: Date): Promise<ChargebackReport> {
  const anchors = await loadCycleAnchors(db);
  if (anchors.latestCycle === null)
    throw new ChargebackRequestError(
      404,
      'No billing cycle has been collected yet: chargeback needs one collection of POST /teams/spend or GET /teams/groups',
    );
  const dom = dayOfMonth(anchors.latestCycle);
  if (cycle !== undefined && !isCycleStart(cycle, dom)) {
    throw new ChargebackRequestError(
      400,
      `query.cycle ${cycle} is not the first day of a billing cycle: this team's cycles start on day ${dom} of the ` +
        `month (the cycle holding ${cycle} starts on ${cycleStartOf(cycle, dom)})`,
    );
  }
  const start = cycle ?? anchors.latestCycle;
  const end = nextCycleStart(start, dom);
  // The picker offers every cycle from the first day with usage to the latest cycle (or the one asked for).
  const known = [anchors.firstDay, anchors.lastDay, anchors.latestCycle, start].filter((d): d is string => d !== null);
  const cycles = cyclesBetween(
    known.reduce((a, b) => (a < b ? a : b)),
    known.reduce((a, b) => (a > b ? a : b)),
    dom,
  );
  const [rows, models, cursor] = await Promise.all([
    loadDeveloperGroupRows(db, start, end),
    loadModelRows(db, start, end),
    loadCursorTotals(db, start),
  ]);
  return buildReport({
    cycle: start,
    cycleEnd: cycleLastDay(start, dom),
    closed: isoDay(now) >= end,
    cycles,
    rows,
    models,
    cursor,
  });
}
