import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StartupError } from '../config/startup-error';

/** Paths a scraper or a load balancer reads without the token. */
const PUBLIC_PATHS = new Set(['/healthz', '/metrics']);

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares in constant time: both sides are hashed first so their lengths never leak either. */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}

/** An onRequest hook: every path but the public ones needs `Authorization: Bearer <WORKER_API_TOKEN>`. */
export function requireToken(expected: string | undefined) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    if (PUBLIC_PATHS.has(path) || expected === undefined) return;
    const given = bearerToken(req.headers.authorization);
    if (given === null) {
      return reply
        .status(401)
        .send({ error: 'unauthorized', message: 'Send Authorization: Bearer <WORKER_API_TOKEN>' });
    }
    if (!tokenMatches(given, expected)) {
      return reply
        .status(401)
        .send({ error: 'unauthorized', message: 'The API token is wrong: check the plugin configuration' });
    }
  };
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost|::ffff:127(\.\d{1,3}){3})$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''));
}

/** Without a token the API may only listen where nobody else can reach it. */
export function assertSafeToListen(host: string, token: string | undefined): void {
  if (token === undefined && !isLoopbackHost(host)) {
    throw new StartupError(
      `Refusing to start the worker API on ${host} without WORKER_API_TOKEN: set a token (16+ characters) or listen on 127.0.0.1`,
    );
  }
}
