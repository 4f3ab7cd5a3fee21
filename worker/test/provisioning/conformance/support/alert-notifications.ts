import { asString, collector, type Finding, isRecord, parsePromDuration, type Report, uidProblem } from './findings';

// Contact points, notification policies, templates and mute timings as Grafana reads them from provisioning files:
// - pkg/services/provisioning/alerting/contact_point_types.go: ContactPointV1.MapToModel, ReceiverV1.mapToModel
//   (then provisioning.ValidateContactPoint -> the integration's config in grafana/alerting receivers/<type>/config.go)
// - notification_policy_types.go + definitions Route.Validate / ValidateReceivers / ValidateMuteTimes
// - text_templates_types.go + definitions MessageTemplate.Validate
// - mute_times_types.go + the mute timing service (prometheus timeinterval parsing)

/** grafana/alerting receivers/<type>/config.go NewConfig: the setting each integration cannot do without. */
const REQUIRED_SETTINGS: Record<string, { anyOf: string[]; message: string }> = {
  slack: { anyOf: ['url', 'token'], message: 'token or url must be specified' }, // receivers/slack/config.go
  email: { anyOf: ['addresses'], message: 'could not find addresses in settings' }, // receivers/email/config.go
  webhook: { anyOf: ['url'], message: "required field 'url' is not specified" }, // receivers/webhook/config.go
};

export interface ContactPoints {
  findings: Finding[];
  /** Contact point names (the receivers a policy may route to). */
  names: Set<string>;
  /** Template names the receivers' settings call with {{ template "x" . }}. */
  templatesUsed: Set<string>;
}

export function checkContactPoints(file: string, doc: unknown): ContactPoints {
  const { findings, report } = collector(file);
  const names = new Set<string>();
  const templatesUsed = new Set<string>();
  const uids = new Set<string>();
  const points = isRecord(doc) && Array.isArray(doc.contactPoints) ? doc.contactPoints : [];
  points.forEach((cp: unknown, i: number) => {
    const at = `contactPoints[${i}]`;
    if (!isRecord(cp)) return report(at, 'is not a mapping', 'contact_point_types.go ContactPointV1');
    const name = asString(cp.name).trim();
    if (!name) report(at, 'no name is set', 'contact_point_types.go ContactPointV1.MapToModel');
    names.add(name);
    const receivers = Array.isArray(cp.receivers) ? cp.receivers : [];
    receivers.forEach((r: unknown, j: number) => {
      const where = `${at}.receivers[${j}] (${name})`;
      if (!isRecord(r)) return report(where, 'is not a mapping', 'contact_point_types.go ReceiverV1');
      const uid = asString(r.uid).trim();
      if (!uid) report(where, 'no uid is set', 'contact_point_types.go ReceiverV1.mapToModel');
      const uidError = uid ? uidProblem(uid) : null;
      if (uidError) report(where, uidError, 'notifier receiver service (util.ValidateUID)');
      if (uid && uids.has(uid)) report(where, `uid ${uid} is used twice`, 'contact point service (uid is the key)');
      uids.add(uid);
      const type = asString(r.type).trim();
      if (!type) report(where, 'no type is set', 'contact_point_types.go ReceiverV1.mapToModel');
      const settings = isRecord(r.settings) ? r.settings : {};
      if (Object.keys(settings).length === 0)
        return report(where, 'no settings are set', 'contact_point_types.go ReceiverV1.mapToModel');
      const need = REQUIRED_SETTINGS[type];
      if (need && !need.anyOf.some((k) => asString(settings[k]).trim()))
        report(where, need.message, `provisioning.ValidateContactPoint -> alerting receivers/${type}/config.go`);
      for (const value of Object.values(settings))
        for (const m of asString(value).matchAll(/\{\{-?\s*template\s+"([^"]+)"/g)) templatesUsed.add(m[1]);
    });
    if (receivers.length === 0) report(at, 'has no receivers', 'contact_point_types.go ContactPointV1');
  });
  return { findings, names, templatesUsed };
}

export interface Templates {
  findings: Finding[];
  /** Every `{{ define "x" }}` the templates provide (a template without define is defined under its name). */
  defined: Set<string>;
}

export function checkTemplates(file: string, doc: unknown): Templates {
  const { findings, report } = collector(file);
  const defined = new Set<string>();
  const templates = isRecord(doc) && Array.isArray(doc.templates) ? doc.templates : [];
  templates.forEach((t: unknown, i: number) => {
    const at = `templates[${i}]`;
    const grafana = 'definitions MessageTemplate.Validate';
    if (!isRecord(t)) return report(at, 'is not a mapping', grafana);
    const name = asString(t.name);
    const content = asString(t.template);
    if (!name) report(at, 'template must have a name', grafana);
    if (!content) return report(at, 'template must have content', grafana);
    const problem = goTemplateProblem(content);
    if (problem) report(at, `invalid template: ${problem}`, `${grafana} (text/template Parse)`);
    const defines = [...content.matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)].map((m) => m[1]);
    if (defines.length === 0) defined.add(name);
    defines.forEach((d) => defined.add(d));
  });
  return { findings, defined };
}

/** Balanced actions and blocks: the structural part of text/template's Parse that a YAML edit can break. */
export function goTemplateProblem(text: string): string | null {
  const actions = [...text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/gs)].map((m) => m[1]);
  if ((text.match(/\{\{/g) ?? []).length !== actions.length) return 'unclosed action';
  let depth = 0;
  for (const a of actions) {
    if (/^(if|range|with|define|block)\b/.test(a)) depth += 1;
    else if (/^end\b/.test(a)) depth -= 1;
    if (depth < 0) return 'unexpected {{end}}';
  }
  return depth === 0 ? null : `${depth} block(s) without {{end}}`;
}

export interface MuteTimings {
  findings: Finding[];
  names: Set<string>;
}

const HHMM = /^([01]\d|2[0-4]):([0-5]\d)$/;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export function checkMuteTimings(file: string, doc: unknown): MuteTimings {
  const { findings, report } = collector(file);
  const names = new Set<string>();
  const list = isRecord(doc) && Array.isArray(doc.muteTimes) ? doc.muteTimes : [];
  list.forEach((mt: unknown, i: number) => {
    const at = `muteTimes[${i}]`;
    if (!isRecord(mt)) return report(at, 'is not a mapping', 'mute_times_types.go MuteTimeV1');
    const name = asString(mt.name).trim();
    if (!name) report(at, 'missing name', 'mute timing service CreateMuteTiming (MuteTimeInterval.Validate)');
    names.add(name);
    const intervals = Array.isArray(mt.time_intervals) ? mt.time_intervals : [];
    intervals.forEach((ti: unknown, j: number) => {
      if (!isRecord(ti)) return;
      const where = `${at}.time_intervals[${j}] (${name})`;
      const grafana = 'prometheus timeinterval TimeRange.UnmarshalYAML';
      for (const range of Array.isArray(ti.times) ? ti.times.filter(isRecord) : []) {
        const [start, end] = [asString(range.start_time), asString(range.end_time)];
        const minutes = (t: string) => {
          const m = HHMM.exec(t);
          return m ? Number(m[1]) * 60 + Number(m[2]) : null;
        };
        const [s, e] = [minutes(start), minutes(end)];
        if (s === null || e === null || s > 24 * 60 || e > 24 * 60)
          report(
            where,
            `times ${start}-${end}: start_time and end_time must be HH:MM between 00:00 and 24:00`,
            grafana,
          );
        else if (s >= e)
          report(where, `times ${start}-${end}: start time cannot be equal or greater than end time`, grafana);
      }
      for (const day of Array.isArray(ti.weekdays) ? ti.weekdays : [])
        for (const part of asString(day).toLowerCase().split(':'))
          if (!WEEKDAYS.includes(part.trim()))
            report(where, `${asString(day)} is not a weekday`, 'prometheus timeinterval WeekdayRange.UnmarshalYAML');
    });
  });
  return { findings, names };
}

export function checkPolicies(
  file: string,
  doc: unknown,
  known: { receivers: Set<string>; muteTimings: Set<string> },
): Finding[] {
  const { findings, report } = collector(file);
  const policies = isRecord(doc) && Array.isArray(doc.policies) ? doc.policies.filter(isRecord) : [];
  const orgs = policies.map((p) => Number(p.orgId ?? 1) || 1);
  if (new Set(orgs).size !== orgs.length)
    report(
      'policies',
      'two policy trees for one org: the last one replaces the first',
      'notification_policy_provisioner.go Provision',
    );
  policies.forEach((root, i) => {
    const at = `policies[${i}]`;
    const grafana = 'definitions Route.Validate';
    if (!asString(root.receiver)) report(at, 'root route must specify a default receiver', grafana);
    if (root.object_matchers || root.matchers || root.match || root.match_re)
      report(at, 'root route must not have any matchers', grafana);
    if (root.mute_time_intervals) report(at, 'root route must not have any mute time intervals', grafana);
    walkRoute(at, root, known, report);
  });
  return findings;
}

function walkRoute(
  at: string,
  route: Record<string, unknown>,
  known: { receivers: Set<string>; muteTimings: Set<string> },
  report: Report,
): void {
  const receiver = asString(route.receiver);
  if (receiver && !known.receivers.has(receiver))
    report(at, `receiver '${receiver}' does not exist`, 'definitions Route.ValidateReceivers');
  for (const mt of Array.isArray(route.mute_time_intervals) ? route.mute_time_intervals : [])
    if (!known.muteTimings.has(asString(mt)))
      report(at, `mute time interval "${asString(mt)}" does not exist`, 'definitions Route.ValidateMuteTimes');
  const groupBy = Array.isArray(route.group_by) ? route.group_by.map(asString) : [];
  const dupe = groupBy.find((l, i) => groupBy.indexOf(l) !== i);
  if (dupe) report(at, `duplicated label "${dupe}" in group_by`, 'definitions Route.ValidateChild');
  if (groupBy.includes('...') && groupBy.length > 1)
    report(
      at,
      'cannot have wildcard group_by (`...`) and other labels at the same time',
      'definitions Route.ValidateChild',
    );
  for (const key of ['group_wait', 'group_interval', 'repeat_interval'] as const) {
    if (route[key] === undefined) continue;
    const ms = parsePromDuration(asString(route[key]));
    if (ms === null)
      report(at, `${key} "${asString(route[key])}" is not a duration`, 'definitions Route (model.Duration)');
    else if (ms === 0 && key !== 'group_wait') report(at, `${key} cannot be zero`, 'definitions Route.ValidateChild');
  }
  for (const m of Array.isArray(route.object_matchers) ? route.object_matchers : []) {
    const ok = Array.isArray(m) && m.length === 3 && ['=', '!=', '=~', '!~'].includes(asString(m[1]));
    if (!ok)
      report(
        at,
        `object matcher ${JSON.stringify(m)} must be [label, =|!=|=~|!~, value]`,
        'definitions ObjectMatchers.UnmarshalJSON',
      );
    else if (m[1] === '=~' || m[1] === '!~') {
      try {
        new RegExp(`^(?:${asString(m[2])})$`);
      } catch {
        report(at, `object matcher regex ${asString(m[2])} does not compile`, 'prometheus labels.NewMatcher');
      }
    }
  }
  (Array.isArray(route.routes) ? route.routes.filter(isRecord) : []).forEach((child, i) =>
    walkRoute(`${at}.routes[${i}]`, child, known, report),
  );
}
