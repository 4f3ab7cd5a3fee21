import { addDays } from '@cursor-cost-watch/contract';
import { backtestOnRows } from '../../bench/backtest-reference';
import { storeDetectionInput } from '../../bench/evaluation/store-input';
import { historyDays } from '../../src/detection';
import { backtest } from '../../src/jobs/backtest';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { emailOf, makeInput } from './fixtures';

const asOf = '2026-11-18';
const DAYS = 12;

describe('backtest on the series loader', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('backtest_series');
    const input = makeInput({
      users: 16,
      days: historyDays(DEFAULT_SETTINGS) + DAYS + 5,
      asOf,
      seed: 23,
      requests: 80,
      // a developer who starts inside the replayed days (team z-score, first-seen), spikes, a drift, a headless run
      firstDay: (email) => (email === emailOf(5) ? addDays(asOf, -6) : undefined),
      tweak: (email, day) => {
        if (email === emailOf(3) && day >= addDays(asOf, -8) && day <= addDays(asOf, -7)) return { volume: 7 };
        if (email === emailOf(7) && day >= addDays(asOf, -10)) return { premiumShare: 0.8 };
        if (email === emailOf(9) && day >= addDays(asOf, -5)) return { volume: 2.5 };
        if (email === emailOf(12) && day === addDays(asOf, -2)) return { headlessRequests: 900 };
        return undefined;
      },
    });
    await storeDetectionInput(t.db, input);
    await t.db
      .insertInto('members')
      .values(input.members.map((m) => ({ email: m.email, first_seen_at: `${m.firstSeenDay}T09:00:00Z` })))
      .execute();
    // Billing cycles: one that starts inside the replayed days, one running since before them.
    await t.db
      .insertInto('member_spend')
      .values([
        {
          email: emailOf(3),
          cycle_start: new Date(`${addDays(asOf, -4)}T00:00:00Z`),
          spend_cents: 90_000,
          overall_spend_cents: 90_000,
        },
        {
          email: emailOf(7),
          cycle_start: new Date(`${addDays(asOf, -40)}T00:00:00Z`),
          spend_cents: 90_000,
          overall_spend_cents: 90_000,
        },
      ])
      .execute();
  }, 60_000);
  afterAll(async () => dropTestDb(t));

  it.each<[string, Partial<Settings>]>([
    ['the default settings', {}],
    ['every limit crossing its own alert', { thresholdsOnlyWhenUnusual: false, cycleSpendLimitDollars: 5 }],
    ['weekdays not told apart, a short baseline', { weekdayAware: false, baselineDays: 14 }],
  ])('opens the same incidents as detect() on the loaded rows, with %s', async (_what, change) => {
    const settings = { ...DEFAULT_SETTINGS, ...change };
    const expected = await backtestOnRows(t.db, asOf, DAYS, settings);
    const got = await backtest(t.db, { days: DAYS, endDay: asOf, settings });
    expect(got.incidents).toEqual(expected);
    expect(got.total).toBeGreaterThan(2);
  });
});
