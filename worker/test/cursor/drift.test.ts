import { DriftLog, findDrift, redact } from '../../src/cursor/drift';
import { billingGroupsResponseSchema, usageEventsResponseSchema } from '../../src/cursor/schemas';

const page = (events: unknown[]) => ({
  totalUsageEventsCount: events.length,
  pagination: { numPages: 1, currentPage: 1, pageSize: 100, hasNextPage: false, hasPreviousPage: false },
  usageEvents: events,
});
const event = {
  timestamp: '1750979225854',
  userEmail: 'dev@co.com',
  model: 'claude-4.5-sonnet',
  kind: 'Usage-based',
  maxMode: true,
  requestsCosts: 5,
  isTokenBasedCall: true,
  isChargeable: true,
  isHeadless: false,
  tokenUsage: { inputTokens: 126, outputTokens: 450, cacheWriteTokens: 6112, cacheReadTokens: 11964, totalCents: 20.1 },
  chargedCents: 21.3,
  cursorTokenFee: 1.2,
};

describe('tolerant reading of Cursor answers', () => {
  it('accepts both documented shapes of a field without calling it drift', () => {
    const data = {
      groups: [{ id: 42, name: 'Web', createdAt: '2026-01-05T09:00:00Z' }],
      billingCycle: { cycleStart: '2026-11-01', cycleEnd: '2026-11-30' },
    };
    expect(billingGroupsResponseSchema.parse(data).billingCycle).toEqual({ start: '2026-11-01', end: '2026-11-30' });
    expect(billingGroupsResponseSchema.parse({ groups: [], billingCycle: '2026-11-01' }).billingCycle).toEqual({
      start: '2026-11-01',
      end: null,
    });
    expect(billingGroupsResponseSchema.parse(data).groups[0]).toMatchObject({
      id: '42',
      createdAt: Date.UTC(2026, 0, 5, 9),
    });
    expect(findDrift(billingGroupsResponseSchema, data)).toEqual([]);
    const iso = { ...event, timestamp: '2025-06-26T23:07:05.854Z' };
    expect(usageEventsResponseSchema.parse(page([iso])).usageEvents[0].timestamp).toBe(1750979225854);
    expect(
      usageEventsResponseSchema.parse(page([{ ...event, timestamp: 1750979225854 }])).usageEvents[0].timestamp,
    ).toBe(1750979225854);
    expect(findDrift(usageEventsResponseSchema, page([iso, event]))).toEqual([]);
  });

  it('keeps an unused field of an unexpected shape out of the way and names it, folding array indices', () => {
    const odd = {
      ...event,
      isFreeBugbot: 'no',
      tokenUsage: { ...event.tokenUsage, discountPercentOff: '10%' },
      extra: 1,
    };
    const parsed = usageEventsResponseSchema.parse(page([event, odd]));
    expect(parsed.usageEvents[1]).toMatchObject({ isFreeBugbot: null, chargedCents: 21.3 });
    expect(parsed.usageEvents[1].tokenUsage?.discountPercentOff).toBeNull();
    expect(findDrift(usageEventsResponseSchema, page([event, odd])).map((d) => [d.field, d.kind, d.example])).toEqual([
      ['usageEvents[].tokenUsage.discountPercentOff', 'unexpected shape', '"<string, 3 chars>"'],
      ['usageEvents[].isFreeBugbot', 'unexpected shape', '"<string, 2 chars>"'],
      ['usageEvents[].extra', 'unknown field', '1'],
    ]);
  });

  it('stays strict on what the product uses: a bad cent or email still fails with the field named', () => {
    const r = usageEventsResponseSchema.safeParse(page([{ ...event, chargedCents: 'free' }]));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['usageEvents', 0, 'chargedCents']);
    expect(usageEventsResponseSchema.safeParse(page([{ ...event, userEmail: undefined }])).success).toBe(false);
  });

  it('reports a field once per endpoint with its first example and a count', () => {
    const log = new DriftLog();
    const f = { field: 'a', kind: 'unknown field' as const, message: 'm', example: '1' };
    log.record('GET /x', [f, { ...f, example: '2' }]);
    log.record('GET /y', [f]);
    expect(log.drain()).toEqual([
      { endpoint: 'GET /x', ...f, count: 2 },
      { endpoint: 'GET /y', ...f, count: 1 },
    ]);
    expect(log.drain()).toEqual([]);
  });

  it('redacts examples: emails hashed, free text replaced by its length, dates and numbers kept', () => {
    const out = redact({
      email: 'Ann@Co.com',
      name: 'Ann Smith',
      at: '2026-11-02T10:00:00Z',
      n: 3,
      list: [1, 2, 3, 4],
    });
    expect(out).toEqual({
      email: expect.stringMatching(/^<email sha256:[0-9a-f]{12}>$/),
      name: '<string, 9 chars>',
      at: '2026-11-02T10:00:00Z',
      n: 3,
      list: [1, 2, '<… 2 more>'],
    });
    expect(JSON.stringify(out)).not.toMatch(/ann/i);
  });
});
