import { formatDollars } from './format';
/**
 * How the settings are presented to people: which section each belongs to, a human label and its unit.
 * One place for the plugin's Settings page and anything else that shows settings (the worker's tests check that
 * every setting in worker/src/settings/schema.ts has an entry here and nothing else does).
 */

export type SettingSectionId = 'limits' | 'team' | 'personal' | 'notifications' | 'budget' | 'advanced' | 'spendLimits';

export interface SettingSection {
  id: SettingSectionId;
  title: string;
  /** One line: what the section is for. */
  purpose: string;
}

export const SETTING_SECTIONS: readonly SettingSection[] = [
  {
    id: 'limits',
    title: 'Limits',
    purpose: 'Fixed amounts per developer, and how big a surprise must be before anyone is told.',
  },
  {
    id: 'team',
    title: 'Compared with the team',
    purpose:
      'Newcomers are judged against the team until they have a history; the team moving together is one incident.',
  },
  {
    id: 'personal',
    title: 'Personal trends',
    purpose:
      'Each developer is compared with their own usual days: spikes, slow drifts, pricier models, runaway agents.',
  },
  {
    id: 'notifications',
    title: 'Notifications',
    purpose: 'Where alerts go, how often, and from which severity.',
  },
  {
    id: 'budget',
    title: 'Budget',
    purpose: "The team's spend per billing cycle that the forecast is compared with.",
  },
  {
    id: 'spendLimits',
    title: 'Spend limits',
    purpose:
      "Admins set a developer's Cursor spend limit from an incident or the Users page; off with a real key until turned on.",
  },
  {
    id: 'advanced',
    title: 'Advanced',
    purpose: 'The statistics behind the detectors (CUSUM, shrinkage, priors, baselines). The defaults suit most teams.',
  },
];

/** How a value is shown: `$` before it; the others after it. */
export type SettingUnit = '$' | 'days' | '×' | 'share' | 'requests' | 'tokens' | 'z' | 'hour (UTC)';

export interface SettingPresentation {
  section: SettingSectionId;
  label: string;
  unit?: SettingUnit;
}

export const SETTING_PRESENTATION: Readonly<Record<string, SettingPresentation>> = {
  // Limits
  cycleSpendLimitDollars: { section: 'limits', label: 'Spend per developer per billing cycle', unit: '$' },
  dailyRequestLimit: { section: 'limits', label: 'Requests per developer per day', unit: 'requests' },
  dailyTokenLimit: { section: 'limits', label: 'Tokens per developer per day', unit: 'tokens' },
  thresholdsOnlyWhenUnusual: { section: 'limits', label: 'Report a limit only when it is unusual for the developer' },
  minImpactDollars: { section: 'limits', label: 'Smallest extra spend worth an alert', unit: '$' },
  severityWarningDollars: { section: 'limits', label: 'Extra spend that makes it a warning', unit: '$' },
  severityCriticalDollars: { section: 'limits', label: 'Extra spend that makes it critical', unit: '$' },
  // Compared with the team
  newUserDays: { section: 'team', label: 'Days of history before a developer is judged on their own', unit: 'days' },
  teamShiftFraction: { section: 'team', label: 'Share of the team rising together for a team shift', unit: 'share' },
  teamShiftMinFactor: { section: 'team', label: 'How much the team must rise for a team shift', unit: '×' },
  // Personal trends
  spikeMultiplier: { section: 'personal', label: 'A spike is a day at least this much above usual', unit: '×' },
  driftDaysAbove: { section: 'personal', label: 'Days above usual that make a drift', unit: 'days' },
  driftWindowDays: { section: 'personal', label: '… within the last', unit: 'days' },
  modelShiftMinShareRise: { section: 'personal', label: 'Rise in the share spent on expensive models', unit: 'share' },
  modelShiftMinShareAfter: { section: 'personal', label: 'Share spent on expensive models afterwards', unit: 'share' },
  premiumCostFactor: { section: 'personal', label: 'A model is expensive from this cost per request', unit: '×' },
  runawayMinHeadlessShare: {
    section: 'personal',
    label: 'Runaway agent: share of spend by background agents',
    unit: 'share',
  },
  runawayMinVolumeFactor: { section: 'personal', label: 'Runaway agent: requests above usual', unit: '×' },
  mixHabitVolumeDays: {
    section: 'personal',
    label: 'Where a pricier model for a day is usual: days in a row on a new mix judged at the usual cost per request',
    unit: 'days',
  },
  autoResolveAfterDays: { section: 'personal', label: 'Close an incident after this many normal days', unit: 'days' },
  disabledDetectors: { section: 'personal', label: 'Detectors switched off' },
  // Notifications
  notifySlack: { section: 'notifications', label: 'Slack' },
  notifyEmail: { section: 'notifications', label: 'Email' },
  notifyWebhook: { section: 'notifications', label: 'Webhook' },
  notifyMinSeverity: { section: 'notifications', label: 'Lowest severity sent' },
  digestHourUtc: { section: 'notifications', label: 'Daily digest at', unit: 'hour (UTC)' },
  nudgeDetectors: { section: 'notifications', label: 'Nudge the developer first for these detectors' },
  nudgeEscalateAfterDays: {
    section: 'notifications',
    label: 'Tell the team when still active this long after the nudge',
    unit: 'days',
  },
  nudgeDailyCapPerDeveloper: { section: 'notifications', label: 'Nudges per developer per day, at most' },
  // Budget
  teamBudgetDollars: { section: 'budget', label: 'Team budget per billing cycle (0 = none)', unit: '$' },
  // Spend limits (issue 15)
  spendLimitFeature: { section: 'spendLimits', label: 'Spend-limit changes from Grafana' },
  spendLimitSuggestionFactor: { section: 'spendLimits', label: 'Suggested limit: usual cycle spend times', unit: '×' },
  // Advanced: the statistics
  teamZThreshold: { section: 'advanced', label: 'Team comparison: robust z above the team', unit: 'z' },
  teamZWindowDays: { section: 'advanced', label: 'Team comparison: baseline window', unit: 'days' },
  newUserPriorDays: { section: 'advanced', label: "Prior: weight of the team's level for a newcomer", unit: 'days' },
  shrinkageDays: { section: 'advanced', label: "Shrinkage: weight of the team's spread", unit: 'days' },
  spikeZThreshold: { section: 'advanced', label: 'Spike: robust z a day must reach', unit: 'z' },
  elevatedZ: { section: 'advanced', label: 'Elevated day from robust z', unit: 'z' },
  onsetZ: { section: 'advanced', label: 'CUSUM reference (episode onset)', unit: 'z' },
  cusumThreshold: { section: 'advanced', label: 'CUSUM threshold for a sustained excess', unit: 'z' },
  baselineDays: { section: 'advanced', label: 'Personal baseline window', unit: 'days' },
  adaptAfterDays: { section: 'advanced', label: 'A lasting change becomes the new normal after', unit: 'days' },
  weekdayAware: { section: 'advanced', label: 'Compare workdays with workdays, weekends with weekends' },
};

/** The presentation of `key`; a key without one (a setting added later) still shows, under Advanced, by its name. */
export function settingPresentation(key: string): SettingPresentation {
  return SETTING_PRESENTATION[key] ?? { section: 'advanced', label: key };
}

/** A setting's value for people: `$1,500`, `3 days`, `2.5×`, `50%`, `on`/`off`, a list joined by commas. */
export function formatSettingValue(value: unknown, unit?: SettingUnit): string {
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value !== 'number') return String(value);
  switch (unit) {
    case '$':
      return formatDollars(value);
    case '×':
      return `${value}×`;
    case 'share':
      return `${Math.round(value * 1000) / 10}%`;
    case 'hour (UTC)':
      return `${String(value).padStart(2, '0')}:00 UTC`;
    case undefined:
      return String(value);
    default:
      return `${value.toLocaleString('en-US')} ${unit}`;
  }
}
