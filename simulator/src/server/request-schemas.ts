import { z } from 'zod';
import { badRequest } from './errors';

/** Request bodies and queries the simulated API accepts, validated so bad input gets a message naming the field. */
/** Numbers may come as digit strings too (query strings, lenient clients). */
const digitsToNumber = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
const epochMs = z.preprocess(
  digitsToNumber,
  z.number({ error: 'must be epoch milliseconds (an integer)' }).int().nonnegative(),
);
const positiveInt = z.preprocess(digitsToNumber, z.number({ error: 'must be a positive integer' }).int().positive());
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD');

const dateRange = { startDate: epochMs, endDate: epochMs };

export const dailyUsageBody = z.object({
  ...dateRange,
  page: positiveInt.optional(),
  pageSize: positiveInt.optional(),
});

export const MAX_EVENTS_PAGE_SIZE = 1000;
export const eventsBody = z.object({
  ...dateRange,
  email: z.string().min(1).optional(),
  userId: z.union([z.string().min(1), z.number().int()]).optional(),
  page: positiveInt.optional().default(1),
  pageSize: positiveInt
    .pipe(z.number().max(MAX_EVENTS_PAGE_SIZE, `must be at most ${MAX_EVENTS_PAGE_SIZE}`))
    .optional()
    .default(100),
});

export const spendBody = z.object({
  searchTerm: z.string().optional(),
  sortBy: z.enum(['amount', 'date', 'user']).optional(),
  sortDirection: z.enum(['asc', 'desc']).optional(),
  page: positiveInt.optional(),
  pageSize: positiveInt.optional(),
});

/** POST /teams/user-spend-limit (cursor-api.md): integer dollars, null removes the limit. */
export const userSpendLimitBody = z.object({
  userEmail: z.string({ error: 'must be an email' }).min(3, 'must be an email'),
  spendLimitDollars: z
    .number({ error: 'must be an integer number of dollars or null' })
    .int('must be an integer number of dollars')
    .nonnegative('must not be negative')
    .nullable(),
});

export const groupsQuery = z.object({ billingCycle: isoDay.optional() });

/** GET /teams/audit-logs (Cursor's docs: startTime/endTime default to 7 days ago and now; pageSize 1–500). */
export const MAX_AUDIT_PAGE_SIZE = 500;
export const auditLogsQuery = z.object({
  startTime: epochMs.optional(),
  endTime: epochMs.optional(),
  page: positiveInt.optional().default(1),
  pageSize: positiveInt
    .pipe(z.number().max(MAX_AUDIT_PAGE_SIZE, `must be at most ${MAX_AUDIT_PAGE_SIZE}`))
    .optional()
    .default(100),
});
export const analyticsQuery = z.object({ startDate: isoDay.optional(), endDate: isoDay.optional() });

/** Parses or throws a 400 whose message lists each problem with its field, e.g. "startDate: required". */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {}, { reportInput: true });
  if (result.success) return result.data;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`Invalid ${what}: must be a JSON object`);
  const problems = result.error.issues.map((i) => {
    const field = i.path.join('.') || what;
    const message = i.input === undefined && i.path.length > 0 ? 'is required' : i.message;
    return `${field} ${message}`;
  });
  throw badRequest(`Invalid ${what}: ${problems.join('; ')}`);
}
