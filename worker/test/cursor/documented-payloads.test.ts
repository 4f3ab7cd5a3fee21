import type { z } from 'zod';
import { findDrift } from '../../src/cursor/drift';
import * as S from '../../src/cursor/schemas';
import { documentedFixture, documentedFixtures } from './documented-fixtures';

/** The client's read schema for each endpoint (what CursorClient.request parses the answer with). */
const SCHEMAS: Record<string, z.ZodType> = {
  'GET /teams/members': S.membersResponseSchema,
  'POST /teams/daily-usage-data': S.dailyUsageResponseSchema,
  'POST /teams/spend': S.spendResponseSchema,
  'POST /teams/filtered-usage-events': S.usageEventsResponseSchema,
  'POST /teams/user-spend-limit': S.userSpendLimitResponseSchema,
};

describe("the Cursor client's schemas on payloads written from Cursor's documented examples", () => {
  const fixtures = documentedFixtures();

  it('has a fixture for every endpoint with a documented example, and for the documented error body', () => {
    expect(new Set(fixtures.filter((f) => !f.status).map((f) => f.endpoint))).toEqual(new Set(Object.keys(SCHEMAS)));
    expect(fixtures.some((f) => f.status)).toBe(true);
  });

  it('accepts every documented payload without reporting it as schema drift', () => {
    for (const f of fixtures) {
      const schema = f.status ? S.apiErrorSchema : SCHEMAS[f.endpoint];
      const parsed = schema.safeParse(f.payload);
      expect({ file: f.file, ok: parsed.success, error: parsed.error?.message }).toEqual({ file: f.file, ok: true });
      // A documented shape is by definition no drift: an unknown field here means the schema missed a documented one.
      expect({ file: f.file, drift: findDrift(schema, f.payload) }).toEqual({ file: f.file, drift: [] });
    }
  });

  it('reads the members example: an encoded id kept, an older numeric id read as a string', () => {
    expect(S.membersResponseSchema.parse(documentedFixture('members.json').payload).teamMembers).toEqual([
      { id: 'user_PDSPmvukpYgZEDXsoNirw3CFhy', name: 'Alex', email: 'a@co.com', role: 'member', isRemoved: false },
    ]);
    const older = S.membersResponseSchema.parse(documentedFixture('members-older-numeric-id.json').payload);
    expect(older.teamMembers.map((m) => [m.id, m.role, m.isRemoved])).toEqual([
      ['4821', 'owner', false],
      ['4822', 'free-owner', true],
    ]);
  });

  it('reads the event example: timestamp string as epoch ms, fractional cents and token counts as sent', () => {
    const res = S.usageEventsResponseSchema.parse(documentedFixture('filtered-usage-events.json').payload);
    expect(res.pagination).toEqual({
      numPages: 5,
      currentPage: 1,
      pageSize: 25,
      hasNextPage: true,
      hasPreviousPage: false,
    });
    expect(res.totalUsageEventsCount).toBe(113);
    expect(res.usageEvents[0]).toMatchObject({
      timestamp: 1750979225854,
      userEmail: 'dev@co.com',
      conversationId: '8f2e…',
      maxMode: true,
      requestsCosts: 5,
      tokenUsage: {
        inputTokens: 126,
        outputTokens: 450,
        cacheWriteTokens: 6112,
        cacheReadTokens: 11964,
        totalCents: 20.18232,
      },
      chargedCents: 21.36232,
      cursorTokenFee: 1.18,
      // Absent in the example: read as absent, not invented.
      serviceAccountId: null,
      cloudAgentId: null,
      automationId: null,
    });
  });

  it('reads the spend example: fractional cents, limits in dollars, the cycle start as epoch ms', () => {
    const res = S.spendResponseSchema.parse(documentedFixture('spend.json').payload);
    expect(res.subscriptionCycleStart).toBe(1708992000000);
    expect(res.teamMemberSpend[0]).toMatchObject({
      spendCents: 2450.125487,
      overallSpendCents: 2450.125487,
      fastPremiumRequests: 1250,
      hardLimitOverrideDollars: 100,
      monthlyLimitDollars: 200,
      effectivePerUserLimitDollars: 100,
    });
  });

  it('reads the daily usage row: numeric userId as a string, the day kept, the nullable strings null', () => {
    const res = S.dailyUsageResponseSchema.parse(documentedFixture('daily-usage-data.json').payload);
    expect(res.data[0]).toMatchObject({ userId: '4821', day: '2026-03-10', date: 1773100800000, clientVersion: null });
    expect(res.pagination?.hasNextPage).toBe(false);
  });

  it('reads the spend-limit answer and the error bodies', () => {
    expect(S.userSpendLimitResponseSchema.parse(documentedFixture('user-spend-limit.json').payload).outcome).toBe(
      'success',
    );
    expect(S.apiErrorSchema.parse(documentedFixture('error-rate-limited.json').payload).message).toBe(
      'Rate limit exceeded. Please try again later.',
    );
  });
});
