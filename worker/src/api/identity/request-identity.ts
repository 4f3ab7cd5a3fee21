import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityConfig } from '../../config/config';
import type { IdentitySource } from '../../db/schema/detection';
import { storableText } from '../../db/storable-text';
import {
  IdTokenRejected,
  SigningKeysUnavailable,
  type GrafanaIdClaims,
  type GrafanaIdVerifier,
} from './grafana-id-token';
import { isOrgRole, type OrgRole } from './roles';

/** Who made a request, and how sure the worker is of it. */
export interface RequestIdentity {
  /** The name recorded in resolved_by, changed_by, api_audit.actor… */
  actor: string;
  /** The Grafana org role the contract's per-route role is checked against. */
  role: OrgRole;
  verified: boolean;
  source: IdentitySource;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity: RequestIdentity | null;
  }
}

export const ID_TOKEN_HEADER = 'x-grafana-id';
export const CONTEXT_HEADER = 'x-grafana-context';
const FALLBACK = 'api';

const firstHeader = (req: FastifyRequest, name: string) => {
  const raw = req.headers[name];
  return (Array.isArray(raw) ? raw[0] : raw) || null;
};

/** By code point, so the cut never splits a surrogate pair. */
const bounded = (s: string) => Array.from(s.trim()).slice(0, 200).join('');

/** X-Grafana-Context as sent (json.Marshal(SignedInUser): Login, Email, Name, OrgRole), or null without one. */
export function contextHeader(req: FastifyRequest): { login: string | null; orgRole: unknown } | null {
  const text = firstHeader(req, CONTEXT_HEADER);
  if (!text) return null;
  let ctx: Record<string, unknown>;
  try {
    ctx = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null; // a malformed header is not the caller's identity
  }
  if (ctx === null || typeof ctx !== 'object') return null;
  let login: string | null = null;
  for (const key of ['Login', 'login', 'Email', 'email', 'Name', 'name']) {
    const v = ctx[key];
    if (typeof v === 'string' && v.trim() !== '') {
      login = bounded(v);
      break;
    }
  }
  return { login, orgRole: ctx.OrgRole ?? ctx.orgRole };
}

/**
 * GRAFANA_IDENTITY=header: the name in X-Grafana-Context, unverified. With the header, its OrgRole is enforced (a
 * caller holding the token can write any role there, so this only keeps the plugin's own requests consistent);
 * without it (curl, scripts) the caller is recorded as 'api' and, as before, may call every route.
 */
export function identityFromHeader(req: FastifyRequest): RequestIdentity {
  const ctx = contextHeader(req);
  if (ctx === null) return { actor: FALLBACK, role: 'Admin', verified: false, source: 'none' };
  return {
    actor: ctx.login === null ? FALLBACK : storableText(ctx.login),
    role: isOrgRole(ctx.orgRole) ? ctx.orgRole : 'None',
    verified: false,
    source: 'x-grafana-context',
  };
}

/** The login from the token (claim username), else its email, else "<type>:<identifier>" (a service account). */
export function identityFromClaims(c: GrafanaIdClaims): RequestIdentity {
  const name = [c.username, c.email, c.identifier && `${c.type || 'identity'}:${c.identifier}`, c.subject].find(
    (v) => typeof v === 'string' && v.trim() !== '',
  );
  return {
    actor: storableText(bounded(name ?? FALLBACK)),
    // No role claim (a Grafana from before authlib PR #138, or no valid org role): no route is allowed.
    role: isOrgRole(c.role) ? c.role : 'None',
    verified: true,
    source: 'grafana-id-token',
  };
}

/**
 * An onRequest hook after the bearer token's: works out who sent each /api request. In verify mode the signed
 * X-Grafana-Id is required (401 naming what is wrong with it; 503 when Grafana's keys cannot be read) and
 * X-Grafana-Context is ignored, so a forged header cannot change the recorded actor.
 */
export function resolveIdentity(cfg: IdentityConfig, verify: GrafanaIdVerifier | null, now: () => Date) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/')) return;
    if (cfg.mode === 'header' || verify === null) {
      req.identity = identityFromHeader(req);
      return;
    }
    const token = firstHeader(req, ID_TOKEN_HEADER);
    if (token === null) {
      return reply.status(401).send({
        error: 'unverified_identity',
        message:
          "No Grafana ID token (X-Grafana-Id): with GRAFANA_IDENTITY=verify the API only answers requests made through Grafana's plugin proxy, which forwards the signed-in user's token",
      });
    }
    try {
      req.identity = identityFromClaims(await verify(token, now()));
    } catch (err) {
      if (err instanceof IdTokenRejected)
        return reply
          .status(401)
          .send({ error: 'unverified_identity', message: `X-Grafana-Id refused: ${err.message}` });
      if (err instanceof SigningKeysUnavailable) {
        req.log.error({ err }, 'cannot verify Grafana ID tokens');
        return reply.status(503).send({
          error: 'identity_unavailable',
          message: `Cannot verify who sent this request: ${err.message}. Check GRAFANA_JWKS_URL`,
        });
      }
      throw err;
    }
  };
}
