import { DAY_MS, toDay } from '@cursor-cost-watch/contract';
import { CursorClient, type ObservedResponse } from '../cursor/client';
import type { DriftEntry } from '../cursor/drift';
import { CursorApiError, CursorValidationError } from '../cursor/errors';

/**
 * `npm run doctor`: what a user holding a real key checks before trusting the numbers. Every endpoint the collector
 * reads is called once (small windows), with its status, time, the rate-limit headers it sent and its shape against
 * our schemas; how far back usage events really go; whether the Analytics key works. Nothing secret is reported.
 */

/** How far back the events probe looks (Cursor documents no retention). */
const PROBE_MAX_DAYS = 400;

export interface DoctorOptions {
  baseUrl: string;
  apiKey: string;
  analyticsApiKey?: string;
  backfillDays: number;
  rateLimits: { admin: number; events: number; analytics: number };
  timeoutMs?: number;
  now?: () => number;
  backoffBaseMs?: number;
  /** Sees every answer too (CURSOR_CAPTURE_DIR samples). */
  observe?: (o: ObservedResponse) => void;
}

export type CheckStatus = 'ok' | 'warning' | 'failed';

export interface EndpointCheck {
  endpoint: string;
  status: CheckStatus;
  /** HTTP status of the last answer (null: no answer). */
  http: number | null;
  auth: 'ok' | 'rejected' | 'unknown';
  ms: number | null;
  retries: number;
  rateLimitHeaders: Record<string, string>;
  /** Fields beside the documented shape (unknown, or an unexpected shape where we are lenient). */
  drift: Omit<DriftEntry, 'endpoint'>[];
  /** Fields the product needs that are missing or of the wrong type (these fail collection). */
  shapeErrors: { path: string; message: string }[];
  error?: string;
  /** Optional endpoints whose failure only warns. */
  optional: boolean;
}

export interface DoctorReport {
  checkedAt: string;
  baseUrl: string;
  adminKey: string;
  analyticsKey: string;
  endpoints: EndpointCheck[];
  rateLimitHeadersSeen: string[];
  retention: { oldestEventDay: string | null; daysBack: number | null; backfillDays: number; probes: number };
  warnings: string[];
  ok: boolean;
}

const RATE_HEADER = /^(x-)?rate-?limit|^retry-after$/i;

/** A key described without revealing it. */
export function describeKey(key: string | undefined): string {
  if (!key) return 'not set';
  return `set (${key.length} characters${key.startsWith('key_') ? ', key_…' : ''})`;
}

export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const now = (o.now ?? Date.now)();
  const endpoints: EndpointCheck[] = [];
  const warnings: string[] = [];

  const check = async (
    label: string,
    optional: boolean,
    call: (client: CursorClient) => Promise<unknown>,
  ): Promise<EndpointCheck> => {
    let last: ObservedResponse | undefined;
    const headers: Record<string, string> = {};
    const client = new CursorClient({
      baseUrl: o.baseUrl,
      apiKey: o.apiKey,
      analyticsApiKey: o.analyticsApiKey,
      rateLimits: o.rateLimits,
      timeoutMs: o.timeoutMs ?? 30_000,
      maxRetries: 2,
      backoffBaseMs: o.backoffBaseMs ?? 500,
      backoffMaxMs: 5_000,
      observe: (r) => {
        o.observe?.(r);
        last = r;
        r.headers.forEach((v, k) => {
          if (RATE_HEADER.test(k)) headers[k.toLowerCase()] = v;
        });
      },
    });
    const c: EndpointCheck = {
      endpoint: label,
      status: 'ok',
      http: null,
      auth: 'unknown',
      ms: null,
      retries: 0,
      rateLimitHeaders: headers,
      drift: [],
      shapeErrors: [],
      optional,
    };
    try {
      await call(client);
    } catch (err) {
      c.status = optional ? 'warning' : 'failed';
      if (err instanceof CursorValidationError)
        c.shapeErrors = err.issues.map((i) => ({ path: i.path, message: i.message }));
      c.error = err instanceof Error ? err.message : String(err);
      if (err instanceof CursorApiError && (err.status === 401 || err.status === 403)) c.auth = 'rejected';
    }
    c.http = last?.status ?? null;
    c.ms = last?.ms ?? null;
    if (c.auth === 'unknown' && last && last.status < 400) c.auth = 'ok';
    if (
      c.auth === 'unknown' &&
      last &&
      last.status !== 401 &&
      last.status !== 403 &&
      last.status < 500 &&
      last.status !== 429
    )
      c.auth = 'ok';
    c.retries = client.stats.retries;
    c.drift = client.drift.drain().map(({ endpoint: _e, ...d }) => d);
    if (c.status === 'ok' && c.drift.length) c.status = 'warning';
    endpoints.push(c);
    return c;
  };

  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const yesterday = dayStart - DAY_MS;
  await check('GET /teams/members', false, (cl) => cl.members());
  await check('POST /teams/daily-usage-data', false, async (cl) => {
    for await (const _page of cl.dailyUsage(yesterday, now)) break;
  });
  await check('POST /teams/spend', false, (cl) => cl.spend());
  await check('POST /teams/filtered-usage-events', false, async (cl) => {
    for await (const _page of cl.usageEventPages(yesterday, now, { pageSize: 100 })) break;
  });
  await check('GET /teams/groups', true, (cl) => cl.groups());
  await check('GET /teams/audit-logs', true, async (cl) => {
    for await (const _page of cl.auditLogPages(now - 7 * DAY_MS, now)) break;
  });
  if (o.analyticsApiKey) {
    const day = toDay;
    await check('GET /analytics/team/dau', false, (cl) => cl.analyticsDau(day(now - 7 * DAY_MS), day(now)));
    await check('GET /analytics/team/models', false, (cl) => cl.analyticsModels(day(now - 7 * DAY_MS), day(now)));
  } else {
    warnings.push(
      'CURSOR_ANALYTICS_API_KEY is not set: the Analytics API (daily active users, model usage) is not collected',
    );
  }

  // Retention: the oldest day with any event, by bisection on "are there events older than d days?".
  const retention: DoctorReport['retention'] = {
    oldestEventDay: null,
    daysBack: null,
    backfillDays: o.backfillDays,
    probes: 0,
  };
  const eventsCheck = endpoints.find((e) => e.endpoint === 'POST /teams/filtered-usage-events');
  if (eventsCheck?.status !== 'failed') {
    const probeClient = new CursorClient({
      baseUrl: o.baseUrl,
      apiKey: o.apiKey,
      rateLimits: o.rateLimits,
      timeoutMs: o.timeoutMs ?? 30_000,
      maxRetries: 2,
      backoffBaseMs: o.backoffBaseMs ?? 500,
    });
    const olderThan = async (days: number) => {
      retention.probes++;
      for await (const page of probeClient.usageEventPages(dayStart - PROBE_MAX_DAYS * DAY_MS, now - days * DAY_MS, {
        pageSize: 1,
      }))
        return page.events.length > 0;
      return false;
    };
    try {
      if (await olderThan(0)) {
        let lo = 0; // events older than lo days exist
        let hi = PROBE_MAX_DAYS; // none older than hi days (assumed)
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (await olderThan(mid)) lo = mid;
          else hi = mid;
        }
        retention.daysBack = hi;
        retention.oldestEventDay = new Date(now - hi * DAY_MS).toISOString().slice(0, 10);
        if (hi < o.backfillDays)
          warnings.push(
            `usage events reach back ${hi} days (oldest around ${retention.oldestEventDay}); BACKFILL_DAYS=${o.backfillDays} asks for more: older days will stay empty`,
          );
      } else {
        warnings.push(
          'the events endpoint returned no events at all: nothing to collect yet, or the key sees no usage',
        );
      }
    } catch (err) {
      warnings.push(`could not measure how far back events go: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const seen = new Set<string>();
  for (const e of endpoints) for (const k of Object.keys(e.rateLimitHeaders)) seen.add(k);
  if (seen.size === 0) warnings.push('no rate-limit headers seen: the collector paces itself at the documented limits');
  for (const e of endpoints) {
    if (e.status === 'warning' && e.error) warnings.push(`${e.endpoint} (optional) failed: ${e.error}`);
    if (e.drift.length) warnings.push(`${e.endpoint}: ${e.drift.length} field(s) differ from the documented shape`);
  }
  return {
    checkedAt: new Date(now).toISOString(),
    baseUrl: o.baseUrl,
    adminKey: describeKey(o.apiKey),
    analyticsKey: describeKey(o.analyticsApiKey),
    endpoints,
    rateLimitHeadersSeen: [...seen].sort(),
    retention,
    warnings,
    ok: endpoints.every((e) => e.status !== 'failed'),
  };
}
