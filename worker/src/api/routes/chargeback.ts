import { chargebackCsv } from '../../chargeback/csv';
import { ChargebackRequestError, chargebackReport } from '../../chargeback/service';
import type { ApiDeps } from '../deps';
import { ApiHttpError, ApiValidationError } from '../errors';
import { Reply, type RouteHandlers } from '../route';

/** GET /api/chargeback?cycle=YYYY-MM-DD[&format=csv] (Viewer): spend per billing group and developer for a cycle. */
export function chargebackHandlers({ db, now }: ApiDeps): Pick<RouteHandlers, 'chargeback'> {
  return {
    chargeback: async ({ query }) => {
      let report;
      try {
        report = await chargebackReport(db, query.cycle, now());
      } catch (e) {
        if (e instanceof ChargebackRequestError) {
          if (e.status === 400) throw new ApiValidationError([{ path: 'query.cycle', message: e.message }]);
          throw new ApiHttpError(404, 'not_found', e.message);
        }
        throw e;
      }
      if (query.format === 'json') return report;
      return new Reply(200, chargebackCsv(report), {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="cursor-chargeback-${report.cycle}.csv"`,
      });
    },
  };
}
