import { z } from 'zod';
import { csvOf, isoDateTime, isoDay, pageSchema, queryInt, requestDateTime } from './common';

export const INCIDENT_STATUSES = ['open', 'alerted', 'acknowledged', 'resolved'] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
/** Every detector, the one list the worker's engine, its settings and the plugin share. */
export const DETECTORS = [
  'cycle_spend', // threshold: spend this billing cycle
  'daily_requests', // threshold: requests a day
  'daily_tokens', // threshold: tokens a day
  'team_zscore', // user far above the team that day (robust); new hires against the team
  'personal_spike', // today vs the user's own baseline
  'sustained_drift', // level shift / ramp above the user's baseline for several days
  'model_shift', // shift to expensive models at similar volume
  'runaway_agent', // headless / agent volume explosion
  'team_shift', // team-wide jump (one team incident, not one per developer)
] as const;
export const RESOLUTION_REASONS = ['fixed', 'expected', 'false_positive'] as const;
export const INCIDENT_SORTS = ['detected_at', 'last_detected_at', 'onset_at', 'impact_cents', 'severity'] as const;

export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type DetectorName = (typeof DETECTORS)[number];
/**
 * How an incident ended: a reason a person chose (RESOLUTION_REASONS), 'auto' when the worker closed it, or
 * 'fixed_after_nudge' when the anomaly ended after the developer was nudged (worker/src/nudge).
 */
export type ChosenResolutionReason = (typeof RESOLUTION_REASONS)[number];
export const STORED_RESOLUTION_REASONS = [...RESOLUTION_REASONS, 'auto', 'fixed_after_nudge'] as const;
export type ResolutionReason = (typeof STORED_RESOLUTION_REASONS)[number];

/** Severity order, lowest first: the one ranking notifications, incidents and sorting use. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };
export const severityRank = (s: Severity): number => SEVERITY_RANK[s];
export const maxSeverity = (a: Severity, b: Severity): Severity => (SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b);

/** GET /api/incidents query. Lists are comma separated; `user` matches part of an email; `team` is a billing group id. */
export const incidentListQuerySchema = z.object({
  status: csvOf([...INCIDENT_STATUSES]).optional(),
  severity: csvOf([...SEVERITIES]).optional(),
  detector: csvOf([...DETECTORS]).optional(),
  user: z.string().trim().min(1, 'must not be empty').max(320, 'must be at most 320 characters').optional(),
  team: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  from: requestDateTime.optional(),
  to: requestDateTime.optional(),
  sort: z.enum(INCIDENT_SORTS, { message: `must be one of ${INCIDENT_SORTS.join(', ')}` }).default('detected_at'),
  order: z.enum(['asc', 'desc'], { message: 'must be asc or desc' }).default('desc'),
  page: queryInt(1, 100_000, 1),
  pageSize: queryInt(1, 200, 50),
});
export type IncidentListQuery = z.input<typeof incidentListQuerySchema>;

export const incidentSchema = z.object({
  id: z.number().int(),
  scope: z.enum(['user', 'team']),
  subject: z.string(),
  detector: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  severity: z.enum(SEVERITIES),
  maxSeverity: z.enum(SEVERITIES),
  onsetAt: isoDateTime,
  detectedAt: isoDateTime,
  lastDetectedAt: isoDateTime,
  alertedAt: isoDateTime.nullable(),
  acknowledgedAt: isoDateTime.nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: isoDateTime.nullable(),
  resolvedBy: z.string().nullable(),
  resolutionReason: z.enum(STORED_RESOLUTION_REASONS).nullable(),
  resolutionNote: z.string().nullable(),
  observed: z.number(),
  expected: z.number(),
  bandLow: z.number().nullable(),
  bandHigh: z.number().nullable(),
  unit: z.string(),
  impactCents: z.number(),
  topModel: z.string().nullable(),
  summary: z.string(),
});
export type Incident = z.infer<typeof incidentSchema>;

export const incidentListSchema = pageSchema(incidentSchema);
export type IncidentList = z.infer<typeof incidentListSchema>;

export const seriesPointSchema = z.object({
  day: isoDay,
  observed: z.number(),
  expected: z.number().nullable(),
  bandLow: z.number().nullable(),
  bandHigh: z.number().nullable(),
});
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

export const modelShareSchema = z.object({ model: z.string(), cents: z.number(), share: z.number() });
export type ModelShare = z.infer<typeof modelShareSchema>;

export const timelineEntrySchema = z.object({
  id: z.number().int(),
  at: isoDateTime,
  actor: z.string(),
  action: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/** GET /api/incidents/:id — the incident with its evidence. */
export const incidentDetailSchema = z.object({
  incident: incidentSchema,
  why: z.record(z.string(), z.unknown()),
  series: z.array(seriesPointSchema),
  seriesUnit: z.string(),
  modelMix: z.object({ before: z.array(modelShareSchema), after: z.array(modelShareSchema) }),
  timeline: z.array(timelineEntrySchema),
});
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;

export const incidentIdParamsSchema = z.object({
  id: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive'),
});

const note = z.string().trim().max(2000, 'must be at most 2000 characters').optional();
export const acknowledgeBodySchema = z.object({ note }).strict();
export const reopenBodySchema = z.object({ note }).strict();
export const resolveBodySchema = z
  .object({
    reason: z.enum(RESOLUTION_REASONS, { message: `must be one of ${RESOLUTION_REASONS.join(', ')}` }),
    note,
  })
  .strict();
export type ResolveBody = z.infer<typeof resolveBodySchema>;
