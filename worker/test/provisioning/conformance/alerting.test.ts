import pg from 'pg';
import { createTestDb, dropTestDb, type TestDb } from '../../support/test-db';
import {
  checkContactPoints,
  checkMuteTimings,
  checkPolicies,
  checkTemplates,
  goTemplateProblem,
} from './support/alert-notifications';
import { checkRuleFile, labelsReadByAnnotations } from './support/alert-rules';
import { ruleContext } from './support/context';
import { describe as describeFindings, loadYaml, parsePromDuration } from './support/findings';

// Alerting provisioning checked the way Grafana checks it on load (pkg/services/provisioning/alerting/, the ngalert
// models and pkg/expr). Each rule names its Grafana function in support/alert-rules.ts and support/alert-notifications.ts;
// every rule is also shown to fail on a file that breaks it, so none of them passes vacuously.

const RULES = 'provisioning/alerting/rules.yaml';
const OLD_RULES = 'worker/test/provisioning/conformance/fixtures/rules-before-issue-8.yaml';
const ctx = ruleContext();
const rulesDoc = () => structuredClone(loadYaml<{ groups: { rules: Record<string, unknown>[] }[] }>(RULES));

describe('alert rules (rules_types.go mapToModel, ngalert ValidateAlertRule)', () => {
  it('the provisioned rules pass every check', () => {
    expect(describeFindings(checkRuleFile(RULES, loadYaml(RULES), ctx))).toEqual([]);
  });

  it('the rules as they were before issue 8 fail: __dashboardUid__ without __panelId__ in all three', () => {
    const found = checkRuleFile(OLD_RULES, loadYaml(OLD_RULES), ctx);
    expect(found.map((f) => [f.where, f.message, f.grafana])).toEqual(
      ['cursor-critical-incident-open', 'cursor-team-forecast-over-budget', 'cursor-collection-stale'].map((uid, i) => [
        `groups[0].rules[${i}] (${uid})`,
        'both annotations __dashboardUid__ and __panelId__ must be specified',
        'ngalert models alert_rule.go SetDashboardAndPanelFromAnnotations',
      ]),
    );
  });

  // One broken copy of the real file per rule: [what is changed, change, the message Grafana gives].
  const cases: [string, (rule: Record<string, unknown>, doc: ReturnType<typeof rulesDoc>) => void, RegExp][] = [
    [
      '__panelId__ not an integer [SetDashboardAndPanelFromAnnotations]',
      (r) => ((r.annotations as Record<string, string>).__panelId__ = 'twelve'),
      /valid integer Panel ID/,
    ],
    [
      '__panelId__ alone [SetDashboardAndPanelFromAnnotations]',
      (r) => delete (r.annotations as Record<string, string>).__dashboardUid__,
      /both annotations/,
    ],
    [
      'panel missing from the dashboard [PanelURL]',
      (r) => ((r.annotations as Record<string, string>).__panelId__ = '99'),
      /has no panel 99/,
    ],
    ['`for` with a decimal [model.ParseDuration]', (r) => (r.for = '1.5h'), /'for' "1.5h" is not a duration/],
    ['unknown noDataState [NoDataStateFromString]', (r) => (r.noDataState = 'Ok'), /unknown NoData state option Ok/],
    ['unknown execErrState [ErrStateFromString]', (r) => (r.execErrState = 'Err'), /unknown Error state option Err/],
    [
      'condition without a step [ErrConditionNotExist]',
      (r) => (r.condition = 'D'),
      /Condition D does not exist, must be one of \[A B C\]/,
    ],
    ['no condition [AlertRuleV1.mapToModel]', (r) => delete r.condition, /no condition set/],
    [
      'duplicate refId [buildNodeRegistry]',
      (r) => ((r.data as { refId: string }[])[1].refId = 'A'),
      /refId A is used twice/,
    ],
    [
      'unknown datasource uid [datasource lookup by uid]',
      (r) => ((r.data as { datasourceUid: string }[])[0].datasourceUid = 'postgres'),
      /"postgres" is not a provisioned datasource/,
    ],
    [
      'from <= to [RelativeTimeRange]',
      (r) => ((r.data as { relativeTimeRange: unknown }[])[0].relativeTimeRange = { from: 0, to: 600 }),
      /from \(0\) must be greater than to \(600\)/,
    ],
    [
      'relativeTimeRange as text [RelativeTimeRange]',
      (r) => ((r.data as { relativeTimeRange: unknown }[])[0].relativeTimeRange = { from: '1h', to: 0 }),
      /must be whole seconds/,
    ],
    [
      'query without relativeTimeRange [RelativeTimeRange]',
      (r) => delete (r.data as { relativeTimeRange?: unknown }[])[0].relativeTimeRange,
      /needs relativeTimeRange/,
    ],
    [
      'unknown reducer [GetReduceFunc]',
      (r) => ((r.data as { model: Record<string, unknown> }[])[1].model.reducer = 'avg'),
      /reducer "avg" is not one of/,
    ],
    [
      'reduce of a missing refId [graph.go]',
      (r) => ((r.data as { model: Record<string, unknown> }[])[1].model.expression = 'Z'),
      /reads Z, which is not a refId/,
    ],
    [
      'two threshold conditions [UnmarshalThresholdCommand]',
      (r) => {
        const model = (r.data as { model: { conditions: unknown[] } }[])[2].model;
        model.conditions = [...model.conditions, ...model.conditions];
      },
      /exactly one condition/,
    ],
    [
      'range threshold with one param [NewThresholdCommand]',
      (r) => {
        (r.data as { model: { conditions: { evaluator: unknown }[] } }[])[2].model.conditions[0].evaluator = {
          type: 'within_range',
          params: [1],
        };
      },
      /within_range needs 2 numeric/,
    ],
    [
      'annotation reading a query value [state/template.go]',
      (r) => ((r.annotations as Record<string, string>).how_much = '{{ (index .Values "A").Value }}'),
      /reads the value of A, which is not an expression/,
    ],
    ['uid too long [util.ValidateUID]', (r) => (r.uid = 'x'.repeat(41)), /longer than 40 characters/],
    [
      'reserved label [ValidateAlertRule]',
      (r) => ((r.labels as Record<string, string>).__grafana_receiver__ = 'x'),
      /system reserved label/,
    ],
    [
      'interval not a multiple of 10s [ValidateRuleGroupInterval]',
      (_r, doc) => ((doc.groups[0] as Record<string, unknown>).interval = '45s'),
      /multiple of the 10s base interval/,
    ],
    [
      'group without folder [AlertRuleGroupV1.MapToModel]',
      (_r, doc) => ((doc.groups[0] as Record<string, unknown>).folder = ''),
      /no folder set/,
    ],
  ];

  // Each case names, in brackets, the Grafana function whose rule it breaks: the finding must cite it.
  it.each(cases)('refuses: %s', (name, change, message) => {
    const doc = rulesDoc();
    change(doc.groups[0].rules[0], doc);
    const found = checkRuleFile(RULES, doc, ctx).find((f) => message.test(f.message));
    expect(found?.grafana).toContain(/\[(.+)\]$/.exec(name)?.[1]);
  });

  it('finds the labels an annotation template reads', () => {
    expect(rulesDoc().groups[0].rules.map(labelsReadByAnnotations)).toEqual([
      ['detector', 'incident_id', 'subject'],
      [],
      ['endpoint'],
    ]);
    expect(labelsReadByAnnotations({ annotations: { a: '{{ $labels.team }} {{ .Labels.email }}' } })).toEqual([
      'email',
      'team',
    ]);
  });

  it('parses durations as prometheus model.ParseDuration does', () => {
    expect(['0', '0s', '10m', '1h', '1h30m', '90s', '1d', '2w'].map(parsePromDuration)).toEqual([
      0, 0, 600_000, 3_600_000, 5_400_000, 90_000, 86_400_000, 1_209_600_000,
    ]);
    expect(['', '1.5h', '5 m', 'm', '1M', '10'].map(parsePromDuration)).toEqual([null, null, null, null, null, null]);
  });
});

describe("every rule's query gives Grafana a number table (pkg/expr nodes.go isNumberTable)", () => {
  // A table frame becomes one number per row only with exactly one numeric column and string columns for labels;
  // otherwise Grafana reads it as series and a table without a time column fails ("input data must be a wide series").
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb('conf');
  });
  afterAll(async () => dropTestDb(db));

  const NUMERIC = new Set([20, 21, 23, 700, 701, 1700]); // int8 int2 int4 float4 float8 numeric
  const STRING = new Set([25, 1043, 1042, 19]); // text varchar bpchar name

  it.each(
    rulesDoc()
      .groups.flatMap((g) => g.rules)
      .map((r) => [r.uid as string, r] as const),
  )('%s', async (_uid, rule) => {
    const query = (rule.data as { model: { rawSql?: string } }[]).find((q) => q.model.rawSql)?.model.rawSql ?? '';
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const res = await client.query(`SELECT * FROM (${query}) q LIMIT 0`);
      const kinds = res.fields.map((f) =>
        NUMERIC.has(f.dataTypeID) ? 'number' : STRING.has(f.dataTypeID) ? 'string' : `oid ${f.dataTypeID}`,
      );
      expect(kinds.filter((k) => k === 'number')).toHaveLength(1);
      expect(kinds.filter((k) => k !== 'number' && k !== 'string')).toEqual([]);
      // extractNumberSet turns the string columns into labels; with the rule's own labels they are all an
      // annotation template can read (ngalert state/template.go), anything else prints "<no value>".
      const labels = [
        ...res.fields.filter((f) => STRING.has(f.dataTypeID)).map((f) => f.name),
        ...Object.keys((rule.labels as object) ?? {}),
      ];
      expect(labelsReadByAnnotations(rule).filter((l) => !labels.includes(l))).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

describe('contact points, templates, mute timings and policies', () => {
  const cps = checkContactPoints('contact-points.yaml', loadYaml('provisioning/alerting/contact-points.yaml'));
  const templates = checkTemplates('templates.yaml', loadYaml('provisioning/alerting/templates.yaml'));
  const mutes = checkMuteTimings('mute-timings.yaml', loadYaml('provisioning/alerting/mute-timings.yaml'));

  it('pass, and every template a contact point calls is defined by the provisioned templates', () => {
    expect(describeFindings([...cps.findings, ...templates.findings, ...mutes.findings])).toEqual([]);
    expect([...cps.names].sort()).toEqual(['cursor-email', 'cursor-slack', 'cursor-webhook']);
    expect([...cps.templatesUsed].filter((t) => !templates.defined.has(t))).toEqual([]);
    expect([...cps.templatesUsed].sort()).toEqual(['cursor.message', 'cursor.title']);
  });

  it.each(['worker', 'grafana'])('the %s policy tree routes only to provisioned receivers and mute timings', (mode) => {
    const file = `provisioning/alerting-policies/${mode}.yaml`;
    const found = checkPolicies(file, loadYaml(file), { receivers: cps.names, muteTimings: mutes.names });
    expect(describeFindings(found)).toEqual([]);
  });

  it("refuses broken contact points (ReceiverV1.mapToModel, the integrations' configs)", () => {
    const doc = structuredClone(
      loadYaml<{ contactPoints: { name: string; receivers: Record<string, unknown>[] }[] }>(
        'provisioning/alerting/contact-points.yaml',
      ),
    );
    delete doc.contactPoints[0].receivers[0].uid;
    (doc.contactPoints[1].receivers[0].settings as Record<string, unknown>).addresses = '';
    (doc.contactPoints[2].receivers[0].settings as Record<string, unknown>).url = '';
    expect(checkContactPoints('x', doc).findings.map((f) => f.message)).toEqual([
      'no uid is set',
      'could not find addresses in settings',
      "required field 'url' is not specified",
    ]);
  });

  it('refuses broken policies (Route.Validate, ValidateReceivers, ValidateMuteTimes)', () => {
    const doc = structuredClone(
      loadYaml<{ policies: Record<string, unknown>[] }>('provisioning/alerting-policies/worker.yaml'),
    );
    const root = doc.policies[0];
    (root.routes as Record<string, unknown>[])[0].mute_time_intervals = ['nights'];
    (root.routes as Record<string, unknown>[])[0].receiver = 'pagerduty';
    root.group_interval = '0s';
    root.object_matchers = [['a', '=', 'b']];
    const messages = checkPolicies('x', doc, { receivers: cps.names, muteTimings: mutes.names }).map((f) => f.message);
    expect(messages.sort()).toEqual(
      [
        'root route must not have any matchers',
        'group_interval cannot be zero',
        "receiver 'pagerduty' does not exist",
        'mute time interval "nights" does not exist',
      ].sort(),
    );
  });

  it('refuses broken templates and mute timings', () => {
    expect(goTemplateProblem('{{ define "a" }}{{ if .X }}x{{ end }}')).toBe('1 block(s) without {{end}}');
    expect(goTemplateProblem('{{ .X ')).toBe('unclosed action');
    const badTimes = {
      muteTimes: [
        { name: 'x', time_intervals: [{ times: [{ start_time: '18:00', end_time: '09:00' }], weekdays: ['mon'] }] },
      ],
    };
    expect(checkMuteTimings('x', badTimes).findings.map((f) => f.message)).toEqual([
      'times 18:00-09:00: start time cannot be equal or greater than end time',
      'mon is not a weekday',
    ]);
    expect(checkTemplates('x', { templates: [{ name: 't', template: '' }] }).findings.map((f) => f.message)).toEqual([
      'template must have content',
    ]);
  });
});
