import {
  acknowledgeBodySchema,
  incidentIdParamsSchema,
  incidentListQuerySchema,
  reopenBodySchema,
  resolveBodySchema,
} from '@cursor-cost-watch/contract';
import type { FastifyInstance } from 'fastify';
import { acknowledgeIncident, reopenIncident, resolveIncident } from '../../incidents';
import { actorOf } from '../actor';
import { auditedChange } from '../audit';
import { incidentDetail } from '../queries/incident-detail';
import { listIncidents } from '../queries/incident-list';
import { toIncident } from '../serialize';
import type { ApiDeps } from '../deps';
import { parseRequest } from '../validate';

export function incidentRoutes(app: FastifyInstance, { db, now }: ApiDeps) {
  app.get('/api/incidents', async (req) =>
    listIncidents(db, parseRequest(incidentListQuerySchema, req.query, 'query'), now()),
  );

  app.get('/api/incidents/:id', async (req) => {
    const { id } = parseRequest(incidentIdParamsSchema, req.params, 'params');
    return incidentDetail(db, id, now());
  });

  app.post('/api/incidents/:id/acknowledge', async (req) => {
    const { id } = parseRequest(incidentIdParamsSchema, req.params, 'params');
    const { note } = parseRequest(acknowledgeBodySchema, req.body, 'body');
    return toIncident(
      await auditedChange(db, req, 200, (tx) => acknowledgeIncident(tx, id, actorOf(req), note || undefined)),
    );
  });

  app.post('/api/incidents/:id/resolve', async (req) => {
    const { id } = parseRequest(incidentIdParamsSchema, req.params, 'params');
    const body = parseRequest(resolveBodySchema, req.body, 'body');
    return toIncident(
      await auditedChange(db, req, 200, (tx) =>
        resolveIncident(tx, id, { reason: body.reason, note: body.note || undefined }, actorOf(req)),
      ),
    );
  });

  app.post('/api/incidents/:id/reopen', async (req) => {
    const { id } = parseRequest(incidentIdParamsSchema, req.params, 'params');
    const { note } = parseRequest(reopenBodySchema, req.body, 'body');
    return toIncident(
      await auditedChange(db, req, 200, (tx) => reopenIncident(tx, id, actorOf(req), note || undefined)),
    );
  });
}
