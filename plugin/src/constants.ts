import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;
/** Grafana's data proxy for this app: it adds the worker token server-side, so the browser never sees it. */
export const PROXY_BASE = `/api/plugin-proxy/${PLUGIN_ID}`;

export enum ROUTES {
  Incidents = 'incidents',
  Users = 'users',
  Settings = 'settings',
  Chargeback = 'chargeback',
}

export const prefixRoute = (route: string) => `${PLUGIN_BASE_URL}/${route}`;

/** The provisioned dashboards (uids fixed by provisioning/dashboards). */
export const DASHBOARDS = {
  overview: '/d/cursor-overview',
  user: (email: string) => `/d/cursor-user?var-email=${encodeURIComponent(email)}`,
  models: '/d/cursor-models',
  incidents: '/d/cursor-incidents',
  collection: '/d/cursor-collection',
};

export interface AppSettings {
  workerUrl?: string;
}
