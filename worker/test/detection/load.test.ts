import { addDays } from '@cursor-cost-watch/contract';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { loadDetectionInput } from '../../bench/load-arrays-reference';
import type { DetectionInput } from '../../src/detection';
import { storeDetectionInput } from '../../bench/evaluation/store-input';
import { makeInput } from './fixtures';
import { loadDetectionInputRowByRow, normalized } from '../../bench/load-rows-reference';

const asOf = '2026-11-18';
// Emails whose order differs between code points and a linguistic collation (case, punctuation, accents): the
// loader must keep the database's order, as ORDER BY user_email did.
const EMAILS = ['Zoe@x.io', 'adam@x.io', 'a_b@x.io', 'a-c@x.io', 'a.b@x.io', 'Émile@x.io', 'émile@x.io', 'bob@x.io'];

describe('loadDetectionInput reads per-user arrays', () => {
  let t: TestDb;
  const base = makeInput({ users: EMAILS.length, days: 40, asOf: addDays(asOf, 2), seed: 5, requests: 80 });
  const rename = new Map([...new Set(base.userDays.map((r) => r.email))].map((e, i) => [e, EMAILS[i]]));
  const input: DetectionInput = {
    ...base,
    userDays: base.userDays.map((r) => ({ ...r, email: rename.get(r.email)! })),
    userModelDays: base.userModelDays.map((r) => ({ ...r, email: rename.get(r.email)! })),
  };

  beforeAll(async () => {
    t = await createTestDb('load');
    await storeDetectionInput(t.db, input);
    await t.db
      .insertInto('members')
      .values([
        { email: 'adam@x.io', first_seen_at: '2026-10-01T09:00:00Z' },
        { email: 'never-used@x.io', first_seen_at: '2026-11-02T09:00:00Z', is_removed: true },
      ])
      .execute();
    await t.db
      .insertInto('member_spend')
      .values({
        email: 'bob@x.io',
        cycle_start: '2026-11-05T00:00:00Z',
        spend_cents: 4321,
        overall_spend_cents: 4321,
        collected_at: `${asOf}T08:00:00Z`,
      })
      .execute();
  });
  afterAll(async () => dropTestDb(t));

  it.each([
    { days: 30, now: `${asOf}T15:00:00Z`, withoutReportedSpend: false },
    { days: 90, now: `${addDays(asOf, 3)}T01:00:00Z`, withoutReportedSpend: true },
  ])(
    'returns exactly what the row-by-row loader returned ($days days)',
    async ({ days, now, withoutReportedSpend }) => {
      const opts = { days, now: new Date(now), withoutReportedSpend };
      const before = await loadDetectionInputRowByRow(t.db, asOf, opts);
      const after = await loadDetectionInput(t.db, asOf, opts);
      expect(after.userDays.length).toBeGreaterThan(5 * Math.min(days, 38));
      expect(after.userModelDays.length).toBeGreaterThan(after.userDays.length);
      expect(normalized(after)).toEqual(normalized(before));
      // same order, row for row, where the old query fixed one: by day, then the database's order of emails
      expect(after.userDays.map((r) => `${r.day} ${r.email}`)).toEqual(
        before.userDays.map((r) => `${r.day} ${r.email}`),
      );
      expect(after.userModelDays.map((r) => `${r.day} ${r.email}`)).toEqual(
        before.userModelDays.map((r) => `${r.day} ${r.email}`),
      );
    },
  );

  it('orders models within a user day and members by the database, so two loads are identical', async () => {
    const a = await loadDetectionInput(t.db, asOf, { days: 30, now: new Date(`${asOf}T15:00:00Z`) });
    const b = await loadDetectionInput(t.db, asOf, { days: 30, now: new Date(`${asOf}T15:00:00Z`) });
    expect(a).toEqual(b);
    const day = a.userModelDays.filter((r) => r.day === asOf && r.email === 'bob@x.io').map((r) => r.model);
    expect(day).toEqual(['cheap-model', 'mid-model', 'premium-model']);
    expect(a.members.map((m) => m.email)).toContain('never-used@x.io');
    expect(a.cycleSpend).toEqual([{ email: 'bob@x.io', cycleStart: '2026-11-05', spendCents: 4321 }]);
  });
});
