import { addDays } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import { storeDetectionInput } from '../../bench/evaluation/store-input';
import { DetectionSeriesCache } from '../../src/db/repositories/detection-series-cache';
import { loadSeriesInput, type SeriesInput } from '../../src/db/repositories/detection-series-set';
import { historyDays } from '../../src/detection';
import { detectOnSeries } from '../../src/detection/detect';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { emailOf, makeInput } from './fixtures';

const asOf = '2026-11-18';
const H = historyDays(DEFAULT_SETTINGS);
const yesterday = addDays(asOf, -1);
const now = new Date(`${addDays(asOf, 1)}T01:00:00Z`);
const opts = { days: H, weekdayAware: true, now, chunkUsers: 3 };

// 12 developers; one of them runs a headless agent over the last three days, so the pass has something to find.
const all = makeInput({
  users: 12,
  days: H + 5,
  asOf,
  seed: 5,
  requests: 60,
  tweak: (email, day) =>
    email === emailOf(4) && day >= addDays(asOf, -2) ? { headlessRequests: 900, active: true } : undefined,
});
const before = (day: string) => ({
  ...all,
  userDays: all.userDays.filter((r) => r.day < day),
  userModelDays: all.userModelDays.filter((r) => r.day < day),
});
const from = (day: string) => ({
  ...all,
  members: [],
  cycleSpend: [],
  userDays: all.userDays.filter((r) => r.day >= day),
  userModelDays: all.userModelDays.filter((r) => r.day >= day),
});

/** What a full read gives now, compared field by field, user order and model order included. */
async function expectSameAsFullRead(t: TestDb, got: SeriesInput): Promise<void> {
  const full = await loadSeriesInput(t.db, asOf, opts);
  expect(got.series).toEqual(full.series);
  expect(got.series.users.map((u) => [u.email, ...u.models.keys()])).toEqual(
    full.series.users.map((u) => [u.email, ...u.models.keys()]),
  );
  expect(got.users).toBe(full.users);
  expect(detectOnSeries(got.series, got, DEFAULT_SETTINGS)).toEqual(
    detectOnSeries(full.series, full, DEFAULT_SETTINGS),
  );
}

async function recordRun(t: TestDb, windowStart: string | null, status: 'ok' | 'running' = 'ok'): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO collection_runs (run_id, endpoint, trigger, status, window_start)
    VALUES (gen_random_uuid(), 'usage_events', 'schedule', ${status}, ${windowStart}) RETURNING id`.execute(t.db);
  return Number(rows[0].id);
}

describe('DetectionSeriesCache: an hourly pass re-reads only the days collections changed', () => {
  let t: TestDb;
  const cache = new DetectionSeriesCache();

  beforeAll(async () => {
    t = await createTestDb('series_cache');
    await storeDetectionInput(t.db, before(yesterday));
    await t.db
      .insertInto('members')
      .values(all.members.map((m) => ({ email: m.email, first_seen_at: `${m.firstSeenDay}T09:00:00Z` })))
      .execute();
  });
  afterAll(async () => dropTestDb(t));

  it('reads everything the first time, then nothing while no collection ran', async () => {
    const first = await cache.load(t.db, asOf, opts);
    expect(first.cache).toEqual({ full: true, readFrom: addDays(asOf, -(H - 1)) });
    await expectSameAsFullRead(t, first);
    const again = await cache.load(t.db, asOf, opts);
    expect(again.cache).toEqual({ full: false, readFrom: null });
    await expectSameAsFullRead(t, again);
  });

  it('after a run from yesterday evening: re-reads from yesterday and equals a full read (new user, new model, restated row)', async () => {
    await storeDetectionInput(t.db, from(yesterday));
    // a developer first seen yesterday, and a model an existing developer first used yesterday
    await storeDetectionInput(t.db, {
      ...from(yesterday),
      userDays: [{ ...all.userDays[0], email: 'joiner@x.io', day: yesterday }],
      userModelDays: [
        { email: 'joiner@x.io', day: yesterday, model: 'mid-model', events: 2, chargedCents: 30, totalTokens: 500 },
        { email: emailOf(2), day: yesterday, model: 'brand-new-model', events: 1, chargedCents: 0, totalTokens: 10 },
      ],
    });
    // a restated price on a day already read
    await sql`UPDATE user_daily_rollup SET charged_cents = charged_cents + 250 WHERE user_email = ${emailOf(1)} AND day = ${yesterday}`.execute(
      t.db,
    );
    const stale = await cache.load(t.db, asOf, opts);
    // Rows written without a collection run are not seen: the cache trusts collection_runs (documented).
    expect(stale.cache.readFrom).toBeNull();
    expect(stale.series.users.map((u) => u.email)).not.toContain('joiner@x.io');

    await recordRun(t, `${yesterday}T18:00:00Z`);
    const got = await cache.load(t.db, asOf, opts);
    expect(got.cache).toEqual({ full: false, readFrom: yesterday });
    expect(got.series.users.map((u) => u.email)).toContain('joiner@x.io');
    await expectSameAsFullRead(t, got);
    expect(detectOnSeries(got.series, got, DEFAULT_SETTINGS).map((a) => a.subject)).toContain(emailOf(4));
    // the re-read days carry yesterday's and today's rows: the agent's headless spend, the restated price
    const agent = got.series.users.find((u) => u.email === emailOf(4))!;
    const stored = all.userDays.find((r) => r.email === emailOf(4) && r.day === asOf)!;
    expect(agent.headlessCents[got.series.asOfIdx]).toBeCloseTo(stored.headlessCents, 6);
    const restated = got.series.users.find((u) => u.email === emailOf(1))!;
    const original = all.userDays.find((r) => r.email === emailOf(1) && r.day === yesterday)!;
    expect(restated.cents[got.series.asOfIdx - 1]).toBeCloseTo(original.chargedCents + 250, 6);
  });

  it('a run still going at the last read counts again once it wrote more', async () => {
    const id = await recordRun(t, `${asOf}T06:00:00Z`, 'running');
    expect((await cache.load(t.db, asOf, opts)).cache.readFrom).toBe(asOf);
    await sql`UPDATE user_model_daily_rollup SET events = events + 7 WHERE user_email = ${emailOf(3)} AND day = ${asOf}`.execute(
      t.db,
    );
    await sql`UPDATE user_daily_rollup SET events = events + 7 WHERE user_email = ${emailOf(3)} AND day = ${asOf}`.execute(
      t.db,
    );
    await sql`UPDATE collection_runs SET status = 'ok' WHERE id = ${id}`.execute(t.db);
    const got = await cache.load(t.db, asOf, opts);
    expect(got.cache).toEqual({ full: false, readFrom: asOf });
    await expectSameAsFullRead(t, got);
  });

  it('reads everything again for a run reaching before the window, a run without a window, or another day', async () => {
    await recordRun(t, '2026-01-01T00:00:00Z');
    expect((await cache.load(t.db, asOf, opts)).cache.full).toBe(true);
    await recordRun(t, null);
    expect((await cache.load(t.db, asOf, opts)).cache.full).toBe(true);
    const other = await cache.load(t.db, yesterday, opts);
    expect(other.cache.full).toBe(true);
    expect(other.series).toEqual((await loadSeriesInput(t.db, yesterday, opts)).series);
  });
});
