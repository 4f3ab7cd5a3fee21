import { z } from 'zod';
import { isoDateTime } from './common';

/**
 * Per-developer spend limits set from Grafana through Cursor's POST /teams/user-spend-limit (integer dollars, null
 * removes the limit). The worker only records a change once Cursor answered `outcome: "success"`.
 */

/** The `spendLimitFeature` setting: "auto" is on in demo mode (the simulator) and off with a real Cursor key. */
export const SPEND_LIMIT_FEATURE_MODES = ['auto', 'on', 'off'] as const;
export type SpendLimitFeatureMode = (typeof SPEND_LIMIT_FEATURE_MODES)[number];

/** Cursor takes whole dollars; a limit above this is a typo, not a limit. */
export const MAX_SPEND_LIMIT_DOLLARS = 1_000_000;

const email = z.string().trim().min(3, 'must be an email').max(320, 'must be at most 320 characters');
const reason = z
  .string({ message: 'must say why (a sentence others will read on the timeline)' })
  .trim()
  .min(1, 'must say why (a sentence others will read on the timeline)')
  .max(2000, 'must be at most 2000 characters');
const positiveId = z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive();

export const spendLimitEmailParamsSchema = z.object({ email });
export const spendLimitQuerySchema = z.object({ incidentId: positiveId.optional() });
export const spendLimitChangeIdParamsSchema = z.object({ id: positiveId });

/** POST /api/spend-limits: set (a whole number of dollars), change, or remove (null) a developer's limit. */
export const spendLimitChangeBodySchema = z
  .object({
    email,
    spendLimitDollars: z
      .number({ message: 'must be a whole number of dollars, or null to remove the limit' })
      .int('must be a whole number of dollars (Cursor takes integer dollars)')
      .min(0, 'must not be negative')
      .max(MAX_SPEND_LIMIT_DOLLARS, `must be at most ${MAX_SPEND_LIMIT_DOLLARS}`)
      .nullable(),
    reason,
    incidentId: z.number({ message: 'must be a number' }).int('must be a whole number').positive().optional(),
  })
  .strict();
export type SpendLimitChangeBody = z.infer<typeof spendLimitChangeBodySchema>;

/** POST /api/spend-limits/changes/:id/undo: restores the limit that change replaced. */
export const spendLimitUndoBodySchema = z.object({ reason }).strict();
export type SpendLimitUndoBody = z.infer<typeof spendLimitUndoBodySchema>;

/** One change Cursor accepted. `oldKnown` false: the limit before it was not known (never collected). */
export const spendLimitChangeSchema = z.object({
  id: z.number().int(),
  at: isoDateTime,
  actor: z.string(),
  email: z.string(),
  incidentId: z.number().int().nullable(),
  oldDollars: z.number().nullable(),
  oldKnown: z.boolean(),
  newDollars: z.number().nullable(),
  reason: z.string(),
  cursorMessage: z.string(),
  undoOf: z.number().int().nullable(),
  undoneBy: z.number().int().nullable(),
});
export type SpendLimitChange = z.infer<typeof spendLimitChangeSchema>;

export const spendLimitChangeResultSchema = z.object({
  change: spendLimitChangeSchema,
  cursor: z.object({ outcome: z.literal('success'), message: z.string() }),
});
export type SpendLimitChangeResult = z.infer<typeof spendLimitChangeResultSchema>;

/** GET /api/spend-limits/:email: what the confirmation dialog shows before an Admin changes a limit. */
export const spendLimitInfoSchema = z.object({
  email: z.string(),
  name: z.string().nullable(),
  /** Whether changes are allowed now (setting spendLimitFeature), and if not, why in one sentence. */
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  cycleStart: isoDateTime.nullable(),
  cycleEnd: isoDateTime.nullable(),
  /** On-demand spend this cycle as Cursor reports it (/teams/spend spendCents): what a spend limit caps. */
  cycleSpendCents: z.number(),
  /** All spend this cycle, included usage too (overallSpendCents). */
  cycleOverallSpendCents: z.number(),
  forecastCents: z.number(),
  forecastExplanation: z.string(),
  limit: z.object({
    known: z.boolean(),
    /** null with known = no limit. */
    dollars: z.number().nullable(),
    source: z.enum(['cursor', 'change']).nullable(),
    asOf: isoDateTime.nullable(),
    explanation: z.string(),
  }),
  suggestion: z.object({
    dollars: z.number().int(),
    usualCycleCents: z.number(),
    factor: z.number(),
    explanation: z.string(),
  }),
  /** The latest accepted changes for this developer, newest first. */
  changes: z.array(spendLimitChangeSchema),
});
export type SpendLimitInfo = z.infer<typeof spendLimitInfoSchema>;
