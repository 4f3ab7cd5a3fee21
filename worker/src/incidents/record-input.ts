import { DAY_MS, toDay } from '@cursor-cost-watch/contract';
import { z } from 'zod';
import type { Anomaly } from '../detection/types';
import { IncidentInputError } from './errors';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD');
const finite = z.number({ message: 'must be a finite number' }).refine(Number.isFinite, 'must be a finite number');

const anomalySchema = z.object({
  scope: z.enum(['user', 'team']),
  subject: z.string().trim().min(1, 'must not be empty'),
  detector: z.string().min(1, 'must not be empty'),
  severity: z.enum(['info', 'warning', 'critical']),
  asOf: day,
  // Incidents compare onsets for equality (continues-spike.ts, upsert.ts): only whole days make that a day's test.
  onsetAt: z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO timestamp')
    .refine((v) => Date.parse(v) % DAY_MS === 0, 'must be the start of a UTC day (T00:00:00Z)'),
  observed: finite,
  expected: finite,
  bandLow: finite.nullable(),
  bandHigh: finite.nullable(),
  unit: z.enum(['cents', 'requests', 'tokens', 'share']),
  impactCents: finite,
  topModel: z.string().nullable(),
  why: z.record(z.string(), z.unknown()),
  summary: z.string(),
});

/** Rejects a pass whose anomalies are malformed or belong to another day, naming each bad field. */
export function validateRecordInput(asOf: string, anomalies: Anomaly[]): void {
  const issues: { path: string; message: string }[] = [];
  const dayCheck = day.safeParse(asOf);
  if (!dayCheck.success) issues.push({ path: 'asOf', message: `must be a day as YYYY-MM-DD (got "${asOf}")` });
  anomalies.forEach((a, i) => {
    const r = anomalySchema.safeParse(a);
    if (!r.success) {
      for (const issue of r.error.issues)
        issues.push({ path: `anomalies[${i}].${issue.path.join('.')}`, message: issue.message });
    } else if (a.asOf !== asOf) {
      issues.push({ path: `anomalies[${i}].asOf`, message: `is ${a.asOf} but the pass evaluates ${asOf}` });
    } else if (toDay(Date.parse(a.onsetAt)) > asOf) {
      issues.push({
        path: `anomalies[${i}].onsetAt`,
        message: `is ${a.onsetAt}, after the day the pass evaluates (${asOf})`,
      });
    }
  });
  if (issues.length > 0) throw new IncidentInputError(issues);
}

export function anomalyKey(a: { scope: string; subject: string; detector: string }): string {
  return `${a.scope}\u0000${a.subject}\u0000${a.detector}`;
}

/** One anomaly per subject and detector (the largest impact wins), in a stable order so row locks never deadlock. */
export function uniqueSorted(anomalies: Anomaly[]): Anomaly[] {
  const byKey = new Map<string, Anomaly>();
  for (const a of anomalies) {
    const k = anomalyKey(a);
    const seen = byKey.get(k);
    if (!seen || a.impactCents > seen.impactCents) byKey.set(k, a);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, a]) => a);
}
