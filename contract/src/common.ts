import { z } from 'zod';

/** Every error the worker API answers with: a code, a sentence, and for 400s the field and reason of each problem. */
export const apiErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** ISO-8601 timestamp with an offset, as the API sends and accepts them. */
export const isoDateTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 timestamp such as 2026-11-01T00:00:00Z',
});
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/**
 * A timestamp a request may carry: isoDateTime whose instant also lies in 1970–9999 UTC, so every time the API derives
 * from it (e.g. 30 days before `to`) is again an isoDateTime. `0000-01-01T00:30:00+23:59` is in year -1 in UTC.
 */
export const requestDateTime = isoDateTime.refine(
  (s) => {
    const t = Date.parse(s); // NaN when the format is wrong, which isoDateTime already reports
    return !(t < EARLIEST || t > LATEST);
  },
  { message: 'must lie between 1970-01-01 and 9999-12-31 (UTC)' },
);
export const isoDay = z.iso.date({ message: 'must be a day as YYYY-MM-DD' });

/** Query strings carry text: numbers are coerced, lists are comma separated. */
export const queryInt = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

export const csvOf = <T extends [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    )
    .pipe(z.array(z.enum(values, { message: `each value must be one of ${values.join(', ')}` })));

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

export const okSchema = z.object({ ok: z.literal(true) });
