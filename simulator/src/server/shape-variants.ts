/**
 * "Shape variants" mode: the same data in the other shapes Cursor's API is documented or seen to use, plus fields we
 * do not know and an unexpected shape in fields the product does not use. A tolerant client collects exactly the
 * same numbers from it and reports the drift. Variants alternate by item, so both shapes of a field appear in one
 * answer:
 * - ids as numbers (older API versions), dates as ISO 8601 strings or epoch ms (docs of Jan/Aug 2026);
 * - `billingCycle` as `{cycleStart, cycleEnd}` (the shape met in the wild: issue #9; Fivetran's connector keys
 *   billing groups by cycle_start with a cycle_end), groups with Fivetran's `type`, `createdAt`, `directoryGroupId`;
 * - unknown fields (`joinedAt`, `agentLinesAdded`, `includedSpendCents`, `subscriptionTier`, `formerMembers`,
 *   `actor_type`) and unexpected shapes of unused fields (`clientVersion` as an object, `discountPercentOff` as
 *   text, a null `role`).
 */

import { DAY_MS } from '@cursor-cost-watch/contract';

export type ShapeMode = 'documented' | 'variants';

type Json = Record<string, unknown>;
const asRecords = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** A stable positive integer for an encoded id, as the older numeric ids were. */
function numericId(id: unknown): unknown {
  if (typeof id !== 'string') return id;
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 2_000_000_000;
  return h + 1;
}

const isoOf = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString() : ms);
const numberOf = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);

/** The last day of the billing cycle that starts on `day` (the day before the same date a month later). */
function cycleEndOf(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m, d) - DAY_MS).toISOString().slice(0, 10);
}

/** Rewrites a documented answer of `endpoint` ("GET /teams/members") into its variant shapes. */
export function shapeVariant(endpoint: string, body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const b = { ...(body as Json) };
  switch (endpoint) {
    case 'GET /teams/members':
      b.teamMembers = asRecords(b.teamMembers).map((m, i) => ({
        ...m,
        ...(i % 2 ? { id: numericId(m.id) } : {}),
        joinedAt: '2026-01-05T09:00:00.000Z',
      }));
      return b;
    case 'POST /teams/daily-usage-data':
      b.data = asRecords(b.data).map((r, i) => ({
        ...r,
        ...(i % 2 ? { date: isoOf(r.date), userId: numericId(r.userId) } : {}),
        ...(i % 3 === 0 && r.clientVersion ? { clientVersion: { version: r.clientVersion } } : {}),
        agentLinesAdded: 0,
      }));
      return b;
    case 'POST /teams/spend':
      b.subscriptionCycleStart = isoOf(b.subscriptionCycleStart);
      b.teamMemberSpend = asRecords(b.teamMemberSpend).map((r, i) => ({
        ...r,
        ...(i % 2 ? { userId: numericId(r.userId) } : {}),
        ...(i === 0 ? { role: null } : {}),
        includedSpendCents: 0,
      }));
      return b;
    case 'POST /teams/filtered-usage-events':
      b.usageEvents = asRecords(b.usageEvents).map((e, i) => {
        const out: Json = { ...e, subscriptionTier: 'business' };
        if (i % 2) out.timestamp = numberOf(e.timestamp);
        if (i % 3 === 0 && e.tokenUsage && typeof e.tokenUsage === 'object')
          out.tokenUsage = { ...(e.tokenUsage as Json), discountPercentOff: '0%' };
        return out;
      });
      return b;
    case 'GET /teams/groups':
      if (typeof b.billingCycle === 'string')
        b.billingCycle = { cycleStart: b.billingCycle, cycleEnd: cycleEndOf(b.billingCycle) };
      b.groups = asRecords(b.groups).map((g, i) => ({
        ...g,
        ...(i % 2 ? { id: numericId(g.id) } : {}),
        type: 'manual',
        directoryGroupId: null,
        createdAt: '2026-01-05T09:00:00.000Z',
        formerMembers: [],
      }));
      return b;
    case 'GET /teams/audit-logs':
      b.events = asRecords(b.events).map((e, i) => ({
        ...e,
        ...(i % 2 ? { timestamp: Date.parse(String(e.timestamp)), event_id: numericId(e.event_id) } : {}),
        actor_type: 'user',
      }));
      return b;
    default:
      return body;
  }
}
