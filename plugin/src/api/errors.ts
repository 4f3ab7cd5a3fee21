import type { ApiError } from '@cursor-cost-watch/contract';

export type WorkerErrorKind =
  'unreachable' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'invalid' | 'contract' | 'server';

/** A failed worker call, classified so pages can say what to do about it. */
export class WorkerApiError extends Error {
  constructor(
    public readonly kind: WorkerErrorKind,
    message: string,
    public readonly status: number,
    public readonly issues: ApiError['issues'] = []
  ) {
    super(message);
    this.name = 'WorkerApiError';
  }
}

function bodyOf(data: unknown): Partial<ApiError> {
  return data && typeof data === 'object' ? (data as Partial<ApiError>) : {};
}

/** Grafana's proxy answers 502 when the worker is down; 401 comes from the worker (wrong token), 403 from Grafana (role). */
export function classifyFailure(status: number, data: unknown): WorkerApiError {
  const body = bodyOf(data);
  const message = body.message ?? (typeof data === 'string' && data ? data : `HTTP ${status}`);
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return new WorkerApiError('unreachable', message, status);
  }
  if (status === 401) {
    return new WorkerApiError('unauthorized', message, status);
  }
  if (status === 403) {
    return new WorkerApiError('forbidden', message, status);
  }
  if (status === 404) {
    return new WorkerApiError('not_found', message, status);
  }
  if (status === 409) {
    return new WorkerApiError('conflict', message, status);
  }
  if (status === 400) {
    return new WorkerApiError('invalid', message, status, body.issues ?? []);
  }
  return new WorkerApiError('server', message, status);
}

export function asWorkerError(err: unknown): WorkerApiError {
  if (err instanceof WorkerApiError) {
    return err;
  }
  const e = err as { status?: number; data?: unknown; message?: string };
  if (typeof e?.status === 'number') {
    return classifyFailure(e.status, e.data);
  }
  return new WorkerApiError('unreachable', e?.message ?? String(err), 0);
}
