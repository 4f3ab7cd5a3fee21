import { config } from '@grafana/runtime';

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';

/**
 * What the signed-in Grafana user may do here. Grafana's plugin proxy checks the route's reqRole against the ORG role
 * only (pkg/api/pluginproxy/pluginproxy.go hasAccessToRoute: GetOrgRole().Includes(route.ReqRole)); being a Grafana
 * server admin does not count, so it must not unlock anything here either.
 */
export function currentPermissions() {
  const user = config.bootData?.user as { orgRole?: string } | undefined;
  const role = (user?.orgRole ?? 'Viewer') as OrgRole;
  const admin = role === 'Admin';
  return { role, canEdit: admin || role === 'Editor', canAdmin: admin };
}
