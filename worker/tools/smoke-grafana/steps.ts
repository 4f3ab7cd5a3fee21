import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { evalProblems, evalRequest, type ProvisionedRule } from './alert-eval';
import {
  type DashboardJson,
  optionsFromFrames,
  panelRequests,
  queryResults,
  relativeRangeMs,
  resolveVariable,
  customOptions,
  type FrameJson,
  type VariableValue,
  variableQuery,
} from './dashboard-queries';
import { type Credentials, GrafanaClient, isObject, messageOf } from './grafana-client';
import { buildProbes, type OrgRole, type PluginRoute, probeOutcome, ROLES, type Samples } from './proxy-routes';
import type { Check } from './table';

// The live checks of `npm run smoke:grafana`, each against one Grafana HTTP API (handlers named per step). What
// the stack should hold is read from the repository at run time: the provisioning files, the dashboards, the
// plugin's plugin.json and the worker routes of contract/src/routes.ts.

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

const PLUGIN_ID = 'cursorwatch-cost-app';

type Step = (ctx: Context) => Promise<Check[]>;

interface Context extends SmokeOptions {
  admin: Credentials;
  client: GrafanaClient;
  read: <T>(relative: string) => T;
}

const check = (step: string, name: string, ok: boolean, detail: string, warn = false): Check => ({
  step,
  name,
  status: ok ? 'PASS' : warn ? 'WARN' : 'FAIL',
  detail,
});

/** GET /api/health (pkg/api/health.go apiHealthHandler): {database: "ok"} once Grafana and its database are up. */
const health: Step = async ({ client }) => {
  const res = await client.get('/api/health');
  const db = isObject(res.body) ? res.body.database : undefined;
  return [
    check(
      'health',
      'Grafana answers /api/health',
      res.status === 200 && db === 'ok',
      `HTTP ${res.status}, database ${String(db)}`,
    ),
  ];
};

/** The datasource by uid, then its health check (pkg/api/datasources.go CheckDatasourceHealthWithUID). */
const datasource: Step = async ({ client, read }) => {
  const file = read<{ datasources: { uid: string; type: string }[] }>('provisioning/datasources/cursor-postgres.yaml');
  const out: Check[] = [];
  for (const ds of file.datasources) {
    const got = await client.get(`/api/datasources/uid/${ds.uid}`);
    const type = isObject(got.body) ? got.body.type : undefined;
    out.push(
      check(
        'datasource',
        `${ds.uid} is provisioned as ${ds.type}`,
        got.status === 200 && type === ds.type,
        `HTTP ${got.status}, type ${String(type)}`,
      ),
    );
    const h = await client.get(`/api/datasources/uid/${ds.uid}/health`);
    const status = isObject(h.body) ? h.body.status : undefined;
    out.push(
      check(
        'datasource',
        `${ds.uid} health check`,
        h.status === 200 && status === 'OK',
        `HTTP ${h.status}: ${messageOf(h.body)}`,
      ),
    );
  }
  return out;
};

interface Provider {
  folder: string;
  folderUid?: string;
}

function dashboardsOnDisk(ctx: Context): DashboardJson[] {
  const dir = path.join(ctx.repoRoot, 'provisioning/dashboards/json');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as DashboardJson);
}

/** GET /api/search?type=dash-db (pkg/api/search.go): each dashboard file is there, in the provider's folder. */
const dashboards: Step = async (ctx) => {
  const provider = ctx.read<{ providers: Provider[] }>('provisioning/dashboards/cursor-cost-watch.yaml').providers[0];
  const res = await ctx.client.get('/api/search?type=dash-db&limit=5000');
  const hits = Array.isArray(res.body) ? (res.body as { uid: string; folderTitle?: string; folderUid?: string }[]) : [];
  return dashboardsOnDisk(ctx).map((d) => {
    const hit = hits.find((h) => h.uid === d.uid);
    const ok =
      !!hit && hit.folderTitle === provider.folder && (!provider.folderUid || hit.folderUid === provider.folderUid);
    return check(
      'dashboards',
      `${d.uid} is in folder "${provider.folder}"`,
      ok,
      hit ? `folder "${hit.folderTitle}" (${hit.folderUid})` : `not found (HTTP ${res.status})`,
    );
  });
};

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
const panels: Step = async ({ client, ...ctx }) => {
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

/**
 * GET /api/v1/provisioning/alert-rules (ngalert api_provisioning.go RouteGetAlertRules): every rule of rules.yaml,
 * provenance file, in its group's folder (GET /api/folders/:uid); then each evaluates through POST /api/v1/eval.
 */
const alertRules: Step = async ({ client, read }) => {
  const file = read<{ groups: { name: string; folder: string; rules: { uid: string; title: string }[] }[] }>(
    'provisioning/alerting/rules.yaml',
  );
  const res = await client.get('/api/v1/provisioning/alert-rules');
  const listed = Array.isArray(res.body) ? (res.body as ProvisionedRule[]) : [];
  const out: Check[] = [];
  for (const group of file.groups) {
    for (const r of group.rules) {
      const rule = listed.find((l) => l.uid === r.uid);
      if (!rule) {
        out.push(
          check(
            'alert rules',
            `${r.uid} is provisioned`,
            false,
            `not listed (HTTP ${res.status}, ${listed.length} rules)`,
          ),
        );
        continue;
      }
      const folder = await client.get(`/api/folders/${rule.folderUID}`);
      const title = isObject(folder.body) ? folder.body.title : undefined;
      const placed = rule.provenance === 'file' && rule.ruleGroup === group.name && title === group.folder;
      out.push(
        check(
          'alert rules',
          `${r.uid} is provisioned`,
          placed,
          `provenance ${String(rule.provenance)}, group ${rule.ruleGroup}, folder "${String(title)}"`,
        ),
      );
      const ev = await client.post('/api/v1/eval', evalRequest(rule));
      const problems = evalProblems(rule, ev.status, ev.body);
      out.push(
        check(
          'alert rules',
          `${r.uid} evaluates`,
          problems.length === 0,
          problems.length
            ? problems.join('; ').slice(0, 200)
            : `${rule.data.length} queries and expressions without error`,
        ),
      );
    }
  }
  return out;
};

/**
 * Contact points, the policy tree, mute timings and templates (ngalert api_provisioning.go RouteGetContactpoints,
 * RouteGetPolicyTree, RouteGetMuteTimings, RouteGetTemplates) hold what the mounted files provision.
 */
const notifications: Step = async ({ client, read, alertsVia }) => {
  const out: Check[] = [];
  const cps = read<{ contactPoints: { name: string }[] }>(
    'provisioning/alerting/contact-points.yaml',
  ).contactPoints.map((c) => c.name);
  const gotCps = await client.get('/api/v1/provisioning/contact-points');
  const names = new Set(Array.isArray(gotCps.body) ? (gotCps.body as { name: string }[]).map((c) => c.name) : []);
  for (const n of cps)
    out.push(
      check(
        'notifications',
        `contact point ${n}`,
        names.has(n),
        names.has(n) ? 'present' : `missing (HTTP ${gotCps.status})`,
      ),
    );

  const policyFile = read<{ policies: { receiver: string; routes?: { receiver: string }[] }[] }>(
    `provisioning/alerting-policies/${alertsVia}.yaml`,
  ).policies[0];
  const tree = await client.get('/api/v1/provisioning/policies');
  const root = isObject(tree.body) ? (tree.body as { receiver?: string; routes?: { receiver: string }[] }) : {};
  const want = [policyFile.receiver, ...(policyFile.routes ?? []).map((r) => r.receiver)].join(',');
  const got = [root.receiver, ...(root.routes ?? []).map((r) => r.receiver)].join(',');
  out.push(
    check(
      'notifications',
      `policy tree of ALERTS_VIA=${alertsVia}`,
      want === got,
      `receivers ${got || `none (HTTP ${tree.status})`}`,
    ),
  );

  const mutes = read<{ muteTimes: { name: string }[] }>('provisioning/alerting/mute-timings.yaml').muteTimes.map(
    (m) => m.name,
  );
  const gotMutes = await client.get('/api/v1/provisioning/mute-timings');
  const muteNames = new Set(
    Array.isArray(gotMutes.body) ? (gotMutes.body as { name: string }[]).map((m) => m.name) : [],
  );
  for (const n of mutes)
    out.push(check('notifications', `mute timing ${n}`, muteNames.has(n), muteNames.has(n) ? 'present' : 'missing'));

  const templates = read<{ templates: { name: string }[] }>('provisioning/alerting/templates.yaml').templates.map(
    (t) => t.name,
  );
  const gotTemplates = await client.get('/api/v1/provisioning/templates');
  const tNames = new Set(
    Array.isArray(gotTemplates.body) ? (gotTemplates.body as { name: string }[]).map((t) => t.name) : [],
  );
  for (const n of templates)
    out.push(check('notifications', `template ${n}`, tNames.has(n), tNames.has(n) ? 'present' : 'missing'));
  return out;
};

/** GET /api/plugins/:id/settings (pkg/api/plugins.go GetPluginSettingByID): enabled, with the worker URL and a token. */
const app: Step = async ({ client }) => {
  const res = await client.get(`/api/plugins/${PLUGIN_ID}/settings`);
  const b = isObject(res.body) ? res.body : {};
  const jsonData = isObject(b.jsonData) ? b.jsonData : {};
  const secure = isObject(b.secureJsonFields) ? b.secureJsonFields : {};
  const ok = res.status === 200 && b.enabled === true && !!jsonData.workerUrl && secure.apiToken === true;
  return [
    check(
      'app',
      `${PLUGIN_ID} is installed, enabled and configured`,
      ok,
      `HTTP ${res.status}, enabled ${String(b.enabled)}, workerUrl ${String(jsonData.workerUrl)}, token ${secure.apiToken === true ? 'set' : 'missing'}`,
    ),
  ];
};

/**
 * Creates (or resets) one user per org role: POST /api/admin/users (pkg/api/admin_users.go AdminCreateUser), on 412
 * GET /api/users/lookup + PUT /api/admin/users/:id/password, then PATCH /api/orgs/:orgId/users/:userId {role}
 * (pkg/api/org_users.go UpdateOrgUser).
 */
export async function ensureRoleUsers(client: GrafanaClient, password: string): Promise<Record<OrgRole, Credentials>> {
  const users = {} as Record<OrgRole, Credentials>;
  for (const role of ROLES) {
    const login = `smoke-${role.toLowerCase()}`;
    const created = await client.post('/api/admin/users', {
      name: `Smoke ${role}`,
      login,
      email: `${login}@example.invalid`,
      password,
      OrgId: 1,
    });
    let id = isObject(created.body) ? Number(created.body.id) : NaN;
    if (created.status === 412 || !Number.isFinite(id)) {
      const found = await client.get(`/api/users/lookup?loginOrEmail=${encodeURIComponent(login)}`);
      id = isObject(found.body) ? Number(found.body.id) : NaN;
      if (!Number.isFinite(id))
        throw new Error(
          `cannot create or find the ${role} user ${login}: HTTP ${created.status} ${messageOf(created.body)}`,
        );
      await client.request('PUT', `/api/admin/users/${id}/password`, { password });
    }
    const patched = await client.request('PATCH', `/api/orgs/1/users/${id}`, { role });
    if (patched.status !== 200)
      throw new Error(`cannot give ${login} the ${role} role: HTTP ${patched.status} ${messageOf(patched.body)}`);
    users[role] = { user: login, password };
  }
  return users;
}

/** Every worker route through /api/plugin-proxy/<plugin>/ (pkg/api/plugin_proxy.go ProxyPluginRequest) per role. */
const proxy: Step = async ({ client, read, userPassword }) => {
  const plugin = read<{ routes?: PluginRoute[] }>('plugin/src/plugin.json');
  const users = await ensureRoleUsers(client, userPassword);
  const base = `/api/plugin-proxy/${PLUGIN_ID}/`;
  const samples: Samples = {};
  const incidents = await client.get(`${base}api/incidents?pageSize=1`);
  const firstIncident =
    isObject(incidents.body) && Array.isArray(incidents.body.items)
      ? (incidents.body.items[0] as { id?: number })
      : undefined;
  samples.incidentId = firstIncident?.id;
  const members = await client.get(`${base}api/users`);
  const firstUser =
    isObject(members.body) && Array.isArray(members.body.items)
      ? (members.body.items[0] as { email?: string })
      : undefined;
  samples.email = firstUser?.email;
  const out: Check[] = [];
  for (const probe of buildProbes(plugin.routes ?? [], samples)) {
    const res = await client.as(users[probe.role]).request(probe.method, `${base}${probe.path}`, probe.body);
    const { ok, detail } = probeOutcome(probe, res.status, res.body);
    out.push(check('plugin proxy', `${probe.role.padEnd(6)} ${probe.method} ${probe.path}`, ok, detail));
  }
  return out;
};

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
