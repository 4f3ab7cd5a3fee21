import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkAppFile, checkPluginInstall, type PluginJson } from './support/app';
import { bindMounts, composeServices, grafanaPath, hostPathFor, repoPath } from './support/compose';
import { describe as describeFindings, loadYaml } from './support/findings';

// App provisioning (provisioning/plugins/config_reader.go, types.go) and the plugin's installation in the compose
// stack (mounted into GF_PATHS_PLUGINS, allowed unsigned, built before Grafana starts). Grafana fails start-up when a
// provisioned app is not installed ("plugin not installed"), so a missing plugin/dist must stop the stack with a
// message that says what to do, before Grafana: provisioning/compose/check-plugin.sh, run here for real.
const FILE = 'provisioning/plugins/cursorwatch-cost-app.yaml';
const plugin = JSON.parse(fs.readFileSync(repoPath('plugin/src/plugin.json'), 'utf8')) as PluginJson;
const services = composeServices();
const doc = () => structuredClone(loadYaml<{ apps: Record<string, unknown>[] }>(FILE));

describe('app provisioning', () => {
  it('is mounted where Grafana reads it, and provisions the plugin with every value its routes template', () => {
    const dir = `${grafanaPath('GF_PATHS_PROVISIONING', services.grafana)}/plugins`;
    expect(hostPathFor(`${dir}/cursorwatch-cost-app.yaml`, bindMounts(services.grafana))).toBe(FILE);
    expect(describeFindings(checkAppFile(FILE, doc(), plugin))).toEqual([]);
    expect((plugin.routes ?? []).length).toBeGreaterThan(0);
  });

  const cases: [string, (app: Record<string, unknown>) => void, RegExp][] = [
    ['an app without type [validateRequiredField]', (a) => delete a.type, /doesn't contain required field type/],
    [
      'another plugin id [validatePluginsConfig]',
      (a) => (a.type = 'cursor-cost-app'),
      /plugin not installed: "cursor-cost-app"/,
    ],
    [
      '`enabled` (Grafana reads `disabled`) [appFromConfigV0]',
      (a) => (a.enabled = true),
      /enabled is not read by Grafana/,
    ],
    [
      'no worker URL for the routes [interpolateString]',
      (a) => ((a.jsonData as Record<string, unknown>).workerUrl = ''),
      /uses .JsonData.workerUrl/,
    ],
    [
      'no API token for the routes [interpolateString]',
      (a) => delete (a.secureJsonData as Record<string, unknown>).apiToken,
      /uses .SecureJsonData.apiToken/,
    ],
    ['a disabled app [mapToPluginsFromConfig]', (a) => (a.disabled = true), /provisioned disabled/],
  ];
  // Each case names, in brackets, the Grafana function whose rule it breaks: the finding must cite it.
  it.each(cases)('refuses %s', (name, change, message) => {
    const d = doc();
    change(d.apps[0]);
    const found = checkAppFile(FILE, d, plugin).find((f) => message.test(f.message));
    expect(found?.grafana).toContain(/\[(.+)\]$/.exec(name)?.[1]);
  });
});

describe('the plugin is installed in the compose stack', () => {
  it('plugin/dist is mounted as GF_PATHS_PLUGINS/<id>, allowed unsigned, and checked before Grafana starts', () => {
    expect(describeFindings(checkPluginInstall(services, plugin.id, false))).toEqual([]);
  });

  it('refuses an unsigned plugin that is not allowed, a wrong mount, and Grafana not waiting for the check', () => {
    const s = structuredClone(services);
    s.grafana.environment = { ...s.grafana.environment, GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: 'other-app' };
    s.grafana.volumes = (s.grafana.volumes ?? []).map((v) => v.replace('./plugin/dist:', './plugin:'));
    delete s.grafana.depends_on?.['plugin-check'];
    expect(checkPluginInstall(s, plugin.id, false).map((f) => f.message)).toEqual([
      '/var/lib/grafana/plugins/cursorwatch-cost-app shows plugin, not the build output plugin/dist',
      'cursorwatch-cost-app is unsigned and not in GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: Grafana refuses to load it',
      'Grafana does not wait for plugin-check to succeed',
    ]);
  });

  // The compose check script, run with sh as the busybox container runs it.
  const runCheck = (dist: string) =>
    spawnSync('sh', [repoPath('provisioning/compose/check-plugin.sh'), dist], { encoding: 'utf8' });
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-check-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a missing plugin/dist stops the stack with a message that says to build it', () => {
    const r = runCheck(path.join(tmp, 'dist'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('plugin/dist does not exist');
    expect(r.stderr).toContain('npm run build -w plugin');
  });

  it('an empty or half-built plugin/dist (what Docker makes of a missing bind source) stops it too', () => {
    fs.mkdirSync(path.join(tmp, 'dist'));
    expect(runCheck(path.join(tmp, 'dist')).stderr).toContain('plugin/dist/plugin.json is missing');
    fs.writeFileSync(path.join(tmp, 'dist', 'plugin.json'), JSON.stringify({ ...plugin, id: 'other-app' }, null, 2));
    fs.writeFileSync(path.join(tmp, 'dist', 'module.js'), '');
    expect(runCheck(path.join(tmp, 'dist')).stderr).toContain('is not the cursorwatch-cost-app plugin');
  });

  it('a built plugin (plugin.json with its id, module.js) passes', () => {
    fs.mkdirSync(path.join(tmp, 'dist'));
    fs.writeFileSync(path.join(tmp, 'dist', 'plugin.json'), JSON.stringify(plugin, null, 2));
    expect(runCheck(path.join(tmp, 'dist')).stderr).toContain('module.js is missing');
    fs.writeFileSync(path.join(tmp, 'dist', 'module.js'), '');
    const r = runCheck(path.join(tmp, 'dist'));
    expect([r.status, r.stdout.trim()]).toEqual([
      0,
      'plugin-check: plugin/dist holds the built cursorwatch-cost-app plugin',
    ]);
  });
});
