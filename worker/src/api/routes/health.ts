import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';
import { createPrometheusRegistry } from '../prometheus';

export function healthRoutes(app: FastifyInstance, deps: ApiDeps) {
  const registry = createPrometheusRegistry(deps);

  /**
   * Liveness plus a database round trip; 503 with the reason when PostgreSQL fails or does not answer within
   * healthTimeoutMs (a frozen server or network would otherwise leave the probe hanging with no answer at all).
   */
  app.get('/healthz', async (_req, reply) => {
    const timeoutMs = deps.healthTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the database did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([sql`SELECT 1`.execute(deps.db), timeout]);
      return { ok: true, database: true };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return reply.status(503).send({ ok: false, database: false, reason });
    } finally {
      clearTimeout(timer);
    }
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
