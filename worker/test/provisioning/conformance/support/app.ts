import { bindMounts, type ComposeService, grafanaPath } from './compose';
import { asString, collector, type Finding, isRecord } from './findings';

// App plugin provisioning and installation as Grafana handles them:
// - pkg/services/provisioning/plugins/config_reader.go: readConfig, validateRequiredField, validatePluginsConfig
//   ("plugin not installed: %q" when the plugin store does not have it: the provisioning service, and with it
//   Grafana's start-up, fails)
// - pkg/services/provisioning/plugins/types.go: appFromConfigV0, the keys it reads (others are silently ignored)
// - pkg/plugins/manager signature validation (SignatureValidator.Validate): an unsigned plugin loads only when
//   authorizer.CanLoadPlugin allows it, i.e. its id is in [plugins] allow_loading_unsigned_plugins
// - pkg/api/pluginproxy/utils.go (interpolateString): route urls and headers are Go templates over
//   .JsonData / .SecureJsonData of the app's settings

const APP_KEYS = ['org_id', 'org_name', 'type', 'disabled', 'jsonData', 'secureJsonData']; // types.go appFromConfigV0

export interface PluginJson {
  id: string;
  type: string;
  routes?: { path?: string; url?: string; headers?: { name: string; content: string }[] }[];
}

export function checkAppFile(file: string, doc: unknown, plugin: PluginJson): Finding[] {
  const { findings, report } = collector(file);
  const apps = isRecord(doc) && Array.isArray(doc.apps) ? doc.apps : [];
  if (plugin.type !== 'app')
    report('', `plugin.json type is ${plugin.type}, not app`, 'provisioning/plugins (apps only)');
  apps.forEach((app: unknown, i: number) => {
    const at = `apps[${i}]`;
    if (!isRecord(app)) return report(at, 'is not a mapping', 'types.go appFromConfigV0');
    if (!asString(app.type))
      report(
        at,
        `app item ${i + 1} in configuration doesn't contain required field type`,
        'config_reader.go validateRequiredField',
      );
    else if (app.type !== plugin.id)
      report(
        at,
        `plugin not installed: "${asString(app.type)}" (the plugin's id is ${plugin.id})`,
        'config_reader.go validatePluginsConfig',
      );
    for (const key of Object.keys(app))
      if (!APP_KEYS.includes(key))
        report(
          at,
          `${key} is not read by Grafana (it reads ${APP_KEYS.join(', ')}): silently ignored`,
          'types.go appFromConfigV0',
        );
    if (app.disabled === true)
      report(at, 'the app is provisioned disabled', 'types.go mapToPluginsFromConfig (Enabled: !disabled)');
    const jsonData = isRecord(app.jsonData) ? app.jsonData : {};
    const secure = isRecord(app.secureJsonData) ? app.secureJsonData : {};
    for (const route of plugin.routes ?? []) {
      const texts = [route.url ?? '', ...(route.headers ?? []).map((h) => h.content)];
      for (const text of texts)
        for (const m of text.matchAll(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g)) {
          const provided = m[1] === 'JsonData' ? jsonData : secure;
          if (!asString(provided[m[2]]))
            report(
              at,
              `route ${route.path ?? '?'} uses .${m[1]}.${m[2]}, which the provisioned app does not set`,
              'pluginproxy utils.go interpolateString',
            );
        }
    }
  });
  return findings;
}

/** The compose side of "the plugin is installed": mounted at GF_PATHS_PLUGINS/<id>, allowed unsigned, built first. */
export function checkPluginInstall(
  services: Record<string, ComposeService>,
  pluginId: string,
  signed: boolean,
): Finding[] {
  const { findings, report } = collector('docker-compose.yml');
  const grafana = services.grafana;
  const target = `${grafanaPath('GF_PATHS_PLUGINS', grafana)}/${pluginId}`;
  const mount = bindMounts(grafana).find((m) => m.container === target);
  if (!mount)
    report(
      'grafana.volumes',
      `nothing is mounted at ${target}: the plugin is not installed`,
      'plugin loader (scans GF_PATHS_PLUGINS)',
    );
  else if (mount.host !== 'plugin/dist')
    report('grafana.volumes', `${target} shows ${mount.host}, not the build output plugin/dist`, 'plugin loader');
  const allowed = (grafana.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS ?? '')
    .split(',')
    .map((s) => s.trim());
  if (!signed && !allowed.includes(pluginId))
    report(
      'grafana.environment',
      `${pluginId} is unsigned and not in GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: Grafana refuses to load it`,
      'signature validator (authorizer.CanLoadPlugin)',
    );
  const check = Object.entries(services).find(([, s]) => (s.command ?? []).join(' ').includes('check-plugin.sh'));
  if (!check)
    report(
      'services',
      'no service checks that plugin/dist is built before Grafana starts',
      'config_reader.go validatePluginsConfig',
    );
  else {
    if (grafana.depends_on?.[check[0]]?.condition !== 'service_completed_successfully')
      report('grafana.depends_on', `Grafana does not wait for ${check[0]} to succeed`, 'compose depends_on');
    if (!bindMounts(check[1]).some((m) => m.host === 'plugin'))
      report(
        `${check[0]}.volumes`,
        'the check does not see ./plugin (a missing plugin/dist must be visible as missing)',
        'compose',
      );
  }
  return findings;
}
