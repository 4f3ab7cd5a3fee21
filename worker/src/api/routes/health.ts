import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';
import { createPrometheusRegistry } from '../prometheus';

export function healthRoutes(app: FastifyInstance, deps: ApiDeps) {
  const registry = createPrometheusRegistry(deps);

  /** Liveness plus a database round trip; 503 when PostgreSQL does not answer. */
  app.get('/healthz', async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(deps.db);
      return { ok: true, database: true };
    } catch {
      return reply.status(503).send({ ok: false, database: false });
    }
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
