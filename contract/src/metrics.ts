import { z } from 'zod';
import { isoDateTime, requestDateTime } from './common';
import { nudgeComparisonSchema } from './nudges';

export const incidentMetricsQuerySchema = z.object({
  from: requestDateTime.optional(),
  to: requestDateTime.optional(),
});
export type IncidentMetricsQuery = z.infer<typeof incidentMetricsQuerySchema>;

const duration = z.object({ mean: z.number().nullable(), median: z.number().nullable() });

/** GET /api/metrics/incidents. Durations in seconds; null when no incident in the range reached that point. */
export const incidentMetricsSchema = z.object({
  from: isoDateTime,
  to: isoDateTime,
  open: z.number().int(),
  total: z.number().int(),
  /** Onset → first detection: how fast the system catches it. */
  mttd: duration,
  /** First detection → first message delivered by a channel (null when no channel sends). */
  timeToAlert: duration,
  /** First alert, or first detection when no channel sent one → acknowledgement. */
  mtti: duration,
  mttr: duration,
  impactCents: z.number(),
  perDetector: z.array(
    z.object({
      detector: z.string(),
      total: z.number().int(),
      resolved: z.number().int(),
      falsePositives: z.number().int(),
      precision: z.number().nullable(),
    }),
  ),
  /** MTTR and dollars of incidents whose developer was nudged first versus the others. */
  nudge: nudgeComparisonSchema,
});
export type IncidentMetrics = z.infer<typeof incidentMetricsSchema>;
