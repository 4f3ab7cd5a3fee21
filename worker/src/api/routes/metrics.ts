import { DAY_MS } from '@cursor-cost-watch/contract';
import { incidentMetrics } from '../../incidents';
import { nudgeComparison } from '../../nudge';
import type { ApiDeps } from '../deps';
import { ApiValidationError } from '../errors';
import type { RouteHandlers } from '../route';

const DEFAULT_RANGE_MS = 30 * DAY_MS;

export function metricsHandlers({ db, now }: ApiDeps): Pick<RouteHandlers, 'incidentMetrics'> {
  return {
    /** MTTD/MTTI/MTTR, impact and per-detector precision of incidents first detected in [from, to) (default: 30 days). */
    incidentMetrics: async ({ query: q }) => {
      const to = q.to ? new Date(q.to) : now();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_RANGE_MS);
      if (from >= to) throw new ApiValidationError([{ path: 'query.from', message: 'must be before query.to' }]);
      const [m, nudge, open] = await Promise.all([
        incidentMetrics(db, { from, to }),
        nudgeComparison(db, { from, to }),
        db
          .selectFrom('incidents')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '<>', 'resolved')
          .executeTakeFirstOrThrow(),
      ]);
      const duration = (d: { meanSeconds: number | null; medianSeconds: number | null }) => ({
        mean: d.meanSeconds,
        median: d.medianSeconds,
      });
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        open: Number(open.n),
        total: m.incidents,
        mttd: duration(m.mttd),
        timeToAlert: duration(m.timeToAlert),
        mtti: duration(m.mtti),
        mttr: duration(m.mttr),
        impactCents: Math.round(m.impactDollars * 100),
        perDetector: Object.entries(m.perDetector).map(([detector, d]) => ({
          detector,
          total: d.count,
          resolved: d.count - d.unresolved,
          falsePositives: d.falsePositive,
          precision: d.precision,
        })),
        nudge,
      };
    },
  };
}
