import {
  customOptions,
  type DashboardJson,
  type FrameJson,
  optionsFromFrames,
  panelRequests,
  queryResults,
  relativeRangeMs,
  resolveVariable,
  type VariableValue,
  variableQuery,
} from './dashboard-queries';
import { dashboardsOnDisk } from './checks-provisioned';
import { check, type Step } from './context';
import { type GrafanaClient, isObject, messageOf } from './grafana-client';
import type { Check } from './table';

/** Resolves a dashboard's variables as the frontend does on load, running query variables through /api/ds/query. */
async function resolveVariables(client: GrafanaClient, d: DashboardJson): Promise<Record<string, VariableValue>> {
  const out: Record<string, VariableValue> = {};
  for (const v of d.templating?.list ?? []) {
    let options: string[] = [];
    if (v.type === 'custom') options = customOptions(typeof v.query === 'string' ? v.query : '');
    const q = variableQuery(v, d.time);
    if (q) {
      const res = await client.post('/api/ds/query', q);
      const frames =
        (res.body as { results?: Record<string, { frames?: FrameJson[] }> })?.results?.variable?.frames ?? [];
      options = optionsFromFrames(frames);
    }
    out[v.name] = resolveVariable(v, options);
  }
  return out;
}

/**
 * POST /api/ds/query (pkg/api/ds_query.go QueryMetricsV2) for every panel of every dashboard as Grafana serves it
 * (GET /api/dashboards/uid/:uid): an error fails; a panel without rows is a warning (the stack may be young).
 */
export const panels: Step = async ({ client, ...ctx }) => {
  const out: Check[] = [];
  for (const local of dashboardsOnDisk({ client, ...ctx })) {
    const served = await client.get(`/api/dashboards/uid/${local.uid}`);
    const d =
      isObject(served.body) && isObject(served.body.dashboard)
        ? (served.body.dashboard as unknown as DashboardJson)
        : null;
    if (!d) {
      out.push(check('panels', `${local.uid}: dashboard`, false, `HTTP ${served.status}: ${messageOf(served.body)}`));
      continue;
    }
    const variables = await resolveVariables(client, d);
    for (const req of panelRequests(d, variables, relativeRangeMs(d.time.from))) {
      const res = await client.post('/api/ds/query', req.body);
      const results = queryResults(res.body);
      const errors = results.filter((r) => r.error).map((r) => `${r.refId}: ${r.error}`);
      const rows = results.reduce((n, r) => n + r.rows, 0);
      if (res.status >= 400 && errors.length === 0) errors.push(`HTTP ${res.status}: ${messageOf(res.body)}`);
      if (errors.length > 0) out.push(check('panels', req.label, false, errors.join('; ').slice(0, 200)));
      else
        out.push(
          check(
            'panels',
            req.label,
            rows > 0,
            rows > 0 ? `${rows} rows` : 'no rows (nothing collected for it yet?)',
            true,
          ),
        );
    }
  }
  return out;
};
