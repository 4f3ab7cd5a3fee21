import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { detect, historyDays, olderDays, DetectionInputError } from '../../src/detection';
import { loadDetectionInput } from '../../bench/load-arrays-reference';
import { detectOnSeries } from '../../src/detection/detect';
import { loadSeriesInput } from '../../src/db/repositories/detection-series-set';
import { buildSeries, olderSpend } from '../../src/detection/series';
import { addDays } from '@cursor-cost-watch/contract';
import { storeDetectionInput } from '../../bench/evaluation/store-input';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { emailOf, makeInput } from './fixtures';

const asOf = '2026-11-18';
const H = historyDays(DEFAULT_SETTINGS);
const O = olderDays(DEFAULT_SETTINGS);
// Emails whose order differs between code points and a linguistic collation: chunk bounds follow the database's
// order, the series the code-unit order buildSeries uses.
const EMAILS = ['Zoe@x.io', 'adam@x.io', 'a_b@x.io', 'a-c@x.io', 'a.b@x.io', 'Émile@x.io', 'émile@x.io', 'bob@x.io'];

describe('loadSeriesInput lays the rollups straight into series', () => {
  let t: TestDb;
  // 20 developers over more than the window; three of them with anomalies the pass must find.
  const base = makeInput({
    users: 20,
    days: H + O + 10,
    asOf,
    seed: 11,
    requests: 80,
    tweak: (email, day) => {
      if (email === emailOf(3) && day >= addDays(asOf, -2)) return { volume: 6 };
      if (email === emailOf(7) && day >= addDays(asOf, -9)) return { premiumShare: 0.8 };
      if (email === emailOf(12) && day === asOf) return { headlessRequests: 900 };
      return undefined;
    },
  });
  const rename = (e: string) => EMAILS[Number(e.slice(3, 6))] ?? e;
  const input = {
    ...base,
    userDays: [
      ...base.userDays.map((r) => ({ ...r, email: rename(r.email) })),
      // one developer with a row before the window only: not in the set
      { ...base.userDays[0], email: 'older-only@x.io', day: addDays(asOf, -(H - 1) - 2) },
      // and one in the window by a model row only, with a day before the window: that day is theirs
      {
        ...base.userDays[0],
        email: 'zz-model-only@x.io',
        day: addDays(asOf, -(H - 1) - 3),
        chargedCents: 777,
        events: 5,
      },
    ],
    // one developer seen only on the model rollup (their user row missing)
    userModelDays: [
      ...base.userModelDays.map((r) => ({ ...r, email: rename(r.email) })),
      { email: 'zz-model-only@x.io', day: asOf, model: 'mid-model', events: 3, chargedCents: 24, totalTokens: 900 },
    ],
  };

  beforeAll(async () => {
    t = await createTestDb('load_series');
    await storeDetectionInput(t.db, input);
    await t.db
      .insertInto('members')
      .values(base.members.map((m) => ({ email: rename(m.email), first_seen_at: `${m.firstSeenDay}T09:00:00Z` })))
      .execute();
  });
  afterAll(async () => dropTestDb(t));

  it.each([1, 3, 1000])(
    'gives buildSeries(loadDetectionInput) exactly, read %i users at a time',
    async (chunkUsers) => {
      const now = new Date(`${asOf}T15:00:00Z`);
      const old = await loadDetectionInput(t.db, asOf, { days: H + O, now });
      const expected = buildSeries(old, addDays(asOf, -(H - 1)), DEFAULT_SETTINGS.weekdayAware, O);
      const got = await loadSeriesInput(t.db, asOf, { days: H, olderDays: O, weekdayAware: true, now, chunkUsers });
      expect(got.series).toEqual(expected);
      expect(got.series.users.map((u) => u.email)).toEqual(expected.users.map((u) => u.email));
      // models in the order buildSeries met them: what why.ts iterates
      expect(got.series.users.map((u) => [...u.models.keys()])).toEqual(
        expected.users.map((u) => [...u.models.keys()]),
      );
      const inWindow = old.userDays.filter((r) => r.day >= addDays(asOf, -(H - 1)));
      expect(got.users).toBe(new Set(inWindow.map((r) => r.email)).size);
      expect(got.users).toBe(20);
      expect(got.series.users).toHaveLength(21);
      // the days before the window are there (the scale reads them), for the users with a row in the window only
      expect(got.series.users.every((u) => u.olderLog.length === O)).toBe(true);
      expect(got.series.users.find((u) => u.email === EMAILS[1])!.olderLog.some((v) => v > 0)).toBe(true);
      expect(got.series.users.map((u) => u.email)).not.toContain('older-only@x.io');
      const modelOnly = got.series.users.find((u) => u.email === 'zz-model-only@x.io')!;
      expect(modelOnly.olderLog[O - 3]).toBe(Math.fround(olderSpend(777, 5)));
      expect(got.partialDay).toBe(true);
      expect(got.cycleSpend).toEqual(old.cycleSpend);
    },
  );

  it('finds exactly the anomalies detect() finds on the loaded input', async () => {
    const now = new Date(`${addDays(asOf, 1)}T01:00:00Z`);
    const before = detect(await loadDetectionInput(t.db, asOf, { days: H + O, now }), DEFAULT_SETTINGS);
    const got = await loadSeriesInput(t.db, asOf, { days: H, olderDays: O, weekdayAware: true, now, chunkUsers: 3 });
    const after = detectOnSeries(got.series, got, DEFAULT_SETTINGS);
    expect(before.map((a) => a.subject)).toEqual(expect.arrayContaining([EMAILS[7], emailOf(12)]));
    expect(after).toEqual(before);
  });

  it('refuses a negative value, naming the field, the developer and the day', async () => {
    await t.db
      .updateTable('user_daily_rollup')
      .set({ charged_cents: '-5' })
      .where('user_email', '=', 'bob@x.io')
      .where('day', '=', addDays(asOf, -1))
      .execute();
    const load = loadSeriesInput(t.db, asOf, { days: H, weekdayAware: true, chunkUsers: 3 });
    await expect(load).rejects.toThrow(DetectionInputError);
    await expect(load).rejects.toThrow(`chargedCents is -5 for bob@x.io on ${addDays(asOf, -1)} (user day)`);
  });
});
