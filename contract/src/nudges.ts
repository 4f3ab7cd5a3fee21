import { z } from 'zod';
import { isoDateTime } from './common';

/**
 * "Nudge the developer first" (issue 15): a personal email before the team channels hear about an anomaly. The
 * worker (worker/src/nudge) and the plugin share these names and labels.
 */

/** Why a nudge was not sent, so the incident went to the team channels as usual. */
export const NUDGE_SKIP_REASONS = [
  'opted_out',
  'daily_cap',
  'smtp_not_configured',
  'recent_nudge',
  'not_a_developer',
  'already_ended',
] as const;
export type NudgeSkipReason = (typeof NUDGE_SKIP_REASONS)[number];
export const NUDGE_SKIP_LABELS: Record<NudgeSkipReason, string> = {
  opted_out: 'the developer opted out of nudges',
  daily_cap: "the developer's daily nudge cap was reached",
  smtp_not_configured: 'no SMTP server is configured',
  recent_nudge: 'the same anomaly came back after a recent nudge',
  not_a_developer: 'the subject is not a developer email',
  already_ended: 'the anomaly had already ended when it was found (days caught up after the worker was down)',
};

/** The timeline actions a nudge adds to an incident. */
export const NUDGE_ACTIONS = ['nudged', 'nudge_skipped', 'nudge_escalated', 'fixed_after_nudge'] as const;

/** Every resolution reason an incident can carry, with how people read it. */
export const RESOLUTION_REASON_LABELS: Record<string, string> = {
  fixed: 'Fixed',
  expected: 'Expected (planned)',
  false_positive: 'False positive',
  auto: 'Resolved automatically (back to normal)',
  fixed_after_nudge: 'Fixed after nudge',
};

/** PUT /api/users/:email/nudge-opt-out */
export const nudgeOptOutBodySchema = z
  .object({
    optedOut: z.boolean({ message: 'must be true or false' }),
    reason: z.string().trim().max(500, 'must be at most 500 characters').optional(),
  })
  .strict();
export type NudgeOptOutBody = z.infer<typeof nudgeOptOutBodySchema>;

export const nudgeSummarySchema = z.object({
  incidentId: z.number().int(),
  detector: z.string(),
  status: z.enum(['pending', 'sent', 'failed', 'skipped']),
  skipReason: z.string().nullable(),
  createdAt: isoDateTime,
  sentAt: isoDateTime.nullable(),
  outcome: z.enum(['escalated', 'fixed_after_nudge', 'closed']).nullable(),
});
export type NudgeSummary = z.infer<typeof nudgeSummarySchema>;

/** GET /api/users/:email/nudges (and the answer to the PUT): the opt-out and the developer's latest nudges. */
export const nudgeStatusSchema = z.object({
  email: z.string(),
  optedOut: z.boolean(),
  reason: z.string().nullable(),
  changedBy: z.string().nullable(),
  changedAt: isoDateTime.nullable(),
  /** Detectors whose anomalies nudge first (settings.nudgeDetectors); empty: the policy is off. */
  policyDetectors: z.array(z.string()),
  dailyCap: z.number().int(),
  recent: z.array(nudgeSummarySchema),
});
export type NudgeStatus = z.infer<typeof nudgeStatusSchema>;

const durationSchema = z.object({ mean: z.number().nullable(), median: z.number().nullable() });

/** One side of the nudged / not-nudged comparison in GET /api/metrics/incidents. */
export const nudgeCohortSchema = z.object({
  total: z.number().int(),
  resolved: z.number().int(),
  /** onset → resolved */
  mttr: durationSchema,
  /** dollars above expected, onset to resolution (so far for open ones) */
  impactCents: z.number(),
});
export const nudgeComparisonSchema = z.object({
  nudged: nudgeCohortSchema.extend({
    fixedAfterNudge: z.number().int(),
    escalated: z.number().int(),
  }),
  notNudged: nudgeCohortSchema,
});
export type NudgeComparison = z.infer<typeof nudgeComparisonSchema>;
