import type { Credentials, GrafanaClient } from './grafana-client';
import type { Check } from './table';

// What every smoke step gets: the options, an admin client and a reader of repository files.

export interface SmokeOptions {
  grafanaUrl: string;
  admin: Credentials;
  repoRoot: string;
  /** provisioning/alerting-policies/<alertsVia>.yaml is the mounted policy tree (docker-compose.yml). */
  alertsVia: string;
  /** Password of the Viewer/Editor/Admin users the run creates (or resets). */
  userPassword: string;
  log?: (line: string) => void;
}

export const PLUGIN_ID = 'cursorwatch-cost-app';

export type Step = (ctx: Context) => Promise<Check[]>;

export interface Context extends SmokeOptions {
  admin: Credentials;
  client: GrafanaClient;
  read: <T>(relative: string) => T;
}

export const check = (step: string, name: string, ok: boolean, detail: string, warn = false): Check => ({
  step,
  name,
  status: ok ? 'PASS' : warn ? 'WARN' : 'FAIL',
  detail,
});
