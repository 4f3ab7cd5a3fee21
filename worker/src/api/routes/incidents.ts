import { acknowledgeIncident, reopenIncident, resolveIncident } from '../../incidents';
import { actorOf } from '../actor';
import { auditedChange } from '../audit';
import { incidentDetail } from '../queries/incident-detail';
import { listIncidents } from '../queries/incident-list';
import { toIncident } from '../serialize';
import type { ApiDeps } from '../deps';
import type { RouteHandlers } from '../route';

type IncidentRoutes = 'listIncidents' | 'getIncident' | 'acknowledgeIncident' | 'resolveIncident' | 'reopenIncident';

export function incidentHandlers({ db, now }: ApiDeps): Pick<RouteHandlers, IncidentRoutes> {
  return {
    listIncidents: async ({ query }) => listIncidents(db, query, now()),
    getIncident: async ({ params }) => incidentDetail(db, params.id, now()),
    acknowledgeIncident: async ({ params: { id }, body: { note } }, req) =>
      toIncident(
        await auditedChange(db, req, 200, (tx) => acknowledgeIncident(tx, id, actorOf(req), note || undefined)),
      ),
    resolveIncident: async ({ params: { id }, body }, req) =>
      toIncident(
        await auditedChange(db, req, 200, (tx) =>
          resolveIncident(tx, id, { reason: body.reason, note: body.note || undefined }, actorOf(req)),
        ),
      ),
    reopenIncident: async ({ params: { id }, body: { note } }, req) =>
      toIncident(await auditedChange(db, req, 200, (tx) => reopenIncident(tx, id, actorOf(req), note || undefined))),
  };
}
