/** The parts of a request's fate decided before any handler: injected faults, the API key, rate limits. */

export interface Faults {
  /** The next n requests get 429. */
  rateLimitStorm: number;
  /** Send Retry-After with 429s (Cursor does not document it; clients must cope without). */
  retryAfterHeader: boolean;
  /** Retry-After in seconds instead of the seconds left in the minute (tests that cannot wait a minute). */
  retryAfterSeconds?: number;
  /** The next n requests get 500. */
  serverErrors: number;
  /** Delay every response by this many ms. */
  slowMs: number;
  /** The next n event pages come back 200 with truncated, invalid JSON. */
  malformedPages: number;
  /** The next n requests have their connection destroyed without an answer. */
  resetConnections: number;
  /** The next n event pages come back 200 padded past `oversizedBytes` (a client must cap what it reads). */
  oversizedPages: number;
  /** Size of an oversized page in bytes (default 3 MiB). */
  oversizedBytes: number;
  /** The next n event pages say hasNextPage: true even on the last page; pages past the end repeat the last one. */
  endlessPages: number;
  /** The next n event pages each carry one extra event that cannot be stored (./poison.ts). */
  poisonEvents: number;
}

export const DEFAULT_FAULTS: Faults = {
  rateLimitStorm: 0,
  retryAfterHeader: true,
  serverErrors: 0,
  slowMs: 0,
  malformedPages: 0,
  resetConnections: 0,
  oversizedPages: 0,
  oversizedBytes: 3 * 1024 * 1024,
  endlessPages: 0,
  poisonEvents: 0,
};

/** The faults `npm run simulate -- --fault name=n` accepts (numbers only). */
export const NUMERIC_FAULTS = [
  'rateLimitStorm',
  'serverErrors',
  'slowMs',
  'malformedPages',
  'resetConnections',
  'oversizedPages',
  'oversizedBytes',
  'endlessPages',
  'poisonEvents',
] as const;

export type RateClass = 'admin' | 'events' | 'analytics' | 'spendLimit';
export interface RateLimits {
  admin: number;
  events: number;
  analytics: number;
  /** POST /teams/user-spend-limit: Cursor's docs give 60 or 250 a minute; default 60. */
  spendLimit?: number;
}
/** The lower of the documented limits of POST /teams/user-spend-limit (cursor-api.md: 60 or 250 a minute). */
export const SPEND_LIMIT_RATE_PER_MIN = 60;
export const DEFAULT_RATE_LIMITS: RateLimits = {
  admin: 20,
  events: 20,
  analytics: 100,
  spendLimit: SPEND_LIMIT_RATE_PER_MIN,
};

export const MINUTE_MS = 60_000;

/** Seconds until the current minute window resets (at least 1). */
export const secondsToNextMinute = (nowMs: number): number =>
  Math.max(1, Math.ceil((MINUTE_MS - (nowMs % MINUTE_MS)) / 1000));

/** Per endpoint, per wall-clock minute, like Cursor's limits that "reset every minute". */
export class MinuteRateLimiter {
  private readonly windows = new Map<string, { minute: number; count: number }>();

  constructor(private readonly limits: RateLimits | null) {}

  /** Takes one request from the endpoint's budget; false when the budget of this minute is spent. */
  take(endpoint: string, rateClass: RateClass, nowMs: number): boolean {
    if (!this.limits) return true;
    const minute = Math.floor(nowMs / MINUTE_MS);
    let w = this.windows.get(endpoint);
    if (!w || w.minute !== minute) {
      w = { minute, count: 0 };
      this.windows.set(endpoint, w);
    }
    if (w.count >= (this.limits[rateClass] ?? SPEND_LIMIT_RATE_PER_MIN)) return false;
    w.count++;
    return true;
  }

  /** Gives a request back (a 304 does not count against the limit). */
  refund(endpoint: string, nowMs: number): void {
    const w = this.windows.get(endpoint);
    if (w && w.minute === Math.floor(nowMs / MINUTE_MS) && w.count > 0) w.count--;
  }
}

/** The API key from `Authorization: Basic base64("KEY:")`, or null. */
export function apiKeyFrom(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Basic\s+(\S+)$/i.exec(header.trim());
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const key = colon === -1 ? decoded : decoded.slice(0, colon);
  return key.length > 0 ? key : null;
}

export interface SimulatorStats {
  totalRequests: number;
  requestsByEndpoint: Record<string, number>;
  /** 429s sent (rate limit and storm). */
  rateLimited: number;
  /** 5xx sent. */
  serverErrors: number;
  connectionsReset: number;
  malformedPagesSent: number;
  oversizedPagesSent: number;
  /** Event pages that claimed a next page past their end. */
  endlessPagesSent: number;
  /** Poison events served, each distinct (the ground truth for the collector's quarantine). */
  poisonEventsSent: number;
  /** The most requests seen in any one wall-clock minute, per endpoint. */
  maxRequestsPerMinute: Record<string, number>;
}

export class StatsRecorder {
  private s: SimulatorStats = StatsRecorder.empty();
  private readonly minutes = new Map<string, { minute: number; count: number }>();

  static empty(): SimulatorStats {
    return {
      totalRequests: 0,
      requestsByEndpoint: {},
      rateLimited: 0,
      serverErrors: 0,
      connectionsReset: 0,
      malformedPagesSent: 0,
      oversizedPagesSent: 0,
      endlessPagesSent: 0,
      poisonEventsSent: 0,
      maxRequestsPerMinute: {},
    };
  }

  request(endpoint: string, nowMs: number): void {
    this.s.totalRequests++;
    this.s.requestsByEndpoint[endpoint] = (this.s.requestsByEndpoint[endpoint] ?? 0) + 1;
    const minute = Math.floor(nowMs / MINUTE_MS);
    let m = this.minutes.get(endpoint);
    if (!m || m.minute !== minute) {
      m = { minute, count: 0 };
      this.minutes.set(endpoint, m);
    }
    m.count++;
    this.s.maxRequestsPerMinute[endpoint] = Math.max(this.s.maxRequestsPerMinute[endpoint] ?? 0, m.count);
  }

  response(statusCode: number): void {
    if (statusCode === 429) this.s.rateLimited++;
    if (statusCode >= 500) this.s.serverErrors++;
  }

  connectionReset(): void {
    this.s.connectionsReset++;
  }

  malformedPage(): void {
    this.s.malformedPagesSent++;
  }

  /** Counts one hostile page fault served (see Faults). */
  hostile(kind: 'oversizedPagesSent' | 'endlessPagesSent' | 'poisonEventsSent'): void {
    this.s[kind]++;
  }

  snapshot(): SimulatorStats {
    return structuredClone(this.s);
  }

  reset(): void {
    this.s = StatsRecorder.empty();
    this.minutes.clear();
  }
}
