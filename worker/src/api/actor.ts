import type { FastifyRequest } from 'fastify';

const FALLBACK = 'api';

/**
 * Who made a change. Grafana's plugin proxy sends the signed-in user as JSON in X-Grafana-Context (Go field names:
 * Login, Email, Name); without it (curl, scripts) the change is recorded as 'api'.
 */
export function actorOf(req: FastifyRequest): string {
  const raw = req.headers['x-grafana-context'];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (!text) return FALLBACK;
  try {
    const ctx = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['Login', 'login', 'Email', 'email', 'Name', 'name']) {
      const v = ctx[key];
      if (typeof v === 'string' && v.trim() !== '') return v.trim().slice(0, 200);
    }
  } catch {
    // A malformed header is not the caller's identity: fall through.
  }
  return FALLBACK;
}
