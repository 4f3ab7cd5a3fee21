import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { alertRules, notifications } from './checks-alerting';
import { panels } from './checks-panels';
import { app, dashboards, datasource, health } from './checks-provisioned';
import { proxy } from './checks-proxy';
import { check, type Context, type SmokeOptions, type Step } from './context';
import { GrafanaClient } from './grafana-client';
import type { Check } from './table';

// The live checks of `npm run smoke:grafana`, in order, each against one Grafana HTTP API (handlers named in each
// checks-*.ts). What the stack should hold is read from the repository at run time: the provisioning files, the
// dashboards, the plugin's plugin.json and the worker routes of contract/src/routes.ts.

export type { SmokeOptions } from './context';
export { ensureRoleUsers } from './checks-proxy';

export const STEPS: Record<string, Step> = {
  health,
  datasource,
  dashboards,
  panels,
  alertRules,
  notifications,
  app,
  proxy,
};

/** fetch's "fetch failed" says little: name the cause (ECONNREFUSED, a timeout) and what to do. */
export function describeError(err: unknown, grafanaUrl: string): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  if (e.message === 'fetch failed' || e.name === 'TimeoutError')
    return `cannot reach Grafana at ${grafanaUrl}${cause ? ` (${cause})` : ` (${e.message})`}: is the stack up (docker compose up -d)?`;
  return e.message.slice(0, 200);
}

/** Runs every step in order; a step that throws is one FAIL line, and the run goes on. */
export async function runSmoke(options: SmokeOptions, only?: string[]): Promise<Check[]> {
  const client = new GrafanaClient(options.grafanaUrl, options.admin);
  const read = <T>(relative: string): T => {
    const text = fs.readFileSync(path.join(options.repoRoot, relative), 'utf8');
    return (relative.endsWith('.json') ? JSON.parse(text) : parse(text)) as T;
  };
  const ctx: Context = { ...options, client, read };
  const checks: Check[] = [];
  for (const [name, step] of Object.entries(STEPS)) {
    if (only && !only.includes(name)) continue;
    options.log?.(`smoke:grafana: ${name}…`);
    try {
      checks.push(...(await step(ctx)));
    } catch (err) {
      checks.push(check(name, `${name} step`, false, describeError(err, options.grafanaUrl)));
    }
  }
  return checks;
}
