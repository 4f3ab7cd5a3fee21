import { check, PLUGIN_ID, type Step } from './context';
import { type Credentials, type GrafanaClient, isObject, messageOf } from './grafana-client';
import { buildProbes, type OrgRole, type PluginRoute, probeOutcome, ROLES, type Samples } from './proxy-routes';
import type { Check } from './table';

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
export const proxy: Step = async ({ client, read, userPassword }) => {
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
