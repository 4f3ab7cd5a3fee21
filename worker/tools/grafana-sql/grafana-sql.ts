/**
 * What Grafana does to a panel's SQL before PostgreSQL sees it, reproduced step by step from Grafana's source:
 * 1. the frontend's template service (`TemplateSrv.replace` with `SqlDatasource.interpolateVariable`) replaces
 *    dashboard variables (`$var`, `${var}`, `${var:fmt}`, `[[var]]`) and the built-ins ($__interval, $__from, ...);
 * 2. the backend's global substitutions (`sqleng.Interpolate`): $__interval_ms, $__interval, $__unixEpochFrom/To();
 * 3. the Postgres macro engine (`grafana-postgresql-datasource/macros.go`): $__time, $__timeFilter, $__timeGroup...
 * Alert rules skip step 1 (no dashboard in the loop). A macro Grafana does not know is an error there, and here.
 */

export interface TimeRange {
  from: Date;
  to: Date;
}

/** A dashboard variable's current state, as the template service sees it. */
export interface VariableState {
  /** One value, several values, or all of them ('$__all' selected). */
  value: string | string[];
  multi?: boolean;
  includeAll?: boolean;
  /** The variable's custom "All" value: inserted as is, never quoted (Grafana skips formatting it). */
  allValue?: string | null;
  /** Every option's value: what "All" stands for when there is no custom all value. */
  options?: string[];
}

export type Variables = Record<string, VariableState>;

// public/app/features/variables/utils.ts: $var | [[var]] / [[var:fmt]] | ${var} / ${var.path} / ${var:fmt}
const VARIABLE_RE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
// macros.go: `\$` + `([_a-zA-Z0-9]+)` + `\(([^\)]*)\)`
const MACRO_RE = /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g;

const ALL = '$__all';

/** SqlDatasource.interpolateVariable: the default format of every variable in a SQL panel. */
function sqlInterpolate(value: string | string[], variable: Pick<VariableState, 'multi' | 'includeAll'>): string {
  const quoteLiteral = (v: string) => `'${String(v).replace(/'/g, "''")}'`;
  if (typeof value === 'string') {
    return variable.multi || variable.includeAll ? quoteLiteral(value) : value.replace(/'/g, "''");
  }
  return value.map(quoteLiteral).join(',');
}

/** The explicit formats a panel may ask for with ${var:format}. */
function formatValue(
  value: string | string[],
  fmt: string | undefined,
  variable: VariableState | Record<string, never>,
): string {
  if (fmt === undefined) return sqlInterpolate(value, variable);
  const list = Array.isArray(value) ? value : [value];
  switch (fmt) {
    case 'raw':
    case 'text':
    case 'csv':
      return list.join(',');
    case 'pipe':
      return list.join('|');
    case 'singlequote':
      return list.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'doublequote':
      return list.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    case 'sqlstring':
      return list.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
    default:
      throw new Error(
        `Unsupported variable format ":${fmt}" (this checker knows raw, text, csv, pipe, singlequote, doublequote, sqlstring)`,
      );
  }
}

/** Grafana's interval string for a duration (gtime.FormatInterval). */
export function formatInterval(ms: number): string {
  const units: [number, string][] = [
    [365 * 86_400_000, 'y'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ];
  for (const [size, unit] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return '1ms';
}

/** The built-in variables the frontend supplies with every query (scopedVars + global variables). */
export function builtIns(range: TimeRange, intervalMs: number): Record<string, string> {
  return {
    __interval: formatInterval(intervalMs),
    __interval_ms: String(intervalMs),
    __from: String(range.from.getTime()),
    __to: String(range.to.getTime()),
    __range_ms: String(range.to.getTime() - range.from.getTime()),
    __range_s: String(Math.floor((range.to.getTime() - range.from.getTime()) / 1000)),
  };
}

/** Step 1: TemplateSrv.replace(rawSql, scopedVars, interpolateVariable). Unknown names are left as they are. */
export function replaceVariables(sql: string, variables: Variables, builtins: Record<string, string> = {}): string {
  const replace = (text: string): string =>
    text.replace(
      VARIABLE_RE,
      (match, var1?: string, var2?: string, fmt2?: string, var3?: string, _path?: string, fmt3?: string) => {
        const name = (var1 ?? var2 ?? var3) as string;
        const fmt = fmt2 ?? fmt3;
        if (name in builtins) return formatValue(builtins[name], fmt, {});
        const variable = variables[name];
        if (!variable) return match;
        let value = variable.value;
        const isAll = value === ALL || (Array.isArray(value) && value[0] === ALL);
        if (isAll) {
          // template_srv.ts: a custom all value skips formatting unless the format is text or percentencode.
          if (variable.allValue && fmt !== 'text' && fmt !== 'percentencode') return replace(variable.allValue);
          value = variable.options ?? [];
        }
        return formatValue(value, fmt, variable);
      },
    );
  return replace(sql);
}

/** RFC3339Nano as Go prints it: UTC, "Z", fractional seconds without trailing zeros. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** gtime.ParseInterval: Go durations plus d, w, M and y (M and y measured from now, as Grafana does). */
export function parseInterval(text: string, now = new Date()): number {
  const date = /^(\d+)([dwMy])$/.exec(text);
  if (date) {
    const n = Number(date[1]);
    switch (date[2]) {
      case 'd':
        return n * 86_400_000;
      case 'w':
        return n * 7 * 86_400_000;
      case 'M': {
        const later = new Date(now);
        later.setUTCMonth(later.getUTCMonth() + n);
        return later.getTime() - now.getTime();
      }
      default: {
        const later = new Date(now);
        later.setUTCFullYear(later.getUTCFullYear() + n);
        return later.getTime() - now.getTime();
      }
    }
  }
  // time.ParseDuration: a sequence of decimal numbers with units.
  const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`error parsing interval ${text}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * unitMs[p[2]], 0);
}

/** Step 2: sqleng.Interpolate, the substitutions every SQL datasource shares. */
export function interpolateGlobals(sql: string, range: TimeRange, intervalMs: number): string {
  return sql
    .replaceAll('$__interval_ms', String(Math.trunc(intervalMs)))
    .replaceAll('$__interval', formatInterval(intervalMs))
    .replaceAll('$__unixEpochFrom()', String(unix(range.from)))
    .replaceAll('$__unixEpochTo()', String(unix(range.to)));
}

function checkFill(arg: string): void {
  if (arg === 'NULL' || arg === 'previous') return;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(arg)) throw new Error(`error parsing fill value ${arg}`);
}

function evaluateMacro(name: string, args: string[], range: TimeRange): string {
  // Go's strings.Split never returns an empty list, so a missing column is "" and the SQL fails in Postgres.
  const needColumn = () => args[0];
  const group = (macro: string, format: (column: string, seconds: number) => string) => {
    if (args.length < 2) throw new Error(`macro ${macro} needs time column and interval and optional fill value`);
    let ms: number;
    try {
      ms = parseInterval(args[1].replace(/^'+|'+$/g, ''));
    } catch {
      throw new Error(`error parsing interval ${args[1]}`);
    }
    if (args.length === 3) checkFill(args[2]);
    return format(args[0], ms / 1000);
  };
  switch (name) {
    case '__time':
      return `${needColumn()} AS "time"`;
    case '__timeEpoch':
      return `extract(epoch from ${needColumn()}) as "time"`;
    case '__timeFilter':
      return `${needColumn()} BETWEEN '${rfc3339Nano(range.from)}' AND '${rfc3339Nano(range.to)}'`;
    case '__timeFrom':
      return `'${rfc3339Nano(range.from)}'`;
    case '__timeTo':
      return `'${rfc3339Nano(range.to)}'`;
    case '__timeGroup':
      return group(name, (c, s) => `floor(extract(epoch from ${c})/${s})*${s}`);
    case '__timeGroupAlias':
      return `${evaluateMacro('__timeGroup', args, range)} AS "time"`;
    case '__unixEpochFilter':
      return `${needColumn()} >= ${unix(range.from)} AND ${args[0]} <= ${unix(range.to)}`;
    case '__unixEpochNanoFilter':
      return `${needColumn()} >= ${BigInt(range.from.getTime()) * 1_000_000n} AND ${args[0]} <= ${BigInt(range.to.getTime()) * 1_000_000n}`;
    case '__unixEpochNanoFrom':
      return String(BigInt(range.from.getTime()) * 1_000_000n);
    case '__unixEpochNanoTo':
      return String(BigInt(range.to.getTime()) * 1_000_000n);
    case '__unixEpochGroup':
      return group(name, (c, s) => `floor((${c})/${s})*${s}`);
    case '__unixEpochGroupAlias':
      return `${evaluateMacro('__unixEpochGroup', args, range)} AS "time"`;
    default:
      throw new Error(`unknown macro "${name}"`);
  }
}

/** Step 3: the Postgres macro engine. */
export function expandMacros(sql: string, range: TimeRange): string {
  return sql.replace(MACRO_RE, (whole: string, macro: string, argText: string) => {
    let name = macro;
    // Pre-5.3 compatibility kept by Grafana: `$__timeGroup(...)` directly followed by ',' gets the alias.
    if (name === '__timeGroup') {
      const at = sql.indexOf(whole);
      if (at >= 0 && sql[at + whole.length] === ',') name = '__timeGroupAlias';
    }
    const args = argText.split(',').map((a) => a.trim());
    return evaluateMacro(name, args, range);
  });
}

export interface ExpandOptions {
  range: TimeRange;
  /** The panel's $__interval in milliseconds (Grafana: range / max data points, at least the panel's min interval). */
  intervalMs: number;
  variables?: Variables;
  /** Alert rules go straight to the backend: no dashboard variables, no frontend step. */
  backendOnly?: boolean;
}

/** The SQL PostgreSQL receives for a panel (or an alert rule) in Grafana. */
export function expandGrafanaSql(rawSql: string, opts: ExpandOptions): string {
  const afterFrontend = opts.backendOnly
    ? rawSql
    : replaceVariables(rawSql, opts.variables ?? {}, builtIns(opts.range, opts.intervalMs));
  return expandMacros(interpolateGlobals(afterFrontend, opts.range, opts.intervalMs), opts.range);
}

/** Grafana's $__interval: the range over max data points, rounded to a "nice" interval, at least minIntervalMs. */
export function panelIntervalMs(range: TimeRange, maxDataPoints = 1000, minIntervalMs = 1): number {
  const raw = (range.to.getTime() - range.from.getTime()) / maxDataPoints;
  // rangeutil.roundInterval thresholds (public/app/core/utils/rangeutil, same table as Go's gtime.roundInterval)
  const steps: [number, number][] = [
    [15, 10],
    [35, 20],
    [75, 50],
    [150, 100],
    [350, 200],
    [750, 500],
    [1500, 1000],
    [3500, 2000],
    [7500, 5000],
    [12_500, 10_000],
    [17_500, 15_000],
    [25_000, 20_000],
    [45_000, 30_000],
    [90_000, 60_000],
    [210_000, 120_000],
    [450_000, 300_000],
    [750_000, 600_000],
    [1_050_000, 900_000],
    [1_500_000, 1_200_000],
    [2_700_000, 1_800_000],
    [5_400_000, 3_600_000],
    [9_000_000, 7_200_000],
    [16_200_000, 10_800_000],
    [32_400_000, 21_600_000],
    [86_400_000, 43_200_000],
    [604_800_000, 86_400_000],
    [1_814_400_000, 604_800_000],
    [3_628_800_000, 2_592_000_000],
  ];
  const rounded = steps.find(([limit]) => raw < limit)?.[1] ?? 31_536_000_000;
  return Math.max(rounded, minIntervalMs);
}
