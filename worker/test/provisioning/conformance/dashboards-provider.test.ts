import path from 'node:path';
import { REPO_ROOT } from '../../../src/config/config';
import { DASHBOARD_DIR } from '../../../tools/grafana-sql/dashboards';
import { bindMounts, composeServices, grafanaPath, hostPathFor } from './support/compose';
import { checkDashboardFiles, checkDashboardProviders } from './support/dashboards-provider';
import { describe as describeFindings, loadYaml } from './support/findings';

// The dashboards file provider checked as Grafana reads it (dashboards/config_reader.go, file_reader.go), with its
// path followed through docker-compose.yml's mounts to the files Grafana would see.
const FILE = 'provisioning/dashboards/cursor-cost-watch.yaml';
const grafana = composeServices().grafana;
const mounts = bindMounts(grafana);
const doc = () => structuredClone(loadYaml<{ providers: Record<string, unknown>[] }>(FILE));

describe('dashboards provider', () => {
  it('is mounted where Grafana reads provider files (GF_PATHS_PROVISIONING/dashboards)', () => {
    const dir = `${grafanaPath('GF_PATHS_PROVISIONING', grafana)}/dashboards`;
    expect(hostPathFor(`${dir}/cursor-cost-watch.yaml`, mounts)).toBe(FILE);
  });

  it('passes, and its path shows Grafana exactly the five dashboards, in one folder with a fixed uid', () => {
    const { findings, folders } = checkDashboardProviders(FILE, doc(), mounts);
    expect(describeFindings(findings)).toEqual([]);
    expect(folders.titles).toEqual(['Cursor Cost Watch']);
    expect(doc().providers[0].folderUid).toBe('cursor-cost-watch');
    expect(folders.dashboardFiles.map((f) => path.basename(f)).sort()).toEqual([
      'cursor-collection.json',
      'cursor-incidents.json',
      'cursor-models.json',
      'cursor-overview.json',
      'cursor-user.json',
    ]);
    expect(folders.dashboardFiles.every((f) => f.startsWith(`${path.relative(REPO_ROOT, DASHBOARD_DIR)}/`))).toBe(true);
    expect(describeFindings(checkDashboardFiles(folders.dashboardFiles))).toEqual([]);
  });

  it('the home dashboard path is one of those files, through the mounts', () => {
    const home = grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(hostPathFor(home, mounts)).toBe('provisioning/dashboards/json/cursor-overview.json');
  });

  const cases: [string, (p: Record<string, unknown>, all: Record<string, unknown>[]) => void, RegExp][] = [
    [
      'folder and folderUid with foldersFromFilesStructure [NewDashboardFileReader]',
      (p) => ((p.options as Record<string, unknown>).foldersFromFilesStructure = true),
      /should be empty using 'foldersFromFilesStructure'/,
    ],
    [
      'a path that is not a string [NewDashboardFileReader]',
      (p) => ((p.options as Record<string, unknown>).path = ['/x']),
      /path param is not a string/,
    ],
    [
      'a path no mount covers [walkDisk]',
      (p) => ((p.options as Record<string, unknown>).path = '/var/lib/grafana/dashboards'),
      /is not mounted into the Grafana container/,
    ],
    [
      'a mounted path without dashboards [walkDisk]',
      (p) => ((p.options as Record<string, unknown>).path = '/etc/grafana/provisioning/datasources'),
      /holds no .json dashboard/,
    ],
    ['the "general" folder uid [getOrCreateFolder]', (p) => (p.folderUid = 'general'), /"general" is refused/],
    ['no folder [getOrCreateFolder]', (p) => delete p.folder, /General folder/],
    [
      'one folder uid for two providers [config_reader.go readConfig]',
      (p, all) => all.push({ ...p, name: 'second' }),
      /used more than once/,
    ],
  ];
  // Each case names, in brackets, the Grafana function whose rule it breaks: the finding must cite it.
  it.each(cases)('refuses %s', (name, change, message) => {
    const d = doc();
    change(d.providers[0], d.providers);
    const found = checkDashboardProviders(FILE, d, mounts).findings.find((f) => message.test(f.message));
    expect(found?.grafana).toContain(/\[(.+)\]$/.exec(name)?.[1]);
  });
});
