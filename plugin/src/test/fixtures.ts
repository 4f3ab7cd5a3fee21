import type {
  ChargebackReport,
  Incident,
  IncidentDetail,
  IncidentList,
  IncidentMetrics,
  NudgeStatus,
  SettingsResponse,
  UserDetail,
  UserList,
} from '@cursor-cost-watch/contract';

export const NOW = Date.parse('2026-11-20T12:00:00Z');

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 1,
    scope: 'user',
    subject: 'carol@example.com',
    detector: 'model_shift',
    status: 'alerted',
    severity: 'critical',
    maxSeverity: 'critical',
    onsetAt: '2026-11-17T00:00:00.000Z',
    detectedAt: '2026-11-17T06:00:00.000Z',
    lastDetectedAt: '2026-11-20T06:00:00.000Z',
    alertedAt: '2026-11-17T06:01:00.000Z',
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    resolutionReason: null,
    resolutionNote: null,
    observed: 9000,
    expected: 1500,
    bandLow: 750,
    bandHigh: 2400,
    unit: 'cents',
    impactCents: 30_000,
    topModel: 'claude-4-opus',
    summary: 'Carol moved to claude-4-opus: $90/day against $15 expected',
    ...over,
  };
}

export const list = (items: Incident[]): IncidentList => ({ items, total: items.length, page: 1, pageSize: 25 });

export const metrics: IncidentMetrics = {
  from: '2026-10-21T12:00:00.000Z',
  to: '2026-11-20T12:00:00.000Z',
  open: 3,
  total: 7,
  mttd: { mean: 4000, median: 3_660 },
  timeToAlert: { mean: 100, median: 60 },
  mtti: { mean: 1200, median: 900 },
  mttr: { mean: 90_000, median: 86_400 },
  impactCents: 123_400,
  perDetector: [{ detector: 'model_shift', total: 2, resolved: 1, falsePositives: 0, precision: 1 }],
  nudge: {
    nudged: {
      total: 3,
      resolved: 2,
      mttr: { mean: 100_000, median: 93_600 },
      impactCents: 4_500,
      fixedAfterNudge: 2,
      escalated: 1,
    },
    notNudged: { total: 4, resolved: 2, mttr: { mean: 300_000, median: 259_200 }, impactCents: 118_900 },
  },
};

export const nudgeStatus: NudgeStatus = {
  email: 'ana@example.com',
  optedOut: false,
  reason: null,
  changedBy: null,
  changedAt: null,
  policyDetectors: ['model_shift', 'personal_spike'],
  dailyCap: 2,
  recent: [
    {
      incidentId: 12,
      detector: 'model_shift',
      status: 'sent',
      skipReason: null,
      createdAt: '2026-11-18T23:00:00.000Z',
      sentAt: '2026-11-18T23:00:05.000Z',
      outcome: 'fixed_after_nudge',
    },
  ],
};

export function detail(over: Partial<Incident> = {}): IncidentDetail {
  const days = Array.from({ length: 10 }, (_, i) => `2026-11-${String(11 + i).padStart(2, '0')}`);
  return {
    incident: incident(over),
    why: {
      driver: 'model_mix',
      volumeFactor: 1.1,
      costPerRequestFactor: 5.4,
      topModel: 'claude-4-opus',
      topModelShare: 0.83,
      maxModeShare: 0.1,
      headlessShare: 0,
    },
    series: days.map((day) => ({
      day,
      observed: day >= '2026-11-17' ? 9000 : 1500,
      expected: 1500,
      bandLow: 750,
      bandHigh: 2400,
    })),
    seriesUnit: 'cents',
    modelMix: {
      before: [{ model: 'gpt-5-mini', cents: 9000, share: 1 }],
      after: [
        { model: 'claude-4-opus', cents: 30000, share: 0.83 },
        { model: 'gpt-5-mini', cents: 6000, share: 0.17 },
      ],
    },
    timeline: [
      {
        id: 1,
        at: '2026-11-17T06:00:00.000Z',
        actor: 'detector',
        action: 'opened',
        fromStatus: null,
        toStatus: 'open',
        details: {},
      },
    ],
  };
}

export const users: UserList = {
  items: [
    {
      email: 'carol@example.com',
      name: 'Carol Diaz',
      isRemoved: false,
      spendCents: 88_000,
      rank: 1,
      openIncidents: 4,
      shareOfTeam: 88_000 / 143_000,
      trend: trendOf((i) => (i >= 25 ? 9000 : 1500)),
      openIncidentList: [
        { id: 7, severity: 'critical', detector: 'model_shift', impactCents: 30_000 },
        { id: 9, severity: 'warning', detector: 'personal_spike', impactCents: 7_500 },
        { id: 12, severity: 'info', detector: 'sustained_drift', impactCents: 2_100 },
      ],
    },
    {
      email: 'bob@example.com',
      name: 'Bob Stone',
      isRemoved: false,
      spendCents: 12_500,
      rank: 3,
      openIncidents: 0,
      shareOfTeam: 12_500 / 143_000,
      trend: trendOf(() => 400),
      openIncidentList: [],
    },
    {
      email: 'dan@example.com',
      name: null,
      isRemoved: false,
      spendCents: 500,
      rank: 4,
      openIncidents: 0,
      shareOfTeam: 500 / 143_000,
      trend: trendOf(() => 20),
      openIncidentList: [],
    },
  ],
  cycleStart: '2026-11-01T00:00:00.000Z',
  members: 4,
  teamSpendCents: 143_000,
};

/** 30 days of daily spend ending 2026-11-20. */
function trendOf(cents: (i: number) => number) {
  return Array.from({ length: 30 }, (_, i) => ({
    day: new Date(Date.UTC(2026, 9, 22) + i * 86_400_000).toISOString().slice(0, 10),
    chargedCents: cents(i),
  }));
}

export const userDetail: UserDetail = {
  email: 'carol@example.com',
  name: 'Carol Diaz',
  role: 'member',
  isRemoved: false,
  cycleStart: '2026-11-01T00:00:00.000Z',
  spendCents: 88_000,
  overallSpendCents: 90_000,
  rank: 1,
  members: 4,
  trend: Array.from({ length: 30 }, (_, i) => ({
    day: `2026-10-${String(22 + (i % 9)).padStart(2, '0')}`,
    chargedCents: 1500 + i * 100,
    events: 100,
  })),
  openIncidents: 1,
  incidents: [incident()],
};

export const settings: SettingsResponse = {
  values: {
    minImpactDollars: 20,
    notifySlack: 'immediate',
    weekdayAware: true,
    disabledDetectors: [],
    baselineDays: 28,
    teamBudgetDollars: 5000,
  },
  fields: [
    {
      key: 'minImpactDollars',
      description: 'Nothing alerts unless the dollars spent above expected since onset reach this',
      default: 20,
      type: 'number',
      min: 0,
      max: 1_000_000,
    },
    {
      key: 'notifySlack',
      description: 'Slack: send each alert at once, in the digest, or never',
      default: 'immediate',
      type: 'enum',
      options: ['immediate', 'digest', 'off'],
    },
    {
      key: 'weekdayAware',
      description: 'Compare workdays with workdays and weekends with weekends',
      default: true,
      type: 'boolean',
    },
    {
      key: 'disabledDetectors',
      description: 'Detectors that report nothing',
      default: [],
      type: 'list',
      options: ['model_shift', 'personal_spike'],
    },
    {
      key: 'baselineDays',
      description: "Days of the user's own history the baseline is taken from",
      default: 28,
      type: 'integer',
      min: 7,
      max: 120,
    },
    {
      key: 'teamBudgetDollars',
      description: 'Team budget in dollars per billing cycle (0: none)',
      default: 0,
      type: 'number',
      min: 0,
      max: 100_000_000,
    },
  ],
  audit: [
    {
      id: 1,
      key: 'minImpactDollars',
      oldValue: 10,
      newValue: 20,
      changedBy: 'admin.ada',
      changedByVerified: true,
      changedAt: '2026-11-19T10:00:00.000Z',
    },
    {
      id: 2,
      key: 'minImpactDollars',
      oldValue: 20,
      newValue: 10,
      changedBy: 'mallory',
      changedByVerified: false,
      changedAt: '2026-11-18T10:00:00.000Z',
    },
  ],
};

/** GET /api/chargeback: two groups and Unassigned; bob moved from Platform to Data mid-cycle. */
export const chargeback: ChargebackReport = {
  cycle: '2026-11-17',
  cycleEnd: '2026-12-16',
  closed: false,
  cycles: ['2026-11-17', '2026-10-17', '2026-09-17'],
  team: {
    totalCents: 400000,
    includedCents: 300000,
    usageBasedCents: 100000,
    requests: 12345,
    developers: 3,
    topModels: [{ model: 'claude-4.5-sonnet', cents: 250000, sharePct: 62.5 }],
  },
  cursor: { overallCents: 398000, onDemandCents: 99000, collectedAt: '2026-11-20T11:00:00.000Z' },
  groups: [
    {
      groupId: 'grp-platform',
      name: 'Platform',
      totalCents: 300000,
      includedCents: 200000,
      usageBasedCents: 100000,
      requests: 9000,
      shareOfTeamPct: 75,
      topModels: [{ model: 'claude-4.5-sonnet', cents: 200000, sharePct: 66.67 }],
      developers: [
        {
          email: 'carol@example.com',
          name: 'Carol Diaz',
          totalCents: 250000,
          includedCents: 150000,
          usageBasedCents: 100000,
          requests: 8000,
          shareOfTeamPct: 62.5,
          shareOfGroupPct: 83.33,
          topModels: [{ model: 'claude-4.5-sonnet', cents: 200000, sharePct: 80 }],
          days: 4,
        },
        {
          email: 'bob@example.com',
          name: null,
          totalCents: 50000,
          includedCents: 50000,
          usageBasedCents: 0,
          requests: 1000,
          shareOfTeamPct: 12.5,
          shareOfGroupPct: 16.67,
          topModels: [{ model: 'gpt-5', cents: 50000, sharePct: 100 }],
          days: 2,
        },
      ],
    },
    {
      groupId: 'grp-data',
      name: 'Data',
      totalCents: 70000,
      includedCents: 70000,
      usageBasedCents: 0,
      requests: 2000,
      shareOfTeamPct: 17.5,
      topModels: [{ model: 'gpt-5', cents: 70000, sharePct: 100 }],
      developers: [
        {
          email: 'bob@example.com',
          name: null,
          totalCents: 70000,
          includedCents: 70000,
          usageBasedCents: 0,
          requests: 2000,
          shareOfTeamPct: 17.5,
          shareOfGroupPct: 100,
          topModels: [{ model: 'gpt-5', cents: 70000, sharePct: 100 }],
          days: 2,
        },
      ],
    },
    {
      groupId: null,
      name: 'Unassigned',
      totalCents: 30000,
      includedCents: 30000,
      usageBasedCents: 0,
      requests: 1345,
      shareOfTeamPct: 7.5,
      topModels: [],
      developers: [
        {
          email: 'alice@example.com',
          name: 'Alice Lane',
          totalCents: 30000,
          includedCents: 30000,
          usageBasedCents: 0,
          requests: 1345,
          shareOfTeamPct: 7.5,
          shareOfGroupPct: 100,
          topModels: [],
          days: 1,
        },
      ],
    },
  ],
};
