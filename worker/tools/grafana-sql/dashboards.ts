import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/config';

export const PROVISIONING_DIR = path.join(REPO_ROOT, 'provisioning');
export const DASHBOARD_DIR = path.join(PROVISIONING_DIR, 'dashboards', 'json');

export interface Target {
  refId: string;
  datasource?: { type?: string; uid?: string };
  rawSql?: string;
  format?: 'table' | 'time_series';
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  interval?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  fieldConfig?: { defaults?: Record<string, unknown>; overrides?: { properties: { id: string; value: unknown }[] }[] };
  options?: Record<string, unknown>;
}

export interface VariableModel {
  name: string;
  type: string;
  query?: string;
  datasource?: { type?: string; uid?: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current?: { value?: string | string[]; text?: string | string[] };
}

export interface Dashboard {
  uid: string;
  title: string;
  time: { from: string; to: string };
  panels: Panel[];
  templating: { list: VariableModel[] };
  annotations: { list: { name: string; datasource?: { uid?: string }; target?: Target; builtIn?: number }[] };
  links: { type: string; url?: string; tags?: string[] }[];
}

export interface DashboardFile {
  file: string;
  dashboard: Dashboard;
}

/** Every provisioned dashboard, parsed (a syntax error names the file). */
export function loadDashboards(): DashboardFile[] {
  return fs
    .readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(DASHBOARD_DIR, file), 'utf8');
      try {
        return { file, dashboard: JSON.parse(text) as Dashboard };
      } catch (err) {
        throw new Error(`provisioning/dashboards/json/${file} is not valid JSON: ${(err as Error).message}`);
      }
    });
}

/** Panels including those nested in collapsed rows. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export interface PanelQuery {
  dashboard: Dashboard;
  /** "Dashboard title / panel title" or "... / annotation name". */
  label: string;
  panel?: Panel;
  target: Target;
  /** Panel min interval ("1h"), the floor of $__interval. */
  minInterval?: string;
}

/** Every SQL query of a dashboard: panel targets and annotation queries. */
export function panelQueries(d: Dashboard): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const panel of allPanels(d)) {
    for (const target of panel.targets ?? []) {
      queries.push({ dashboard: d, label: `${d.title} / ${panel.title}`, panel, target, minInterval: panel.interval });
    }
  }
  for (const a of d.annotations.list) {
    if (a.target?.rawSql) queries.push({ dashboard: d, label: `${d.title} / annotation ${a.name}`, target: a.target });
  }
  return queries;
}

/** "now-30d" → milliseconds before now (the forms these dashboards use). */
export function relativeMs(text: string): number {
  if (text === 'now') return 0;
  const m = /^now-(\d+)([mhdwMy])$/.exec(text);
  if (!m) throw new Error(`Unsupported relative time "${text}"`);
  const unit: Record<string, number> = {
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    M: 30 * 86_400_000,
    y: 365 * 86_400_000,
  };
  return Number(m[1]) * unit[m[2]];
}
