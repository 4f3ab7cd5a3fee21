import type { FastifyRequest } from 'fastify';
import type { Issue } from './errors';
import { storableText, textProblem } from '../db/storable-text';

const FALLBACK = 'api';
export const ACTOR_HEADER = 'x-grafana-context';

/** The name in X-Grafana-Context as sent (Go field names: Login, Email, Name), or null without one. */
function claimedActor(req: FastifyRequest): string | null {
  const raw = req.headers[ACTOR_HEADER];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (!text) return null;
  try {
    const ctx = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['Login', 'login', 'Email', 'email', 'Name', 'name']) {
      const v = ctx[key];
      // By code point, so the cut never splits a surrogate pair.
      if (typeof v === 'string' && v.trim() !== '') return Array.from(v.trim()).slice(0, 200).join('');
    }
  } catch {
    // A malformed header is not the caller's identity: fall through.
  }
  return null;
}

/**
 * Who made a change. Grafana's plugin proxy sends the signed-in user as JSON in X-Grafana-Context; without it (curl,
 * scripts) the change is recorded as 'api'. Text PostgreSQL cannot store is replaced (the request is refused by
 * actorIssues before any change, but its attempt is still audited).
 */
export function actorOf(req: FastifyRequest): string {
  const claimed = claimedActor(req);
  return claimed === null ? FALLBACK : storableText(claimed);
}

/** A 400's issue when the header's name holds text PostgreSQL cannot store. */
export function actorIssues(req: FastifyRequest): Issue[] {
  const claimed = claimedActor(req);
  const problem = claimed === null ? null : textProblem(claimed);
  return problem ? [{ path: `header.${ACTOR_HEADER}`, message: `its login ${problem}` }] : [];
}
