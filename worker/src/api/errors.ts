import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { IncidentInputError, IncidentNotFoundError, IncidentTransitionError, SnoozeNotFoundError } from '../incidents';
import { SettingsValidationError } from '../settings';

export interface Issue {
  path: string;
  message: string;
}

/** A request value failed validation: answered 400 with each field and what was wrong with it. */
export class ApiValidationError extends Error {
  constructor(public readonly issues: Issue[]) {
    super(issues.map((i) => `${i.path || '(body)'} ${i.message}`).join('; '));
    this.name = 'ApiValidationError';
  }
}

/** Something the API answers with a specific status and a sentence, e.g. 404 for an unknown user. */
export class ApiHttpError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiHttpError';
  }
}

interface ErrorBody {
  error: string;
  message: string;
  issues?: Issue[];
}

/** Maps the domain's errors to HTTP: validation 400, unknown 404, disallowed transition 409; anything else 500. */
export function toHttpError(err: unknown): { status: number; body: ErrorBody } {
  if (
    err instanceof ApiValidationError ||
    err instanceof IncidentInputError ||
    err instanceof SettingsValidationError
  ) {
    return { status: 400, body: { error: 'invalid_request', message: err.message, issues: err.issues } };
  }
  if (err instanceof IncidentNotFoundError || err instanceof SnoozeNotFoundError) {
    return { status: 404, body: { error: 'not_found', message: err.message } };
  }
  if (err instanceof IncidentTransitionError) {
    return { status: 409, body: { error: 'conflict', message: err.message } };
  }
  if (err instanceof ApiHttpError) {
    return { status: err.statusCode, body: { error: err.code, message: err.message } };
  }
  const fe = err as Partial<FastifyError>;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own rejections: malformed JSON, wrong content type, body too large.
    return { status: fe.statusCode, body: { error: 'invalid_request', message: fe.message ?? 'bad request' } };
  }
  return { status: 500, body: { error: 'internal', message: 'The worker failed to answer; see its log for details' } };
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toHttpError(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  return reply.status(status).send(body);
}
