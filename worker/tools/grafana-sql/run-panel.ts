import type pg from 'pg';
import type { Dashboard, PanelQuery } from './dashboards';
import { expandGrafanaSql, panelIntervalMs, parseInterval, type TimeRange, type Variables } from './grafana-sql';

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * The dashboard's variables as Grafana would set them on load: custom variables from their list, query
 * variables from their SQL (run like a panel's), "All" where the dashboard's current value says so, otherwise
 * the first option. `overrides` stands for a user's selection (or a link's var-xxx).
 */
export async function resolveVariables(
  db: Queryable,
  d: Dashboard,
  range: TimeRange,
  overrides: Record<string, string | string[]> = {},
): Promise<Variables> {
  const variables: Variables = {};
  for (const v of d.templating.list) {
    let options: string[];
    if (v.type === 'custom') {
      options = (v.query ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
    } else if (v.type === 'query') {
      const sql = expandGrafanaSql(v.query ?? '', { range, intervalMs: panelIntervalMs(range), variables });
      const { rows } = await db.query<Record<string, unknown>>(sql);
      options = rows.map((r) => String('__value' in r ? r.__value : Object.values(r)[0]));
    } else {
      throw new Error(`${d.title}: variable ${v.name} has type ${v.type}, which this checker does not evaluate`);
    }
    const current = overrides[v.name] ?? v.current?.value;
    const hasCurrent = current !== undefined && !(Array.isArray(current) && current.length === 0) && current !== '';
    const value = hasCurrent ? current : v.includeAll ? ['$__all'] : v.multi ? [options[0]] : options[0];
    if (value === undefined)
      throw new Error(`${d.title}: variable ${v.name} has no options (its query returned no rows)`);
    variables[v.name] = { value, multi: v.multi, includeAll: v.includeAll, allValue: v.allValue, options };
  }
  return variables;
}

export interface PanelResult {
  sql: string;
  rows: Record<string, unknown>[];
  fields: string[];
}

export async function runPanelQuery(
  db: Queryable,
  q: PanelQuery,
  range: TimeRange,
  variables: Variables,
): Promise<PanelResult> {
  const minMs = q.minInterval ? parseInterval(q.minInterval) : 1;
  const sql = expandGrafanaSql(q.target.rawSql ?? '', {
    range,
    intervalMs: panelIntervalMs(range, 1000, minMs),
    variables,
  });
  try {
    const res = await db.query<Record<string, unknown>>(sql);
    return { sql, rows: res.rows, fields: res.fields.map((f) => f.name) };
  } catch (err) {
    throw new Error(`${q.label}: ${(err as Error).message}\n--- SQL as Grafana would send it ---\n${sql}`);
  }
}

const isTime = (v: unknown) =>
  v instanceof Date ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v));
const timeMs = (v: unknown) =>
  v instanceof Date ? v.getTime() : typeof v === 'number' ? v * 1000 : Date.parse(v as string);

/**
 * What Grafana's time_series format needs (sqleng processFrame): a column named "time", rows in ascending time
 * (long frames are converted to wide, which requires it), every other column numeric, or a string label.
 * Returns the problems found, empty when the result is a valid series.
 */
export function timeSeriesProblems(r: PanelResult): string[] {
  const problems: string[] = [];
  if (!r.fields.includes('time')) return [`no "time" column (columns: ${r.fields.join(', ')})`];
  const valueFields = r.fields.filter((f) => f !== 'time');
  let previous = -Infinity;
  r.rows.forEach((row, i) => {
    if (!isTime(row.time)) problems.push(`row ${i}: time ${JSON.stringify(row.time)} is not a time`);
    const t = timeMs(row.time);
    if (t < previous) problems.push(`row ${i}: time goes backwards (${JSON.stringify(row.time)})`);
    previous = t;
  });
  const numeric = valueFields.filter((f) => r.rows.some((row) => typeof row[f] === 'number'));
  if (r.rows.length > 0 && numeric.length === 0)
    problems.push(`no numeric value column (columns: ${valueFields.join(', ')})`);
  for (const f of valueFields) {
    const kinds = new Set(r.rows.map((row) => (row[f] === null ? 'null' : typeof row[f])));
    kinds.delete('null');
    if (kinds.size > 1 || (kinds.size === 1 && !kinds.has('number') && !kinds.has('string'))) {
      problems.push(`column ${f} mixes or has non-numeric values (${[...kinds].join(', ')})`);
    }
  }
  return problems.slice(0, 5);
}

/** At least one row with a non-null number: the panel shows something. */
export function showsData(r: PanelResult): boolean {
  return r.rows.some((row) =>
    Object.entries(row).some(
      ([k, v]) =>
        k !== 'time' && ((typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v !== '')),
    ),
  );
}
