import type { FastifyRequest } from 'fastify';
import type { Issue } from './errors';
import { textProblem } from '../db/storable-text';
import { CONTEXT_HEADER, contextHeader, identityFromHeader, type RequestIdentity } from './identity/request-identity';

export const ACTOR_HEADER = CONTEXT_HEADER;

/** Who made the request, as resolveIdentity worked it out (routes only run after it). */
export function identityOf(req: FastifyRequest): RequestIdentity {
  return req.identity ?? identityFromHeader(req);
}

/** The name a change is recorded under (see identity/request-identity.ts for where it comes from). */
export function actorOf(req: FastifyRequest): string {
  return identityOf(req).actor;
}

/** A 400's issue when the name taken from X-Grafana-Context holds text PostgreSQL cannot store. */
export function actorIssues(req: FastifyRequest): Issue[] {
  if (identityOf(req).source !== 'x-grafana-context') return [];
  const login = contextHeader(req)?.login ?? null;
  const problem = login === null ? null : textProblem(login);
  return problem ? [{ path: `header.${ACTOR_HEADER}`, message: `its login ${problem}` }] : [];
}
