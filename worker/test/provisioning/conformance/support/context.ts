import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../../src/config/config';
import { allPanels, loadDashboards } from '../../../../tools/grafana-sql/dashboards';
import type { RuleFileContext } from './alert-rules';
import { asString, isRecord, loadYaml } from './findings';

/** Every datasource uid the files under provisioning/datasources/ provision. */
export function provisionedDatasourceUids(): Set<string> {
  const dir = path.join(REPO_ROOT, 'provisioning/datasources');
  const uids = new Set<string>();
  for (const f of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
    const doc = loadYaml(`provisioning/datasources/${f}`);
    for (const ds of isRecord(doc) && Array.isArray(doc.datasources) ? doc.datasources : [])
      if (isRecord(ds)) uids.add(asString(ds.uid));
  }
  return uids;
}

/** What an alert rule file is checked against: the provisioned datasources and dashboards (with panel ids). */
export function ruleContext(): RuleFileContext {
  const dashboards = new Map<string, Set<number>>();
  for (const { dashboard } of loadDashboards())
    dashboards.set(dashboard.uid, new Set(allPanels(dashboard).map((p) => p.id)));
  return { datasourceUids: provisionedDatasourceUids(), dashboards };
}
