import { snoozeCreateBodySchema, snoozeIdParamsSchema, type Snooze } from '@cursor-cost-watch/contract';
import type { FastifyInstance } from 'fastify';
import { createSnooze, deleteSnooze, listSnoozes, type SnoozeRow } from '../../incidents';
import { actorOf } from '../actor';
import { auditedChange } from '../audit';
import type { ApiDeps } from '../deps';
import { parseRequest } from '../validate';

const toSnooze = (s: SnoozeRow): Snooze => ({
  id: s.id,
  scope: s.scope,
  subject: s.subject,
  until: s.until.toISOString(),
  reason: s.reason,
  createdBy: s.created_by,
  createdAt: s.created_at.toISOString(),
});

export function snoozeRoutes(app: FastifyInstance, { db, now }: ApiDeps) {
  app.get('/api/snoozes', async () => ({ items: (await listSnoozes(db, { activeAt: now() })).map(toSnooze) }));

  app.post('/api/snoozes', async (req, reply) => {
    const body = parseRequest(snoozeCreateBodySchema, req.body, 'body');
    const row = await auditedChange(db, req, 201, (tx) => createSnooze(tx, body, actorOf(req), now()));
    return reply.status(201).send(toSnooze(row));
  });

  app.delete('/api/snoozes/:id', async (req) => {
    const { id } = parseRequest(snoozeIdParamsSchema, req.params, 'params');
    await auditedChange(db, req, 200, (tx) => deleteSnooze(tx, id, actorOf(req)));
    return { ok: true as const };
  });
}
