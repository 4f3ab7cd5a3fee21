import { evalProblems, evalRequest, type ProvisionedRule } from './alert-eval';
import { check, type Step } from './context';
import { isObject } from './grafana-client';
import type { Check } from './table';

/**
 * GET /api/v1/provisioning/alert-rules (ngalert api_provisioning.go RouteGetAlertRules): every rule of rules.yaml,
 * provenance file, in its group's folder (GET /api/folders/:uid); then each evaluates through POST /api/v1/eval.
 */
export const alertRules: Step = async ({ client, read }) => {
  const file = read<{ groups: { name: string; folder: string; rules: { uid: string; title: string }[] }[] }>(
    'provisioning/alerting/rules.yaml',
  );
  const res = await client.get('/api/v1/provisioning/alert-rules');
  const listed = Array.isArray(res.body) ? (res.body as ProvisionedRule[]) : [];
  const out: Check[] = [];
  for (const group of file.groups) {
    for (const r of group.rules) {
      const rule = listed.find((l) => l.uid === r.uid);
      if (!rule) {
        out.push(
          check(
            'alert rules',
            `${r.uid} is provisioned`,
            false,
            `not listed (HTTP ${res.status}, ${listed.length} rules)`,
          ),
        );
        continue;
      }
      const folder = await client.get(`/api/folders/${rule.folderUID}`);
      const title = isObject(folder.body) ? folder.body.title : undefined;
      const placed = rule.provenance === 'file' && rule.ruleGroup === group.name && title === group.folder;
      out.push(
        check(
          'alert rules',
          `${r.uid} is provisioned`,
          placed,
          `provenance ${String(rule.provenance)}, group ${rule.ruleGroup}, folder "${String(title)}"`,
        ),
      );
      const ev = await client.post('/api/v1/eval', evalRequest(rule));
      const problems = evalProblems(rule, ev.status, ev.body);
      out.push(
        check(
          'alert rules',
          `${r.uid} evaluates`,
          problems.length === 0,
          problems.length
            ? problems.join('; ').slice(0, 200)
            : `${rule.data.length} queries and expressions without error`,
        ),
      );
    }
  }
  return out;
};

/**
 * Contact points, the policy tree, mute timings and templates (ngalert api_provisioning.go RouteGetContactpoints,
 * RouteGetPolicyTree, RouteGetMuteTimings, RouteGetTemplates) hold what the mounted files provision.
 */
export const notifications: Step = async ({ client, read, alertsVia }) => {
  const out: Check[] = [];
  const cps = read<{ contactPoints: { name: string }[] }>(
    'provisioning/alerting/contact-points.yaml',
  ).contactPoints.map((c) => c.name);
  const gotCps = await client.get('/api/v1/provisioning/contact-points');
  const names = new Set(Array.isArray(gotCps.body) ? (gotCps.body as { name: string }[]).map((c) => c.name) : []);
  for (const n of cps)
    out.push(
      check(
        'notifications',
        `contact point ${n}`,
        names.has(n),
        names.has(n) ? 'present' : `missing (HTTP ${gotCps.status})`,
      ),
    );

  const policyFile = read<{ policies: { receiver: string; routes?: { receiver: string }[] }[] }>(
    `provisioning/alerting-policies/${alertsVia}.yaml`,
  ).policies[0];
  const tree = await client.get('/api/v1/provisioning/policies');
  const root = isObject(tree.body) ? (tree.body as { receiver?: string; routes?: { receiver: string }[] }) : {};
  const want = [policyFile.receiver, ...(policyFile.routes ?? []).map((r) => r.receiver)].join(',');
  const got = [root.receiver, ...(root.routes ?? []).map((r) => r.receiver)].join(',');
  out.push(
    check(
      'notifications',
      `policy tree of ALERTS_VIA=${alertsVia}`,
      want === got,
      `receivers ${got || `none (HTTP ${tree.status})`}`,
    ),
  );

  const mutes = read<{ muteTimes: { name: string }[] }>('provisioning/alerting/mute-timings.yaml').muteTimes.map(
    (m) => m.name,
  );
  const gotMutes = await client.get('/api/v1/provisioning/mute-timings');
  const muteNames = new Set(
    Array.isArray(gotMutes.body) ? (gotMutes.body as { name: string }[]).map((m) => m.name) : [],
  );
  for (const n of mutes)
    out.push(check('notifications', `mute timing ${n}`, muteNames.has(n), muteNames.has(n) ? 'present' : 'missing'));

  const templates = read<{ templates: { name: string }[] }>('provisioning/alerting/templates.yaml').templates.map(
    (t) => t.name,
  );
  const gotTemplates = await client.get('/api/v1/provisioning/templates');
  const tNames = new Set(
    Array.isArray(gotTemplates.body) ? (gotTemplates.body as { name: string }[]).map((t) => t.name) : [],
  );
  for (const n of templates)
    out.push(check('notifications', `template ${n}`, tNames.has(n), tNames.has(n) ? 'present' : 'missing'));
  return out;
};
