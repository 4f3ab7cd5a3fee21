import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimulatedTeam } from '../types';
import { registerAdminRoutes } from './admin-routes';
import { registerAnalyticsRoutes } from './analytics-routes';
import type { Restatement } from './restatement';
import { shapeVariant, type ShapeMode } from './shape-variants';
import {
  ApiHttpError,
  badRequest,
  FORBIDDEN,
  INTERNAL_ERROR,
  NOT_FOUND,
  TOO_MANY_REQUESTS,
  UNAUTHORIZED,
} from './errors';
import {
  apiKeyFrom,
  DEFAULT_FAULTS,
  DEFAULT_RATE_LIMITS,
  MinuteRateLimiter,
  secondsToNextMinute,
  StatsRecorder,
  type Faults,
  type RateClass,
  type RateLimits,
  type SimulatorStats,
} from './guards';

export type { Faults, RateLimits, SimulatorStats } from './guards';
export type { ShapeMode } from './shape-variants';
export type { Restatement } from './restatement';

export interface SimulatorServerOptions {
  team: SimulatedTeam;
  apiKey: string;
  /** Key for the Analytics API; without it the admin key serves analytics too. */
  analyticsApiKey?: string;
  /** A key that authenticates but belongs to a non-Enterprise team: 403. */
  nonEnterpriseApiKey?: string;
  host?: string;
  port?: number;
  /** Per endpoint per minute; null turns rate limiting off. Default admin 20, events 20, analytics 100, spend limit 60. */
  rateLimitsPerMinute?: RateLimits | null;
  faults?: Partial<Faults>;
  /** 'variants': answers in the other documented shapes, with unknown fields (./shape-variants.ts). */
  shapes?: ShapeMode;
  /** Serve a share of recent events at a provisional price, restated later (./restatement.ts). */
  restatement?: Restatement | null;
  /** The clock rate-limit minutes are counted on (default Date.now; tests pin it). */
  rateClock?: () => number;
}

export interface SimulatorServer {
  url: string;
  apiKey: string;
  analyticsApiKey: string;
  close(): Promise<void>;
  setFaults(f: Partial<Faults>): void;
  setShapes(mode: ShapeMode): void;
  setRestatement(r: Restatement | null): void;
  stats(): SimulatorStats;
  resetStats(): void;
}

const RATE_CLASS: Record<string, RateClass> = {
  'POST /teams/filtered-usage-events': 'events',
  'GET /analytics/team/dau': 'analytics',
  'GET /analytics/team/models': 'analytics',
  'POST /teams/user-spend-limit': 'spendLimit',
};

/** Starts an HTTP server speaking the Cursor Admin (and team Analytics) API for the simulated team. */
export async function startSimulatorServer(o: SimulatorServerOptions): Promise<SimulatorServer> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  let faults: Faults = { ...DEFAULT_FAULTS, ...o.faults };
  const limiter = new MinuteRateLimiter(
    o.rateLimitsPerMinute === undefined ? DEFAULT_RATE_LIMITS : o.rateLimitsPerMinute,
  );
  const stats = new StatsRecorder();
  const rateClock = o.rateClock ?? Date.now;
  const analyticsKey = o.analyticsApiKey ?? o.apiKey;
  let shapes: ShapeMode = o.shapes ?? 'documented';
  let restatement: Restatement | null = o.restatement ?? null;
  let poisonServed = 0;

  // Any content type is read as JSON (an empty body is {}); what does not parse is a 400 saying why.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(badRequest(`Request body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });

  const tooManyRequests = (reply: import('fastify').FastifyReply) => {
    if (faults.retryAfterHeader)
      reply.header('Retry-After', String(faults.retryAfterSeconds ?? secondsToNextMinute(rateClock())));
    return reply.code(429).send(TOO_MANY_REQUESTS);
  };

  app.addHook('onRequest', async (request, reply) => {
    const endpoint = request.is404 ? 'unknown' : `${request.method} ${request.routeOptions.url}`;
    stats.request(endpoint, Date.now());
    if (faults.resetConnections > 0) {
      faults.resetConnections--;
      stats.connectionReset();
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (faults.slowMs > 0) await sleep(faults.slowMs);
    if (faults.rateLimitStorm > 0) {
      faults.rateLimitStorm--;
      return tooManyRequests(reply);
    }
    if (faults.serverErrors > 0) {
      faults.serverErrors--;
      return reply.code(500).send(INTERNAL_ERROR);
    }
    if (request.is404) return;
    const rateClass = RATE_CLASS[endpoint] ?? 'admin';
    const key = apiKeyFrom(request.headers.authorization);
    if (key !== null && key === o.nonEnterpriseApiKey) return reply.code(403).send(FORBIDDEN);
    if (key !== (rateClass === 'analytics' ? analyticsKey : o.apiKey)) return reply.code(401).send(UNAUTHORIZED);
    if (!limiter.take(endpoint, rateClass, rateClock())) return tooManyRequests(reply);
  });
  app.addHook('onResponse', async (_request, reply) => stats.response(reply.statusCode));
  app.addHook('preSerialization', async (request, reply, payload) =>
    shapes === 'variants' && reply.statusCode === 200
      ? shapeVariant(`${request.method} ${request.routeOptions.url}`, payload)
      : payload,
  );

  app.setNotFoundHandler((_request, reply) => reply.code(404).send(NOT_FOUND));
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ApiHttpError) return reply.code(error.statusCode).send(error.body());
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 400 && status < 500)
      return reply.code(status).send({ error: 'Bad Request', message: (error as Error).message });
    return reply.code(500).send(INTERNAL_ERROR);
  });

  registerAdminRoutes(
    app,
    o.team,
    (isLast) => {
      // One fault per page, the most disruptive first; each is taken from its budget only when served.
      if (faults.malformedPages > 0) {
        faults.malformedPages--;
        stats.malformedPage();
        return { fault: 'malformed', poisonN: 0, oversizedBytes: 0 };
      }
      if (faults.oversizedPages > 0) {
        faults.oversizedPages--;
        stats.hostile('oversizedPagesSent');
        return { fault: 'oversized', poisonN: 0, oversizedBytes: faults.oversizedBytes };
      }
      if (faults.endlessPages > 0 && isLast) {
        faults.endlessPages--;
        stats.hostile('endlessPagesSent');
        return { fault: 'endless', poisonN: 0, oversizedBytes: 0 };
      }
      if (faults.poisonEvents > 0) {
        faults.poisonEvents--;
        stats.hostile('poisonEventsSent');
        return { fault: 'poison', poisonN: poisonServed++, oversizedBytes: 0 };
      }
      return null;
    },
    () => restatement,
  );
  registerAnalyticsRoutes(app, o.team, (endpoint) => limiter.refund(endpoint, rateClock()));

  await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    apiKey: o.apiKey,
    analyticsApiKey: analyticsKey,
    close: async () => {
      await app.close();
    },
    setFaults: (f) => {
      faults = { ...faults, ...f };
    },
    setShapes: (mode) => {
      shapes = mode;
    },
    setRestatement: (r) => {
      restatement = r;
    },
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
  };
}
