import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { actorIssues, identityOf } from './actor';
import { auditChanges } from './audit';
import { portError } from '../config/startup-error';
import { assertSafeToListen, requireToken } from './auth';
import type { ApiDeps, ApiOptions } from './deps';
import { ApiHttpError, ApiValidationError, errorHandler } from './errors';
import { createGrafanaIdVerifier } from './identity/grafana-id-token';
import { resolveIdentity } from './identity/request-identity';
import { roleRefusal } from './identity/roles';
import { serveContract, type RouteHandlers } from './route';
import { chargebackHandlers } from './routes/chargeback';
import { collectionHandlers } from './routes/collection';
import { healthHandlers, prometheusEndpoint } from './routes/health';
import { incidentHandlers } from './routes/incidents';
import { metricsHandlers } from './routes/metrics';
import { notificationHandlers } from './routes/notifications';
import { nudgeHandlers } from './routes/nudges';
import { settingsHandlers } from './routes/settings';
import { snoozeHandlers } from './routes/snoozes';
import { spendLimitHandlers } from './routes/spend-limits';
import { userHandlers } from './routes/users';
import { defaultServices } from './services';
import { unstorableFields } from '../db/storable-text';

export type { ApiOptions } from './deps';

/** The worker's HTTP API (what Grafana's plugin proxy calls), not yet listening. */
export function buildApi(opts: ApiOptions): FastifyInstance {
  const deps: ApiDeps = {
    db: opts.db,
    boss: opts.boss,
    config: opts.config,
    log: opts.log,
    now: opts.now ?? (() => new Date()),
    services: { ...defaultServices, ...opts.services },
    healthTimeoutMs: opts.healthTimeoutMs ?? 2000,
    cursor: opts.cursor,
  };
  // Per-request lines are logged at info; the API child logs warnings and errors only (Grafana polls often).
  const log = opts.log.child(
    { component: 'api' },
    { level: opts.log.isLevelEnabled('warn') ? 'warn' : opts.log.level },
  );
  const app = Fastify({ loggerInstance: log as FastifyBaseLogger, bodyLimit: 256 * 1024 });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: 'not_found', message: `No endpoint ${req.method} ${req.url.split('?')[0]}` }),
  );
  app.addHook('onRequest', requireToken(opts.config.WORKER_API_TOKEN));
  const identity = opts.config.identity;
  const verifier =
    identity.mode === 'verify' ? (opts.idVerifier ?? createGrafanaIdVerifier(identity, opts.idVerifierOptions)) : null;
  app.decorateRequest('identity', null);
  app.addHook('onRequest', resolveIdentity(identity, verifier, deps.now));
  app.addHook('onSend', auditChanges(opts.db, opts.log));
  // Before any route reads or writes: text PostgreSQL cannot store, anywhere in the request, is a 400 naming the field.
  app.addHook('preValidation', async (req) => {
    const issues = [
      ...unstorableFields(req.query, 'query'),
      ...unstorableFields(req.params, 'params'),
      ...unstorableFields(req.body, 'body'),
      ...actorIssues(req),
    ];
    if (issues.length > 0) throw new ApiValidationError(issues);
    // The contract's role for the route (API_ROUTES, which plugin.json's reqRole mirrors), enforced here as well.
    const refusal = req.url.startsWith('/api/') ? roleRefusal(req.method, req.routeOptions.url, identityOf(req)) : null;
    if (refusal) throw new ApiHttpError(403, 'forbidden', refusal);
  });
  serveContract(app, contractHandlers(deps), {
    // Before the contract named a body for it, POST /api/collection/run read none; it still answers any body alike.
    runCollection: { part: 'body', why: 'the manual collection takes no options' },
  });
  prometheusEndpoint(app, deps);
  return app;
}

/** A handler for every route of the contract's API_ROUTES (a missing one is a type error here). */
function contractHandlers(deps: ApiDeps): RouteHandlers {
  return {
    ...healthHandlers(deps),
    ...incidentHandlers(deps),
    ...snoozeHandlers(deps),
    ...metricsHandlers(deps),
    ...userHandlers(deps),
    ...settingsHandlers(deps),
    ...notificationHandlers(deps),
    ...collectionHandlers(deps),
    ...spendLimitHandlers(deps),
    ...chargebackHandlers(deps),
    ...nudgeHandlers(deps),
  };
}

/**
 * Builds the API and listens on WORKER_API_HOST:WORKER_API_PORT. Refuses a non-loopback address without
 * WORKER_API_TOKEN. Returns the app (close it on shutdown) and the address it listens on.
 */
export async function startApi(
  opts: ApiOptions & { host?: string; port?: number },
): Promise<{ app: FastifyInstance; url: string }> {
  const host = opts.host ?? opts.config.WORKER_API_HOST;
  const port = opts.port ?? opts.config.WORKER_API_PORT;
  assertSafeToListen(host, opts.config.WORKER_API_TOKEN);
  const app = buildApi(opts);
  const url = await app.listen({ host, port }).catch(async (err: NodeJS.ErrnoException) => {
    await app.close();
    throw portError(err, host, port, 'WORKER_API_PORT', 'the worker API');
  });
  opts.log.info(
    {
      url,
      auth: opts.config.WORKER_API_TOKEN ? 'bearer token' : 'none (loopback only)',
      identity:
        opts.config.identity.mode === 'verify'
          ? `Grafana ID token verified with ${opts.config.identity.jwksUrl}`
          : 'X-Grafana-Context taken as sent (unverified)',
    },
    'worker API listening',
  );
  return { app, url };
}
