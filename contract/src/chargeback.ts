import { z } from 'zod';
import { isoDateTime, isoDay } from './common';

/** GET /api/chargeback?cycle=YYYY-MM-DD[&format=csv]: `cycle` is the first day of a billing cycle (default: the latest). */
export const chargebackQuerySchema = z.object({
  cycle: isoDay.optional(),
  format: z.enum(['json', 'csv'], { message: 'must be json or csv' }).default('json'),
});
export type ChargebackQuery = z.input<typeof chargebackQuerySchema>;

/** A model's part of some spend. */
export const chargebackModelSchema = z.object({ model: z.string(), cents: z.number(), sharePct: z.number() });
export type ChargebackModel = z.infer<typeof chargebackModelSchema>;

/** Spend over the cycle: all of it, the included part and the usage-based (on-demand) part, and calls made. */
const spendFields = {
  totalCents: z.number(),
  includedCents: z.number(),
  usageBasedCents: z.number(),
  requests: z.number().int(),
  topModels: z.array(chargebackModelSchema),
};

/** A developer's spend while in one group (a developer who moved mid-cycle appears under both groups). */
export const chargebackDeveloperSchema = z.object({
  email: z.string(),
  name: z.string().nullable(),
  ...spendFields,
  shareOfTeamPct: z.number(),
  shareOfGroupPct: z.number(),
  /** Days of the cycle with spend attributed to this group. */
  days: z.number().int(),
});
export type ChargebackDeveloper = z.infer<typeof chargebackDeveloperSchema>;

export const chargebackGroupSchema = z.object({
  /** null: Unassigned (no group that day, or a group since deleted, as Cursor files them). */
  groupId: z.string().nullable(),
  name: z.string(),
  ...spendFields,
  shareOfTeamPct: z.number(),
  developers: z.array(chargebackDeveloperSchema),
});
export type ChargebackGroup = z.infer<typeof chargebackGroupSchema>;

export const chargebackReportSchema = z.object({
  cycle: isoDay,
  /** Last day of the cycle. */
  cycleEnd: isoDay,
  /** The cycle is over: its numbers no longer change (but for restated prices of its last days). */
  closed: z.boolean(),
  /** Cycles with data, newest first (the cycle picker). */
  cycles: z.array(isoDay),
  team: z.object({ ...spendFields, developers: z.number().int() }),
  /** Cursor's own /teams/spend totals for this cycle as last collected (at collectedAt), when collected. */
  cursor: z.object({ overallCents: z.number(), onDemandCents: z.number(), collectedAt: isoDateTime }).nullable(),
  groups: z.array(chargebackGroupSchema),
});
export type ChargebackReport = z.infer<typeof chargebackReportSchema>;

/** The CSV's columns, in order: one row for the team, one per group, one per developer in a group. */
export const CHARGEBACK_CSV_COLUMNS = [
  'cycle_start',
  'cycle_end',
  'level',
  'group',
  'developer_email',
  'developer_name',
  'total_usd',
  'included_usd',
  'usage_based_usd',
  'requests',
  'share_of_team_pct',
  'share_of_group_pct',
  'top_models',
] as const;
