import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';
import { createPrometheusRegistry } from '../prometheus';
import { Reply, type RouteHandlers } from '../route';

export function healthHandlers(deps: ApiDeps): Pick<RouteHandlers, 'health'> {
  return {
    /**
     * Liveness plus a database round trip; 503 with the reason when PostgreSQL fails or does not answer within
     * healthTimeoutMs (a frozen server or network would otherwise leave the probe hanging with no answer at all).
     */
    health: async () => {
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
        return new Reply(503, { ok: false, database: false, reason });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** GET /metrics for Prometheus: outside the plugin's API, so not in the contract (text exposition format). */
export function prometheusEndpoint(app: FastifyInstance, deps: ApiDeps): void {
  const registry = createPrometheusRegistry(deps);
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
