import fs from 'node:fs';
import path from 'node:path';
import type { DashboardJson } from './dashboard-queries';
import { isObject, messageOf } from './grafana-client';
import { check, type Context, PLUGIN_ID, type Step } from './context';
import type { Check } from './table';

// Grafana is up, and holds the datasource, the dashboards and the app that provisioning/ provisions.

/** GET /api/health (pkg/api/health.go apiHealthHandler): {database: "ok"} once Grafana and its database are up. */
export const health: Step = async ({ client }) => {
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
export const datasource: Step = async ({ client, read }) => {
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

export function dashboardsOnDisk(ctx: Context): DashboardJson[] {
  const dir = path.join(ctx.repoRoot, 'provisioning/dashboards/json');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as DashboardJson);
}

/** GET /api/search?type=dash-db (pkg/api/search.go): each dashboard file is there, in the provider's folder. */
export const dashboards: Step = async (ctx) => {
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

/** GET /api/plugins/:id/settings (pkg/api/plugins.go GetPluginSettingByID): enabled, with the worker URL and a token. */
export const app: Step = async ({ client }) => {
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
