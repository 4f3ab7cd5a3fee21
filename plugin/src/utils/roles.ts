import { config } from '@grafana/runtime';

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';

/** What the signed-in Grafana user may do here (the proxy enforces the same split server-side). */
export function currentPermissions() {
  const user = config.bootData?.user as { orgRole?: string; isGrafanaAdmin?: boolean } | undefined;
  const role = (user?.orgRole ?? 'Viewer') as OrgRole;
  const admin = role === 'Admin' || Boolean(user?.isGrafanaAdmin);
  return { role, canEdit: admin || role === 'Editor', canAdmin: admin };
}
