import { z } from 'zod';
import { chargebackQuerySchema, chargebackReportSchema } from './chargeback';
import { okSchema } from './common';
import {
  acknowledgeBodySchema,
  incidentDetailSchema,
  incidentIdParamsSchema,
  incidentListQuerySchema,
  incidentListSchema,
  incidentSchema,
  reopenBodySchema,
  resolveBodySchema,
} from './incidents';
import { incidentMetricsQuerySchema, incidentMetricsSchema } from './metrics';
import { nudgeOptOutBodySchema, nudgeStatusSchema } from './nudges';
import {
  collectionRunResultSchema,
  collectionStatusSchema,
  healthSchema,
  notificationTestBodySchema,
  notificationTestResultSchema,
} from './operations';
import { settingsPatchSchema, settingsPreviewSchema, settingsResponseSchema } from './settings';
import {
  spendLimitChangeBodySchema,
  spendLimitChangeIdParamsSchema,
  spendLimitChangeResultSchema,
  spendLimitEmailParamsSchema,
  spendLimitInfoSchema,
  spendLimitQuerySchema,
  spendLimitUndoBodySchema,
} from './spend-limits';
import { snoozeCreateBodySchema, snoozeIdParamsSchema, snoozeListSchema, snoozeSchema } from './snoozes';
import { userDetailSchema, userEmailParamsSchema, userListSchema, userSearchQuerySchema } from './users';

/** The Grafana role the plugin's proxy route requires (plugin.json mirrors this). */
export type RouteRole = 'Viewer' | 'Editor' | 'Admin' | 'public';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify path, `:name` for parameters. */
  path: string;
  role: RouteRole;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
}

const route = <R extends ApiRoute>(r: R) => r;

/** Every endpoint of the worker API: the single source both the server and the plugin validate against. */
export const API_ROUTES = {
  listIncidents: route({
    method: 'GET',
    path: '/api/incidents',
    role: 'Viewer',
    query: incidentListQuerySchema,
    response: incidentListSchema,
  }),
  getIncident: route({
    method: 'GET',
    path: '/api/incidents/:id',
    role: 'Viewer',
    params: incidentIdParamsSchema,
    response: incidentDetailSchema,
  }),
  acknowledgeIncident: route({
    method: 'POST',
    path: '/api/incidents/:id/acknowledge',
    role: 'Editor',
    params: incidentIdParamsSchema,
    body: acknowledgeBodySchema,
    response: incidentSchema,
  }),
  resolveIncident: route({
    method: 'POST',
    path: '/api/incidents/:id/resolve',
    role: 'Editor',
    params: incidentIdParamsSchema,
    body: resolveBodySchema,
    response: incidentSchema,
  }),
  reopenIncident: route({
    method: 'POST',
    path: '/api/incidents/:id/reopen',
    role: 'Editor',
    params: incidentIdParamsSchema,
    body: reopenBodySchema,
    response: incidentSchema,
  }),
  listSnoozes: route({ method: 'GET', path: '/api/snoozes', role: 'Viewer', response: snoozeListSchema }),
  createSnooze: route({
    method: 'POST',
    path: '/api/snoozes',
    role: 'Editor',
    body: snoozeCreateBodySchema,
    response: snoozeSchema,
  }),
  deleteSnooze: route({
    method: 'DELETE',
    path: '/api/snoozes/:id',
    role: 'Editor',
    params: snoozeIdParamsSchema,
    response: okSchema,
  }),
  incidentMetrics: route({
    method: 'GET',
    path: '/api/metrics/incidents',
    role: 'Viewer',
    query: incidentMetricsQuerySchema,
    response: incidentMetricsSchema,
  }),
  searchUsers: route({
    method: 'GET',
    path: '/api/users',
    role: 'Viewer',
    query: userSearchQuerySchema,
    response: userListSchema,
  }),
  getUser: route({
    method: 'GET',
    path: '/api/users/:email',
    role: 'Viewer',
    params: userEmailParamsSchema,
    response: userDetailSchema,
  }),
  getSettings: route({ method: 'GET', path: '/api/settings', role: 'Viewer', response: settingsResponseSchema }),
  updateSettings: route({
    method: 'PUT',
    path: '/api/settings',
    role: 'Admin',
    body: settingsPatchSchema,
    response: settingsResponseSchema,
  }),
  previewSettings: route({
    method: 'POST',
    path: '/api/settings/preview',
    role: 'Admin',
    body: settingsPatchSchema,
    response: settingsPreviewSchema,
  }),
  testNotification: route({
    method: 'POST',
    path: '/api/notifications/test',
    role: 'Admin',
    body: notificationTestBodySchema,
    response: notificationTestResultSchema,
  }),
  collectionStatus: route({
    method: 'GET',
    path: '/api/collection/status',
    role: 'Viewer',
    response: collectionStatusSchema,
  }),
  runCollection: route({
    method: 'POST',
    path: '/api/collection/run',
    role: 'Editor',
    body: z.object({}).strict().optional(),
    response: collectionRunResultSchema,
  }),
  health: route({ method: 'GET', path: '/healthz', role: 'public', response: healthSchema }),
  getSpendLimit: route({
    method: 'GET',
    path: '/api/spend-limits/:email',
    role: 'Viewer',
    params: spendLimitEmailParamsSchema,
    query: spendLimitQuerySchema,
    response: spendLimitInfoSchema,
  }),
  changeSpendLimit: route({
    method: 'POST',
    path: '/api/spend-limits',
    role: 'Admin',
    body: spendLimitChangeBodySchema,
    response: spendLimitChangeResultSchema,
  }),
  undoSpendLimitChange: route({
    method: 'POST',
    path: '/api/spend-limits/changes/:id/undo',
    role: 'Admin',
    params: spendLimitChangeIdParamsSchema,
    body: spendLimitUndoBodySchema,
    response: spendLimitChangeResultSchema,
  }),
  /** JSON by default; `format=csv` answers text/csv with CHARGEBACK_CSV_COLUMNS as its header. */
  chargeback: route({
    method: 'GET',
    path: '/api/chargeback',
    role: 'Viewer',
    query: chargebackQuerySchema,
    response: chargebackReportSchema,
  }),
  getNudgeStatus: route({
    method: 'GET',
    path: '/api/users/:email/nudges',
    role: 'Viewer',
    params: userEmailParamsSchema,
    response: nudgeStatusSchema,
  }),
  setNudgeOptOut: route({
    method: 'PUT',
    path: '/api/users/:email/nudge-opt-out',
    role: 'Editor',
    params: userEmailParamsSchema,
    body: nudgeOptOutBodySchema,
    response: nudgeStatusSchema,
  }),
} satisfies Record<string, ApiRoute>;

export type ApiRouteName = keyof typeof API_ROUTES;

/** Finds the route a concrete method + path belongs to, with its path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { name: ApiRouteName; route: ApiRoute; params: Record<string, string> } | null {
  const clean = path.split('?')[0];
  for (const [name, r] of Object.entries(API_ROUTES) as [ApiRouteName, ApiRoute][]) {
    if (r.method !== method.toUpperCase()) continue;
    const want = r.path.split('/');
    const got = clean.split('/');
    if (want.length !== got.length) continue;
    const params: Record<string, string> = {};
    const ok = want.every((seg, i) => {
      if (seg.startsWith(':')) {
        params[seg.slice(1)] = decodeURIComponent(got[i]);
        return got[i] !== '';
      }
      return seg === got[i];
    });
    if (ok) return { name, route: r, params };
  }
  return null;
}
