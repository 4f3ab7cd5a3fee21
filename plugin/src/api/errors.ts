import type { ApiError, ApiRouteName, RouteRole } from '@cursor-cost-watch/contract';

export type WorkerErrorKind =
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'contract'
  | 'server'
  | 'cursor';

/** A failed worker call, classified so pages can say what to do about it. */
export class WorkerApiError extends Error {
  constructor(
    public readonly kind: WorkerErrorKind,
    message: string,
    public readonly status: number,
    public readonly issues: ApiError['issues'] = [],
    /** For `forbidden`: the Grafana role the proxy route requires, and what the call would have done. */
    public readonly needs?: Exclude<RouteRole, 'public'>,
    public readonly action?: string,
  ) {
    super(message);
    this.name = 'WorkerApiError';
  }
}

/** What each call does, in the words of "You don't have permission to …". */
const ACTIONS: Record<ApiRouteName, string> = {
  listIncidents: 'see incidents',
  getIncident: 'see this incident',
  acknowledgeIncident: 'acknowledge incidents',
  resolveIncident: 'resolve incidents',
  reopenIncident: 'reopen incidents',
  listSnoozes: 'see snoozes',
  createSnooze: 'snooze users or teams',
  deleteSnooze: 'remove snoozes',
  incidentMetrics: 'see incident metrics',
  searchUsers: 'see users',
  getUser: 'see this user',
  getSettings: 'see the detection settings',
  updateSettings: 'change the detection settings',
  previewSettings: 'preview settings changes',
  testNotification: 'send test notifications',
  collectionStatus: 'see the collection status',
  runCollection: 'start a collection run',
  health: 'check the worker health',
  getSpendLimit: "see a developer's spend limit",
  changeSpendLimit: 'change spend limits',
  undoSpendLimitChange: 'undo spend-limit changes',
  chargeback: 'see the chargeback report',
  getNudgeStatus: "see a developer's personal nudges",
  setNudgeOptOut: 'opt developers out of personal nudges',
};

/**
 * A failure of the named call. Grafana's plugin proxy answers 403 "plugin proxy route access denied" when the user's
 * org role is below the route's reqRole (pkg/api/pluginproxy/pluginproxy.go hasAccessToRoute); the worker itself
 * never answers 403, so a 403 always means "your role": it carries the role the route needs.
 */
export function failureOf(name: ApiRouteName, role: RouteRole, err: unknown): WorkerApiError {
  const e = asWorkerError(err);
  if (e.kind !== 'forbidden' || role === 'public') {
    return e;
  }
  return new WorkerApiError('forbidden', e.message, e.status, [], role, ACTIONS[name]);
}

function bodyOf(data: unknown): Partial<ApiError> {
  return data && typeof data === 'object' ? (data as Partial<ApiError>) : {};
}

/** Grafana's proxy answers 502 when the worker is down; 401 comes from the worker (wrong token), 403 from Grafana (role). */
export function classifyFailure(status: number, data: unknown): WorkerApiError {
  const body = bodyOf(data);
  const message = body.message ?? (typeof data === 'string' && data ? data : `HTTP ${status}`);
  // The worker reached Cursor, and Cursor refused or failed (worker/src/api/spend-limit-apply.ts): not a worker outage.
  if (typeof body.error === 'string' && body.error.startsWith('cursor_')) {
    return new WorkerApiError('cursor', message, status);
  }
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

/** One line for places that show a failure inline: a 403 says what is not allowed and which role it needs. */
export function failureText(e: WorkerApiError): string {
  if (e.kind === 'forbidden') {
    return `You don't have permission to ${e.action ?? 'do this'} (needs ${e.needs ?? 'Editor'}).`;
  }
  return e.message;
}
