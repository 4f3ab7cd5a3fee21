import { DAY_MS } from '@cursor-cost-watch/contract';
import { z } from 'zod';
import type { Logger } from '../config/log';
import { unstorableFields } from '../db/storable-text';
import { DriftLog, findDrift } from './drift';
import { CursorApiError, CursorPagingError, CursorResponseTooLargeError, CursorValidationError } from './errors';
import { Pacer, defaultSleep } from './pacer';
import * as S from './schemas';

export interface CursorClientOptions {
  baseUrl: string;
  apiKey: string;
  analyticsApiKey?: string;
  /** Requests per rolling minute per endpoint (documented: 20 for most admin endpoints, 20 or 60 for events). 0 = unpaced. */
  rateLimits: { admin: number; events: number; analytics: number };
  timeoutMs?: number;
  maxRetries?: number;
  /** Base delay of the exponential backoff when no Retry-After is given. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  log?: Logger;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The pacer's clock (tests). */
  now?: () => number;
  /** Sees every answer that was read (the doctor's timings and headers, CURSOR_CAPTURE_DIR samples). */
  observe?: (o: ObservedResponse) => void;
  /** A response body larger than this is refused (CURSOR_MAX_RESPONSE_BYTES; default 64 MiB). */
  maxResponseBytes?: number;
  /** Hard limit on the pages of one requested window, whatever the API's hasNextPage says (default 2,000). */
  maxPagesPerWindow?: number;
}

export interface ObservedResponse {
  endpoint: string;
  status: number;
  ms: number;
  headers: Headers;
  /** The body as received. */
  text: string;
}

/** An event the collector does not store, kept raw with the reason (see sql/008_quarantine.sql). */
export interface RefusedEvent {
  raw: unknown;
  reason: string;
}

/**
 * A usage-events page whose events are parsed one by one (S.usageEventSchema), so one poison event is refused alone
 * instead of failing the page and everything behind it.
 */
const usageEventsPageSchema = S.usageEventsResponseSchema.extend({ usageEvents: z.array(z.unknown()) });
/** The events part alone, for the drift of the events a page held that were accepted. */
const acceptedEventsSchema = z.object({ usageEvents: z.array(S.usageEventSchema) });

/** Why `raw` cannot be stored as an event of [startMs, endMs], or its parsed form. */
export function checkUsageEvent(
  raw: unknown,
  startMs: number,
  endMs: number,
): { event: S.UsageEvent } | { refused: RefusedEvent } {
  const text = unstorableFields(raw, 'event');
  if (text.length > 0) return { refused: { raw, reason: text.map((i) => `${i.path} ${i.message}`).join('; ') } };
  const parsed = S.usageEventSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `event.${i.path.join('.')} ${i.message}`).join('; ');
    return { refused: { raw, reason: `does not match the usage event schema: ${why}` } };
  }
  const ts = parsed.data.timestamp;
  if (!(ts >= startMs && ts <= endMs)) {
    const at = Number.isFinite(ts) && Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : String(ts);
    return {
      refused: {
        raw,
        reason: `timestamp ${at} is outside the requested window ${new Date(startMs).toISOString()} – ${new Date(endMs).toISOString()}`,
      },
    };
  }
  return { event: parsed.data };
}

export interface ClientStats {
  requests: number;
  rateLimited: number;
  retries: number;
}

/** Documented maximum range of daily-usage-data and the analytics endpoints. */
export const MAX_RANGE_DAYS = 30;
/** POST /teams/user-spend-limit: 60 or 250 a minute depending on the docs' version; the lower one is kept. */
export const SPEND_LIMIT_RATE_PER_MIN = 60;

export class CursorClient {
  readonly stats: ClientStats = { requests: 0, rateLimited: 0, retries: 0 };
  /** Schema drift seen in accepted answers (./drift.ts); the collector drains it per endpoint run. */
  readonly drift = new DriftLog();
  private readonly pacers = new Map<string, Pacer>();
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly maxResponseBytes: number;
  private readonly maxPages: number;

  constructor(private readonly opts: CursorClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? 64 * 1024 * 1024;
    this.maxPages = opts.maxPagesPerWindow ?? 2_000;
    this.maxRetries = opts.maxRetries ?? 5;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  get hasAnalytics(): boolean {
    return Boolean(this.opts.analyticsApiKey);
  }

  async members(signal?: AbortSignal): Promise<S.Member[]> {
    const res = await this.request('GET /teams/members', S.membersResponseSchema, { signal });
    return res.teamMembers;
  }

  /** Every member's daily rows in [startMs, endMs], cut into windows of at most 30 days, paged to the end. */
  async *dailyUsage(
    startMs: number,
    endMs: number,
    signal?: AbortSignal,
  ): AsyncGenerator<{ rows: S.DailyUsageRow[]; last: boolean }> {
    const windows = splitRange(startMs, endMs, MAX_RANGE_DAYS * DAY_MS);
    for (const [i, [s, e]] of windows.entries()) {
      for (let page = 1; ; page++) {
        const res = await this.request('POST /teams/daily-usage-data', S.dailyUsageResponseSchema, {
          body: { startDate: s, endDate: e, page, pageSize: 500 },
          signal,
        });
        const lastPage = !res.pagination?.hasNextPage;
        if (!lastPage) this.checkPaging('POST /teams/daily-usage-data', page, res.pagination?.totalPages ?? page, s, e);
        yield { rows: res.data, last: lastPage && i === windows.length - 1 };
        if (lastPage) break;
      }
    }
  }

  /** The current billing cycle's spend for every member (all pages). */
  async spend(signal?: AbortSignal): Promise<{ cycleStart: number; rows: S.SpendRow[]; pages: number }> {
    const rows: S.SpendRow[] = [];
    let cycleStart = 0;
    let page = 1;
    for (; ; page++) {
      const res = await this.request('POST /teams/spend', S.spendResponseSchema, {
        body: { page, pageSize: 500, sortBy: 'user', sortDirection: 'asc' },
        signal,
      });
      cycleStart = res.subscriptionCycleStart;
      rows.push(...res.teamMemberSpend);
      if (page >= res.totalPages || res.teamMemberSpend.length === 0) break;
    }
    return { cycleStart, rows, pages: page };
  }

  /**
   * Usage events with startDate and endDate BOTH inclusive, a page (up to 1000 events) at a time. Events that cannot
   * be stored (unparseable, text PostgreSQL cannot hold, dated outside [startMs, endMs]) come back in `refused`, so
   * the events behind them still flow.
   */
  async *usageEventPages(
    startMs: number,
    endMs: number,
    opts: { pageSize?: number; signal?: AbortSignal; email?: string } = {},
  ): AsyncGenerator<{
    page: number;
    numPages: number;
    total: number;
    last: boolean;
    events: S.UsageEvent[];
    refused: RefusedEvent[];
  }> {
    const pageSize = Math.min(opts.pageSize ?? 1000, 1000);
    const name = 'POST /teams/filtered-usage-events';
    for (let page = 1; ; page++) {
      const res = await this.request(name, usageEventsPageSchema, {
        body: { startDate: startMs, endDate: endMs, page, pageSize, ...(opts.email ? { email: opts.email } : {}) },
        signal: opts.signal,
      });
      const last = !res.pagination.hasNextPage || res.usageEvents.length === 0;
      if (!last) this.checkPaging(name, page, res.pagination.numPages, startMs, endMs);
      const events: S.UsageEvent[] = [];
      const accepted: unknown[] = [];
      const refused: RefusedEvent[] = [];
      for (const raw of res.usageEvents) {
        const checked = checkUsageEvent(raw, startMs, endMs);
        if ('event' in checked) {
          events.push(checked.event);
          accepted.push(raw);
        } else refused.push(checked.refused);
      }
      // The page was read with events as unknown (one by one above), so their drift is found here.
      this.drift.record(name, findDrift(acceptedEventsSchema, { usageEvents: accepted }));
      if (refused.length > 0)
        this.opts.log?.warn({ endpoint: name, page, refused: refused.length }, 'usage events refused and quarantined');
      yield { page, numPages: res.pagination.numPages, total: res.totalUsageEventsCount, last, events, refused };
      if (last) break;
    }
  }

  /**
   * A next page is only believed up to the page count the API itself announced, and never past maxPagesPerWindow:
   * a hasNextPage that never turns false would otherwise hold the collection forever.
   */
  private checkPaging(name: string, page: number, numPages: number, startMs: number, endMs: number): void {
    const window = `${new Date(startMs).toISOString()} – ${new Date(endMs).toISOString()}`;
    if (page >= numPages)
      throw new CursorPagingError(
        name,
        `hasNextPage is still true on page ${page} of the ${numPages} the API announced (window ${window}); stopped`,
      );
    if (page >= this.maxPages)
      throw new CursorPagingError(
        name,
        `more than ${this.maxPages} pages for one window (${window}, ${numPages} announced); stopped at the hard limit`,
      );
  }

  /** Billing groups of a cycle, and the cycle as the API states it (a day, or a start/end pair). */
  async groups(billingCycle?: string, signal?: AbortSignal): Promise<S.BillingGroupsResponse> {
    const q = billingCycle ? `?billingCycle=${encodeURIComponent(billingCycle)}` : '';
    return this.request(`GET /teams/groups${q}`, S.billingGroupsResponseSchema, { signal });
  }

  /**
   * Audit log events in [startMs, endMs], a page at a time (Cursor: GET /teams/audit-logs, pageSize 1–500, a range of
   * at most 30 days, startTime/endTime as epoch ms). The caller cuts longer ranges into 30-day windows.
   */
  async *auditLogPages(
    startMs: number,
    endMs: number,
    signal?: AbortSignal,
  ): AsyncGenerator<{ page: number; last: boolean; events: S.AuditLogEvent[] }> {
    for (let page = 1; ; page++) {
      const q = `?startTime=${startMs}&endTime=${endMs}&page=${page}&pageSize=500`;
      const res = await this.request(`GET /teams/audit-logs${q}`, S.auditLogsResponseSchema, { signal });
      const last = !res.pagination.hasNextPage || res.events.length === 0;
      yield { page, last, events: res.events };
      if (last) break;
    }
  }

  /**
   * POST /teams/user-spend-limit: integer dollars, null removes the limit. Sent once, never retried: an Admin is
   * waiting and sees a 429, 5xx or network failure as it is (CursorApiError / Error), and decides.
   */
  async setUserSpendLimit(
    userEmail: string,
    spendLimitDollars: number | null,
    signal?: AbortSignal,
  ): Promise<S.UserSpendLimitResponse> {
    return this.request('POST /teams/user-spend-limit', S.userSpendLimitResponseSchema, {
      body: { userEmail, spendLimitDollars },
      signal,
      once: true,
    });
  }

  async analyticsDau(startDay: string, endDay: string, signal?: AbortSignal) {
    const q = `?startDate=${startDay}&endDate=${endDay}`;
    const res = await this.request(`GET /analytics/team/dau${q}`, S.analyticsDauResponseSchema, {
      signal,
      analytics: true,
    });
    return res.data;
  }

  async analyticsModels(startDay: string, endDay: string, signal?: AbortSignal) {
    const q = `?startDate=${startDay}&endDate=${endDay}`;
    const res = await this.request(`GET /analytics/team/models${q}`, S.analyticsModelsResponseSchema, {
      signal,
      analytics: true,
    });
    return res.data;
  }

  private pacerFor(endpoint: string, analytics: boolean): Pacer {
    const key = endpoint.split('?')[0];
    let pacer = this.pacers.get(key);
    if (!pacer) {
      const { admin, events, analytics: a } = this.opts.rateLimits;
      pacer = new Pacer(
        analytics
          ? a
          : key.includes('filtered-usage-events')
            ? events
            : key.includes('user-spend-limit') && admin > 0
              ? SPEND_LIMIT_RATE_PER_MIN
              : admin,
        this.opts.now,
        this.sleep,
      );
      this.pacers.set(key, pacer);
    }
    return pacer;
  }

  /**
   * One API call: paced, retried on 429 (Retry-After honoured, else exponential backoff), 5xx, resets, timeouts
   * and unparseable bodies, a bounded number of times; the answer validated against its schema.
   */
  private async request<T extends z.ZodType>(
    endpoint: string,
    schema: T,
    opts: { body?: unknown; signal?: AbortSignal; analytics?: boolean; once?: boolean },
  ): Promise<z.output<T>> {
    const [method, path] = endpoint.split(' ');
    const name = endpoint.split('?')[0];
    const key = opts.analytics ? this.opts.analyticsApiKey : this.opts.apiKey;
    if (!key) throw new Error(`${name} needs ${opts.analytics ? 'CURSOR_ANALYTICS_API_KEY' : 'CURSOR_ADMIN_API_KEY'}`);
    const auth = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
    const pacer = this.pacerFor(endpoint, Boolean(opts.analytics));
    let lastError: Error | undefined;
    const maxRetries = opts.once ? 0 : this.maxRetries;

    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) this.stats.retries++;
      await pacer.acquire(opts.signal);
      opts.signal?.throwIfAborted();
      const signal = opts.signal
        ? AbortSignal.any([opts.signal, AbortSignal.timeout(this.timeoutMs)])
        : AbortSignal.timeout(this.timeoutMs);
      let response: Response;
      let text: string;
      const t0 = Date.now();
      try {
        this.stats.requests++;
        response = await fetch(new URL(path, this.opts.baseUrl), {
          method,
          headers: {
            authorization: auth,
            accept: 'application/json',
            ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
          signal,
        });
        text = await readCapped(response, this.maxResponseBytes, name);
        this.opts.observe?.({
          endpoint: name,
          status: response.status,
          ms: Date.now() - t0,
          headers: response.headers,
          text,
        });
      } catch (err) {
        if (err instanceof CursorResponseTooLargeError) throw err; // the same request would get the same answer
        if (opts.signal?.aborted) throw opts.signal.reason ?? err;
        // Connection reset, refused, or our own timeout: transient.
        lastError = new Error(`${name}: ${describeFetchError(err)}`);
        if (opts.once) throw lastError;
        await this.backoff(name, attempt, opts.signal, lastError.message);
        continue;
      }

      if (response.status === 429) {
        this.stats.rateLimited++;
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        lastError = new CursorApiError(name, 429, text);
        if (opts.once) throw lastError;
        if (retryAfterMs !== undefined && attempt < this.maxRetries) {
          // Every request to this endpoint waits, not just this one: the limit is per team and endpoint.
          pacer.pause(retryAfterMs);
          this.opts.log?.warn(
            { endpoint: name, attempt: attempt + 1, retryAfterMs },
            'Cursor API rate limited (429), honouring Retry-After',
          );
        } else {
          await this.backoff(name, attempt, opts.signal, 'rate limited (429)');
        }
        continue;
      }
      if (response.status >= 500) {
        lastError = new CursorApiError(name, response.status, text);
        if (opts.once) throw lastError;
        await this.backoff(name, attempt, opts.signal, `server error ${response.status}`);
        continue;
      }
      if (!response.ok) throw new CursorApiError(name, response.status, text); // 4xx: our request is wrong; retrying won't help

      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        lastError = new Error(
          `${name}: response is not valid JSON (${text.length} bytes, starts ${JSON.stringify(text.slice(0, 60))})`,
        );
        if (opts.once) throw lastError;
        await this.backoff(name, attempt, opts.signal, 'malformed JSON');
        continue;
      }
      const parsed = schema.safeParse(data);
      if (!parsed.success) throw CursorValidationError.fromZod(name, parsed.error, data);
      this.drift.record(name, findDrift(schema, data));
      return parsed.data;
    }
    throw new Error(`${name} failed after ${this.maxRetries + 1} attempts: ${lastError?.message ?? 'unknown error'}`, {
      cause: lastError,
    });
  }

  private async backoff(name: string, attempt: number, signal: AbortSignal | undefined, why: string) {
    if (attempt >= this.maxRetries) return;
    const base = this.opts.backoffBaseMs ?? 1_000;
    const max = this.opts.backoffMaxMs ?? 60_000;
    const delay = Math.min(max, base * 2 ** attempt) * (0.5 + Math.random() / 2);
    this.opts.log?.warn(
      { endpoint: name, attempt: attempt + 1, delayMs: Math.round(delay) },
      `Cursor API ${why}, retrying`,
    );
    await this.sleep(delay, signal);
  }
}

/**
 * The body as text, refused as soon as it passes `max` bytes (by Content-Length when announced, else while reading),
 * so a hostile or broken answer cannot fill the heap.
 */
async function readCapped(response: Response, max: number, name: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel().catch(() => {});
    throw new CursorResponseTooLargeError(name, max, declared);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new CursorResponseTooLargeError(name, max, total);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** [start, end] cut into consecutive inclusive windows of at most maxMs. */
export function splitRange(startMs: number, endMs: number, maxMs: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = startMs; s <= endMs; s += maxMs) out.push([s, Math.min(endMs, s + maxMs - 1)]);
  return out;
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}
