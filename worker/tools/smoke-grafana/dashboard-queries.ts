// What Grafana's frontend sends to /api/ds/query for a dashboard's panels, reproduced from its code so the smoke
// test asks the live stack exactly what a browser would:
// - variables: TemplateSrv.replace with SqlDatasource.interpolateVariable (public/app/features/plugins/sql/datasource/
//   SqlDatasource.ts): a multi/all variable's values single-quoted and comma-joined, a custom all value as is;
//   a custom variable's options from its comma list (custom/reducer.ts); a query variable's options from the
//   __value/__text columns or the first column (SqlDatasource.metricFindQuery); an empty or unknown current value
//   falls back to the first option (variables/state/actions.ts validateVariableSelectionState);
// - the request body: {queries: [{refId, datasource, rawSql, format, intervalMs, maxDataPoints}], from, to}
//   (pkg/api/dtos MetricRequest, handled by pkg/api/ds_query.go QueryMetricsV2); built-ins such as $__timeFilter and
//   $__interval stay for the backend (sqleng.Interpolate and the Postgres macro engine).

export interface DsRef {
  uid?: string;
  type?: string;
}

export interface TargetJson {
  refId: string;
  datasource?: DsRef;
  rawSql?: string;
  format?: string;
  hide?: boolean;
}

export interface PanelJson {
  id: number;
  title: string;
  type: string;
  interval?: string;
  maxDataPoints?: number;
  datasource?: DsRef;
  targets?: TargetJson[];
  panels?: PanelJson[];
}

export interface VariableJson {
  name: string;
  type: string;
  query?: string | { rawSql?: string };
  datasource?: DsRef;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current?: { value?: string | string[] };
}

export interface DashboardJson {
  uid: string;
  title: string;
  time: { from: string; to: string };
  templating?: { list: VariableJson[] };
  panels: PanelJson[];
}

export interface VariableValue {
  value: string | string[];
  multi: boolean;
  includeAll: boolean;
  allValue?: string | null;
  options: string[];
}

const ALL = '$__all';

/** Every panel, rows' nested panels included. */
export function allPanels(panels: PanelJson[]): PanelJson[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** custom/reducer.ts createCustomOptionsFromQuery: comma-separated, `\,` escapes a comma, `text : value` pairs. */
export function customOptions(query: string): string[] {
  return (query.match(/(?:\\,|[^,])+/g) ?? []).map((o) => {
    const text = o.trim().replace(/\\,/g, ',');
    const pair = /^\s*(.+?)\s:\s(.+)$/.exec(text);
    return pair ? pair[2].trim() : text;
  });
}

/** A data frame as /api/ds/query returns it (data.Frame JSON: schema.fields and data.values column-wise). */
export interface FrameJson {
  schema?: { fields?: { name: string; type?: string }[] };
  data?: { values?: unknown[][] };
}

export const frameRows = (f: FrameJson) => f.data?.values?.[0]?.length ?? 0;

/** SqlDatasource.metricFindQuery: __value (else __text, else the first column) of every row. */
export function optionsFromFrames(frames: FrameJson[]): string[] {
  const frame = frames[0];
  const fields = frame?.schema?.fields ?? [];
  const pick = ['__value', '__text'].map((n) => fields.findIndex((f) => f.name === n)).find((i) => i >= 0) ?? 0;
  return (frame?.data?.values?.[pick] ?? []).map((v) => String(v));
}

/** The variable's value on load: its saved current value, or the first option when that is empty. */
export function resolveVariable(v: VariableJson, options: string[]): VariableValue {
  const saved = v.current?.value;
  const empty = saved === undefined || saved === '' || (Array.isArray(saved) && saved.length === 0);
  const value = empty ? (v.multi ? options.slice(0, 1) : (options[0] ?? '')) : saved;
  return { value, multi: !!v.multi, includeAll: !!v.includeAll, allValue: v.allValue, options };
}

const quoteLiteral = (v: string) => `'${String(v).replace(/'/g, "''")}'`;

/** SqlDatasource.interpolateVariable. */
function sqlFormat(value: string | string[], v: VariableValue): string {
  if (typeof value === 'string') return v.multi || v.includeAll ? quoteLiteral(value) : value.replace(/'/g, "''");
  return value.map(quoteLiteral).join(',');
}

// public/app/features/variables/utils.ts variableRegex: $var, [[var]] / [[var:fmt]], ${var} / ${var.path} / ${var:fmt}
const VARIABLE_RE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

/** TemplateSrv.replace for a SQL target: dashboard variables only; unknown names and built-ins stay. */
export function interpolateSql(sql: string, variables: Record<string, VariableValue>): string {
  return sql.replace(VARIABLE_RE, (match, v1?: string, v2?: string, _f2?: string, v3?: string) => {
    const variable = variables[(v1 ?? v2 ?? v3) as string];
    if (!variable) return match;
    const isAll = variable.value === ALL || (Array.isArray(variable.value) && variable.value[0] === ALL);
    if (isAll) {
      if (variable.allValue) return variable.allValue; // template_srv.ts: a custom all value is not formatted
      return sqlFormat(variable.options, variable);
    }
    return sqlFormat(variable.value, variable);
  });
}

/** The query a variable runs to get its options (query variables of a SQL datasource), or null. */
export function variableQuery(v: VariableJson, range: { from: string; to: string }) {
  if (v.type !== 'query') return null;
  const rawSql = typeof v.query === 'string' ? v.query : (v.query?.rawSql ?? '');
  return {
    queries: [{ refId: 'variable', datasource: v.datasource, rawSql, format: 'table', rawQuery: true }],
    from: range.from,
    to: range.to,
  };
}

/** gtime-style "1h", "30m", "10s" (a panel's min interval) in milliseconds. */
export function intervalMs(text: string | undefined): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text ?? '');
  if (!m) return 0;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
}

export interface PanelRequest {
  label: string;
  dashboardUid: string;
  panelId: number;
  body: {
    queries: Record<string, unknown>[];
    from: string;
    to: string;
  };
}

/** One /api/ds/query body per panel, as the dashboard sends it on load over its default range. */
export function panelRequests(
  d: DashboardJson,
  variables: Record<string, VariableValue>,
  rangeMs: number,
): PanelRequest[] {
  return allPanels(d.panels)
    .filter((p) => (p.targets ?? []).some((t) => t.rawSql && !t.hide))
    .map((p) => {
      const maxDataPoints = p.maxDataPoints ?? 1000;
      const interval = Math.max(intervalMs(p.interval), Math.ceil(rangeMs / maxDataPoints), 1000);
      const queries = (p.targets ?? [])
        .filter((t) => t.rawSql && !t.hide)
        .map((t) => ({
          refId: t.refId,
          datasource: t.datasource ?? p.datasource,
          rawSql: interpolateSql(t.rawSql as string, variables),
          format: t.format ?? 'time_series',
          rawQuery: true,
          intervalMs: interval,
          maxDataPoints,
        }));
      return {
        label: `${d.title} / ${p.title}`,
        dashboardUid: d.uid,
        panelId: p.id,
        body: { queries, from: d.time.from, to: d.time.to },
      };
    });
}

/** "now-30d" → milliseconds (the forms dashboards use). */
export function relativeRangeMs(from: string): number {
  const m = /^now-(\d+)([mhdwMy])$/.exec(from);
  if (!m) return 86_400_000;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000 };
  return Number(m[1]) * unit[m[2] as 'm'];
}

/** pkg/api/ds_query.go answer: {results: {refId: {status, frames, error}}}: each refId's error, and its row count. */
export function queryResults(body: unknown): { refId: string; error?: string; rows: number }[] {
  const results = (body as { results?: Record<string, { error?: string; frames?: FrameJson[] }> })?.results ?? {};
  return Object.entries(results).map(([refId, r]) => ({
    refId,
    error: r.error,
    rows: (r.frames ?? []).reduce((n, f) => n + frameRows(f), 0),
  }));
}
