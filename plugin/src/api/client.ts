import {
  API_ROUTES,
  CHARGEBACK_CSV_COLUMNS,
  type ApiRouteName,
  type IncidentListQuery,
  type IncidentStatus,
  type NotificationChannel,
  type NudgeOptOutBody,
  type ResolveBody,
  type Severity,
  type SettingsPatch,
  type SnoozeCreateBody,
  type SpendLimitChangeBody,
} from '@cursor-cost-watch/contract';
import type { z } from 'zod';
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { PROXY_BASE } from '../constants';
import { failureOf, WorkerApiError } from './errors';

type Response<N extends ApiRouteName> = z.output<(typeof API_ROUTES)[N]['response']>;
type Query = Record<string, string | number | undefined>;

interface Call {
  params?: Record<string, string | number>;
  query?: Query;
  body?: unknown;
}

/** Fills `:name` segments of a contract path. */
export function pathFor(name: ApiRouteName, params: Record<string, string | number> = {}): string {
  return API_ROUTES[name].path.replace(/:([A-Za-z]+)/g, (_, key: string) => encodeURIComponent(String(params[key])));
}

async function call<N extends ApiRouteName>(name: N, { params, query, body }: Call = {}): Promise<Response<N>> {
  const route = API_ROUTES[name];
  const cleanQuery = query
    ? Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''))
    : undefined;
  let data: unknown;
  try {
    const res = await lastValueFrom(
      getBackendSrv().fetch<unknown>({
        url: `${PROXY_BASE}${pathFor(name, params)}`,
        method: route.method,
        params: cleanQuery,
        data: body,
        showErrorAlert: false,
        showSuccessAlert: false,
      }),
    );
    data = res.data;
  } catch (err) {
    throw failureOf(name, route.role, err);
  }
  const parsed = route.response.safeParse(data);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') ?? '';
    throw new WorkerApiError(
      'contract',
      `The worker answered ${route.method} ${route.path} in an unexpected shape (${where}): is it the same version as the plugin?`,
      200,
    );
  }
  return parsed.data as Response<N>;
}

/**
 * GET /api/chargeback with format=csv: the same report as CSV text. Checked against the contract's header line, as
 * JSON answers are checked against their schema.
 */
async function chargebackCsv(cycle?: string): Promise<string> {
  const route = API_ROUTES.chargeback;
  let text: unknown;
  try {
    const res = await lastValueFrom(
      getBackendSrv().fetch<string>({
        url: `${PROXY_BASE}${route.path}`,
        method: route.method,
        params: cycle ? { cycle, format: 'csv' } : { format: 'csv' },
        responseType: 'text',
        showErrorAlert: false,
        showSuccessAlert: false,
      }),
    );
    text = res.data;
  } catch (err) {
    throw failureOf('chargeback', route.role, err);
  }
  if (typeof text !== 'string' || !text.startsWith(`${CHARGEBACK_CSV_COLUMNS.join(',')}\r\n`)) {
    throw new WorkerApiError(
      'contract',
      `The worker answered ${route.method} ${route.path}?format=csv without the expected CSV header: is it the same version as the plugin?`,
      200,
    );
  }
  return text;
}

export interface IncidentFilters {
  status?: IncidentStatus[];
  severity?: Severity[];
  detector?: string[];
  user?: string;
  team?: string;
  from?: string;
  to?: string;
  sort?: IncidentListQuery['sort'];
  order?: 'asc' | 'desc';
  page?: number;
  pageSize?: number;
}

const csv = (xs?: string[]) => (xs && xs.length > 0 ? xs.join(',') : undefined);

/** The one typed client every page uses; all calls go through Grafana's plugin proxy. */
export const workerApi = {
  listIncidents: (f: IncidentFilters = {}) =>
    call('listIncidents', {
      query: { ...f, status: csv(f.status), severity: csv(f.severity), detector: csv(f.detector) },
    }),
  getIncident: (id: number) => call('getIncident', { params: { id } }),
  acknowledge: (id: number, note?: string) =>
    call('acknowledgeIncident', { params: { id }, body: note ? { note } : {} }),
  resolve: (id: number, body: ResolveBody) => call('resolveIncident', { params: { id }, body }),
  reopen: (id: number, note?: string) => call('reopenIncident', { params: { id }, body: note ? { note } : {} }),
  listSnoozes: () => call('listSnoozes'),
  createSnooze: (body: SnoozeCreateBody) => call('createSnooze', { body }),
  deleteSnooze: (id: number) => call('deleteSnooze', { params: { id } }),
  incidentMetrics: (range: { from?: string; to?: string } = {}) => call('incidentMetrics', { query: range }),
  searchUsers: (search?: string, limit?: number) => call('searchUsers', { query: { search, limit } }),
  getUser: (email: string) => call('getUser', { params: { email } }),
  getSettings: () => call('getSettings'),
  updateSettings: (patch: SettingsPatch) => call('updateSettings', { body: patch }),
  previewSettings: (patch: SettingsPatch) => call('previewSettings', { body: patch }),
  testNotification: (channel: NotificationChannel) => call('testNotification', { body: { channel } }),
  collectionStatus: () => call('collectionStatus'),
  runCollection: () => call('runCollection', { body: {} }),
  getSpendLimit: (email: string, incidentId?: number) =>
    call('getSpendLimit', { params: { email }, query: { incidentId } }),
  changeSpendLimit: (body: SpendLimitChangeBody) => call('changeSpendLimit', { body }),
  undoSpendLimitChange: (id: number, reason: string) =>
    call('undoSpendLimitChange', { params: { id }, body: { reason } }),
  chargeback: (cycle?: string) => call('chargeback', { query: { cycle } }),
  chargebackCsv,
  getNudgeStatus: (email: string) => call('getNudgeStatus', { params: { email } }),
  setNudgeOptOut: (email: string, body: NudgeOptOutBody) => call('setNudgeOptOut', { params: { email }, body }),
};

export type WorkerApi = typeof workerApi;
