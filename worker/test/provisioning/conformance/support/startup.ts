import type { Finding } from './findings';

// Grafana 13's provisioning start-up, from pkg/services/provisioning/provisioning.go, ProvisioningServiceImpl.starting():
//   plugins ┃ (independent — runs parallel to everything)
//   datasources ➜ {alerting, dashboards, migratePrometheusType}
// Both branches run in one errgroup: the first error fails the service and Grafana's start-up, except a dashboard
// error that is dashboards.ErrGetOrCreateFolder, which is logged and tolerated (the dashboards are then missing).
// Inside alerting, pkg/services/provisioning/alerting/provisioner.go Provision goes: rules, contact points,
// mute times, text templates, notification policies (then the unprovisioning in reverse).

export interface Provisioner {
  name: 'plugins' | 'datasources' | 'alerting' | 'dashboards';
  /** Directory under GF_PATHS_PROVISIONING. */
  dir: string;
  /** Provisioners that finish before this one starts. */
  after: Provisioner['name'][];
  /** What a failure does to Grafana's start-up. */
  onError: string;
  creates: string;
}

export const STARTUP: Provisioner[] = [
  {
    name: 'plugins',
    dir: 'plugins',
    after: [],
    onError: 'start-up fails',
    creates: 'app settings (enabled, jsonData, secureJsonData)',
  },
  { name: 'datasources', dir: 'datasources', after: [], onError: 'start-up fails', creates: 'datasources (by uid)' },
  {
    name: 'alerting',
    dir: 'alerting',
    after: ['datasources'],
    onError: 'start-up fails',
    creates:
      'rule folders (found or created by title), rules, contact points, mute timings, templates, the policy tree',
  },
  {
    name: 'dashboards',
    dir: 'dashboards',
    after: ['datasources'],
    onError: 'start-up fails, except ErrGetOrCreateFolder: logged, dashboards missing',
    creates: 'dashboard folders (by folderUid, else title), dashboards',
  },
];

/** provisioner.go Provision: the order inside alerting. */
export const ALERTING_ORDER = ['rules', 'contactPoints', 'muteTimes', 'templates', 'policies'] as const;

const byName = (n: Provisioner['name']) => STARTUP.find((p) => p.name === n) as Provisioner;

/** Whether b finishes before a starts (transitively). */
export function runsBefore(b: Provisioner['name'], a: Provisioner['name']): boolean {
  return byName(a).after.some((x) => x === b || runsBefore(b, x));
}

/** Two provisioners may run at the same time when neither waits for the other. */
export function concurrent(a: Provisioner['name'], b: Provisioner['name']): boolean {
  return a !== b && !runsBefore(a, b) && !runsBefore(b, a);
}

/**
 * Objects two concurrent provisioners would both find-or-create: a folder title used by an alert rule group (found
 * by title in rules_provisioner.go getOrCreateFolderByTitle) and by a dashboard provider (file_reader.go
 * getOrCreateFolder, by folderUid) races: whoever is first creates it, the other creates a second folder of that
 * title or, refused, drops its dashboards (ErrGetOrCreateFolder is tolerated).
 */
export function folderRaces(ruleFolders: string[], dashboardFolders: string[]): Finding[] {
  if (!concurrent('alerting', 'dashboards')) return [];
  return [...new Set(ruleFolders)]
    .filter((t) => dashboardFolders.includes(t))
    .map((t) => ({
      file: 'provisioning/alerting + provisioning/dashboards',
      where: `folder "${t}"`,
      message: 'alert rules and dashboards are provisioned at the same time and both find-or-create this folder',
      grafana:
        'provisioning.go starting() phase 2; rules_provisioner.go getOrCreateFolderByTitle; file_reader.go getOrCreateFolder',
    }));
}

/** What each provisioner creates from our files (read from them), to show against the start-up order. */
export interface Inventory {
  plugins: string[];
  datasources: string[];
  alerting: string[];
  dashboards: string[];
}

type Doc = Record<string, unknown>;
const list = (doc: Doc, key: string) => (Array.isArray(doc[key]) ? (doc[key] as Doc[]) : []);

export function inventory(files: {
  apps: Doc;
  datasources: Doc;
  rules: Doc;
  contactPoints: Doc;
  muteTimings: Doc;
  templates: Doc;
  policies: Doc;
  dashboardProvider: Doc;
  dashboardUids: string[];
}): Inventory {
  return {
    plugins: list(files.apps, 'apps').map((a) => `app settings ${String(a.type)}`),
    datasources: list(files.datasources, 'datasources').map((d) => `datasource ${String(d.uid)}`),
    alerting: [
      ...new Set(list(files.rules, 'groups').map((g) => `folder "${String(g.folder)}" (by title)`)),
      ...list(files.rules, 'groups').flatMap((g) => list(g, 'rules').map((r) => `rule ${String(r.uid)}`)),
      ...list(files.contactPoints, 'contactPoints').map((c) => `contact point ${String(c.name)}`),
      ...list(files.muteTimings, 'muteTimes').map((m) => `mute timing ${String(m.name)}`),
      ...list(files.templates, 'templates').map((t) => `template ${String(t.name)}`),
      ...list(files.policies, 'policies').map((p) => `policy tree (root ${String(p.receiver)})`),
    ],
    dashboards: [
      ...list(files.dashboardProvider, 'providers').map(
        (p) => `folder "${String(p.folder)}" (uid ${String(p.folderUid)})`,
      ),
      ...files.dashboardUids.map((u) => `dashboard ${u}`),
    ],
  };
}
