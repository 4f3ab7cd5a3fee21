import fs from 'node:fs';
import { bindMounts, composeServices, grafanaPath, repoPath } from './support/compose';
import { checkDashboardProviders } from './support/dashboards-provider';
import { describe as describeFindings, loadYaml } from './support/findings';
import { loadDashboards } from '../../../tools/grafana-sql/dashboards';
import { ALERTING_ORDER, concurrent, folderRaces, inventory, runsBefore, STARTUP } from './support/startup';

// Grafana 13's provisioning start-up order (provisioning.go starting(); alerting/provisioner.go Provision), and
// what our files need from it: which provisioners run at the same time, what each creates, and that nothing two
// concurrent provisioners create is shared.
const grafana = composeServices().grafana;
const mounts = bindMounts(grafana);
const ruleFolders = (file: string) => loadYaml<{ groups: { folder: string }[] }>(file).groups.map((g) => g.folder);
const dashboardFolders = () =>
  checkDashboardProviders('p', loadYaml('provisioning/dashboards/cursor-cost-watch.yaml'), mounts).folders.titles;

describe('provisioning start-up order', () => {
  it('plugins run beside everything; datasources first, then alerting and dashboards at the same time', () => {
    expect(STARTUP.map((p) => [p.name, p.after])).toEqual([
      ['plugins', []],
      ['datasources', []],
      ['alerting', ['datasources']],
      ['dashboards', ['datasources']],
    ]);
    expect(concurrent('alerting', 'dashboards')).toBe(true);
    expect(concurrent('plugins', 'datasources')).toBe(true);
    expect(runsBefore('datasources', 'alerting')).toBe(true);
    expect(STARTUP.find((p) => p.name === 'dashboards')?.onError).toMatch(/ErrGetOrCreateFolder/);
  });

  it('what each provisioner creates from our files', () => {
    const doc = (f: string) => loadYaml<Record<string, unknown>>(f);
    expect(
      inventory({
        apps: doc('provisioning/plugins/cursorwatch-cost-app.yaml'),
        datasources: doc('provisioning/datasources/cursor-postgres.yaml'),
        rules: doc('provisioning/alerting/rules.yaml'),
        contactPoints: doc('provisioning/alerting/contact-points.yaml'),
        muteTimings: doc('provisioning/alerting/mute-timings.yaml'),
        templates: doc('provisioning/alerting/templates.yaml'),
        policies: doc('provisioning/alerting-policies/worker.yaml'),
        dashboardProvider: doc('provisioning/dashboards/cursor-cost-watch.yaml'),
        dashboardUids: loadDashboards()
          .map((f) => f.dashboard.uid)
          .sort(),
      }),
    ).toEqual({
      plugins: ['app settings cursorwatch-cost-app'],
      datasources: ['datasource cursor-postgres'],
      alerting: [
        'folder "Cursor Cost Watch alerts" (by title)',
        'rule cursor-critical-incident-open',
        'rule cursor-team-forecast-over-budget',
        'rule cursor-collection-stale',
        'contact point cursor-slack',
        'contact point cursor-email',
        'contact point cursor-webhook',
        'mute timing cursor-worker-sends-messages',
        'template cursor-cost-watch',
        'policy tree (root cursor-webhook)',
      ],
      dashboards: [
        'folder "Cursor Cost Watch" (uid cursor-cost-watch)',
        'dashboard cursor-collection',
        'dashboard cursor-incidents',
        'dashboard cursor-models',
        'dashboard cursor-overview',
        'dashboard cursor-user',
      ],
    });
  });

  it('alert rules reach their datasource: datasources finish before alerting starts', () => {
    const rules = loadYaml<{ groups: { rules: { data: { datasourceUid: string }[] }[] }[] }>(
      'provisioning/alerting/rules.yaml',
    );
    const used = new Set(rules.groups.flatMap((g) => g.rules.flatMap((r) => r.data.map((d) => d.datasourceUid))));
    expect([...used].sort()).toEqual(['__expr__', 'cursor-postgres']);
    expect(runsBefore('datasources', 'alerting')).toBe(true);
  });

  it('policies come after the contact points and mute timings they route to', () => {
    const at = (s: (typeof ALERTING_ORDER)[number]) => ALERTING_ORDER.indexOf(s);
    expect(at('contactPoints')).toBeLessThan(at('policies'));
    expect(at('muteTimes')).toBeLessThan(at('policies'));
  });

  it('alert rules and dashboards share no folder: both find-or-create it at the same time', () => {
    expect(describeFindings(folderRaces(ruleFolders('provisioning/alerting/rules.yaml'), dashboardFolders()))).toEqual(
      [],
    );
  });

  it('the rules before issue 8 shared the dashboards folder "Cursor Cost Watch": the race is reported', () => {
    const found = folderRaces(
      ruleFolders('worker/test/provisioning/conformance/fixtures/rules-before-issue-8.yaml'),
      dashboardFolders(),
    );
    expect(found.map((f) => f.where)).toEqual(['folder "Cursor Cost Watch"']);
  });

  it('each provisioner directory shows Grafana our files, and nothing Grafana 13 does not read', () => {
    const root = grafanaPath('GF_PATHS_PROVISIONING', grafana);
    const intoProvisioning = mounts.filter((m) => m.container.startsWith(`${root}/`));
    const dirs = new Set(intoProvisioning.map((m) => m.container.slice(root.length + 1).split('/')[0]));
    expect([...dirs].sort()).toEqual(STARTUP.map((p) => p.dir).sort());
    expect(intoProvisioning.every((m) => m.readOnly)).toBe(true);
    // alerting/ is assembled file by file (the policy file is chosen by ALERTS_VIA): every file there exists.
    for (const m of intoProvisioning) {
      const host = m.host.replace(/\$\{\w+:-([^}]*)\}/g, '$1');
      expect({ mount: m.container, exists: fs.existsSync(repoPath(host)) }).toEqual({
        mount: m.container,
        exists: true,
      });
    }
  });
});
