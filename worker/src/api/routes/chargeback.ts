import { chargebackQuerySchema } from '@cursor-cost-watch/contract';
import type { FastifyInstance } from 'fastify';
import { chargebackCsv } from '../../chargeback/csv';
import { ChargebackRequestError, chargebackReport } from '../../chargeback/service';
import type { ApiDeps } from '../deps';
import { ApiHttpError, ApiValidationError } from '../errors';
import { parseRequest } from '../validate';

/** GET /api/chargeback?cycle=YYYY-MM-DD[&format=csv] (Viewer): spend per billing group and developer for a cycle. */
export function chargebackRoutes(app: FastifyInstance, { db, now }: ApiDeps) {
  app.get('/api/chargeback', async (req, reply) => {
    const query = parseRequest(chargebackQuerySchema, req.query, 'query');
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
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="cursor-chargeback-${report.cycle}.csv"`)
      .send(chargebackCsv(report));
  });
}
