import { storeBillingGroups, storeDailyUsage, storeMembers } from '../../src/collector/store-reference';
import { dailyUsageRowSchema, memberSchema, billingGroupSchema } from '../../src/cursor/schemas';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';

const member = (email: string, extra = {}) =>
  memberSchema.parse({ id: `user_${email}`, email, role: 'member', ...extra });
const counters = Object.fromEntries(
  [
    'totalLinesAdded',
    'totalLinesDeleted',
    'acceptedLinesAdded',
    'acceptedLinesDeleted',
    'totalApplies',
    'totalAccepts',
    'totalRejects',
    'totalTabsShown',
    'totalTabsAccepted',
    'composerRequests',
    'chatRequests',
    'agentRequests',
    'cmdkUsages',
    'subscriptionIncludedReqs',
    'apiKeyReqs',
    'usageBasedReqs',
    'bugbotUsages',
  ].map((k) => [k, 0]),
);
const daily = (email: string, day: string, agentRequests: number) =>
  dailyUsageRowSchema.parse({
    ...counters,
    userId: 7,
    day,
    date: Date.parse(day),
    email,
    isActive: true,
    agentRequests,
  });

describe('reference data', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('ref');
  });
  afterEach(async () => dropTestDb(t));

  it('marks members removed when the API lists them removed or no longer lists them, keeping the first removal date', async () => {
    const d1 = new Date('2026-11-01T00:00:00Z');
    const d2 = new Date('2026-11-02T00:00:00Z');
    const d3 = new Date('2026-11-03T00:00:00Z');
    expect(await storeMembers(t.db, [member('a@co.com'), member('b@co.com'), member('c@co.com')], d1)).toEqual({
      inserted: 3,
      updated: 0,
      removed: 0,
    });
    expect(await storeMembers(t.db, [member('a@co.com'), member('b@co.com', { isRemoved: true })], d2)).toEqual({
      inserted: 0,
      updated: 2,
      removed: 1,
    });
    await storeMembers(t.db, [member('a@co.com'), member('b@co.com', { isRemoved: true })], d3);
    const rows = await t.db
      .selectFrom('members')
      .select(['email', 'is_removed', 'removed_at', 'first_seen_at'])
      .orderBy('email')
      .execute();
    expect(rows.map((r) => [r.email, r.is_removed, r.removed_at?.toISOString() ?? null])).toEqual([
      ['a@co.com', false, null],
      ['b@co.com', true, d2.toISOString()],
      ['c@co.com', true, d2.toISOString()],
    ]);
    expect(rows[0].first_seen_at.toISOString()).toBe(d1.toISOString());
  });

  it('upserts restated daily rows instead of appending them', async () => {
    expect(
      await storeDailyUsage(t.db, [daily('a@co.com', '2026-11-20', 5), daily('a@co.com', '2026-11-21', 1)]),
    ).toEqual({ inserted: 2, updated: 0, skipped: 0 });
    expect(await storeDailyUsage(t.db, [daily('a@co.com', '2026-11-21', 9)])).toEqual({
      inserted: 0,
      updated: 1,
      skipped: 0,
    });
    const rows = await t.db.selectFrom('daily_usage').select(['day', 'agent_requests']).orderBy('day').execute();
    expect(rows).toEqual([
      { day: '2026-11-20', agent_requests: 5 },
      { day: '2026-11-21', agent_requests: 9 },
    ]);
  });

  it('keeps billing groups exactly as the API lists them', async () => {
    const g = (id: string, emails: string[]) =>
      billingGroupSchema.parse({
        id,
        name: id.toUpperCase(),
        spendCents: 100,
        members: emails.map((email) => ({ email })),
      });
    await storeBillingGroups(t.db, [g('g1', ['a@co.com', 'b@co.com']), g('g2', ['c@co.com'])], {
      start: '2026-11-01',
      end: null,
    });
    await storeBillingGroups(t.db, [g('g1', ['b@co.com', 'd@co.com'])], { start: '2026-11-01', end: null });
    const members = await t.db
      .selectFrom('billing_group_members')
      .select(['group_id', 'email'])
      .orderBy('email')
      .execute();
    expect(members).toEqual([
      { group_id: 'g1', email: 'b@co.com' },
      { group_id: 'g1', email: 'd@co.com' },
    ]);
    expect(await t.db.selectFrom('billing_groups').select('group_id').execute()).toEqual([{ group_id: 'g1' }]);
  });
});
