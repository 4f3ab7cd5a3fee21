import { addDays } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import { storeDetectionInput } from '../../bench/evaluation/store-input';
import { DetectionSeriesCache } from '../../src/db/repositories/detection-series-cache';
import { loadSeriesInput, type SeriesInput } from '../../src/db/repositories/detection-series-set';
import { historyDays, olderDays } from '../../src/detection';
import { olderSpend } from '../../src/detection/series';
import { detectOnSeries } from '../../src/detection/detect';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { emailOf, headlessAgentTeam } from './fixtures';

const asOf = '2026-11-18';
const H = historyDays(DEFAULT_SETTINGS);
const O = olderDays(DEFAULT_SETTINGS);
const yesterday = addDays(asOf, -1);
const now = new Date(`${addDays(asOf, 1)}T01:00:00Z`);
const opts = { days: H, olderDays: O, weekdayAware: true, now, chunkUsers: 3 };

const { all, before, from } = headlessAgentTeam(asOf, H + O + 5);

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
    // a developer first seen yesterday (back: they had a day before the window, which the scale reads), and a model
    // an existing developer first used yesterday
    const beforeWindow = addDays(asOf, -(H - 1) - 3);
    await storeDetectionInput(t.db, {
      ...from(yesterday),
      userDays: [
        { ...all.userDays[0], email: 'joiner@x.io', day: yesterday },
        { ...all.userDays[0], email: 'joiner@x.io', day: beforeWindow, events: 4, chargedCents: 321 },
      ],
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
    // the joiner's day before the window, read for them when the re-read met them
    const joiner = got.series.users.find((u) => u.email === 'joiner@x.io')!;
    expect(joiner.olderLog[O - 3]).toBe(Math.fround(olderSpend(321, 4)));
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

describe('DetectionSeriesCache: the first pass of a new day slides the kept series', () => {
  let t: TestDb;
  const cache = new DetectionSeriesCache();
  const d0 = addDays(asOf, -3); // the day of the first pass; the new days are d0+1 … asOf
  const first0 = addDays(d0, -(H - 1)); // d0's window starts here; it leaves on the next day
  const dayOf = (day: string) => ({
    userDays: all.userDays.filter((r) => r.day === day),
    userModelDays: all.userModelDays.filter((r) => r.day === day),
  });
  const sameAsFullRead = async (got: SeriesInput, day: string) => {
    const full = await loadSeriesInput(t.db, day, opts);
    expect(got.series).toEqual(full.series);
    expect(got.series.users.map((u) => [u.email, u.firstActive, ...u.models.keys()])).toEqual(
      full.series.users.map((u) => [u.email, u.firstActive, ...u.models.keys()]),
    );
    expect(got.users).toBe(full.users);
    expect(got.cycleSpend).toEqual(full.cycleSpend);
    expect(detectOnSeries(got.series, got, DEFAULT_SETTINGS)).toEqual(
      detectOnSeries(full.series, full, DEFAULT_SETTINGS),
    );
  };
  const userDay = (email: string, day: string, events: number) => ({ ...all.userDays[0], email, day, events });
  const modelDay = (email: string, day: string, model: string, events: number, chargedCents: number) => ({
    email,
    day,
    model,
    events,
    chargedCents,
    totalTokens: 10,
  });

  beforeAll(async () => {
    t = await createTestDb('series_slide');
    await storeDetectionInput(t.db, before(addDays(d0, 1)));
    await t.db
      .insertInto('members')
      .values(all.members.map((m) => ({ email: m.email, first_seen_at: `${m.firstSeenDay}T09:00:00Z` })))
      .execute();
    // leaver: first rows on the window's first day, then from its sixth day; a model first used on the day that
    // leaves ('zeta') and one first used later ('alpha'): once the first day left, a full read meets alpha first.
    // gone: rows on the first day only (a model row of zeros too), so gone once it leaves. quiet: a zero model row.
    const later = addDays(first0, 5);
    await storeDetectionInput(t.db, {
      userDays: [userDay('leaver@x.io', first0, 3), userDay('leaver@x.io', later, 0), userDay('gone@x.io', first0, 2)],
      userModelDays: [
        modelDay('leaver@x.io', first0, 'zeta-model', 3, 40),
        modelDay('leaver@x.io', later, 'zeta-model', 0, 0),
        modelDay('leaver@x.io', later, 'alpha-model', 2, 25),
        modelDay('gone@x.io', first0, 'zeta-model', 0, 0),
        modelDay('quiet@x.io', addDays(first0, 1), 'beta-model', 0, 0),
      ],
    });
  });
  afterAll(async () => dropTestDb(t));

  it('one day later: reads the new day only, drops what left, and equals a full read (order included)', async () => {
    const cold = await cache.load(t.db, d0, opts);
    expect(cold.cache.full).toBe(true);
    expect(
      cold.series.users
        .find((u) => u.email === 'leaver@x.io')!
        .models.keys()
        .next().value,
    ).toBe('zeta-model');
    const d1 = addDays(d0, 1);
    await storeDetectionInput(t.db, dayOf(d1));
    await recordRun(t, `${d1}T00:10:00Z`);
    const got = await cache.load(t.db, d1, opts);
    expect(got.cache).toEqual({ full: false, readFrom: d1, slid: 1 });
    await sameAsFullRead(got, d1);
    const emails = got.series.users.map((u) => u.email);
    expect(emails).not.toContain('gone@x.io');
    expect(emails).toContain('quiet@x.io');
    const leaver = got.series.users.find((u) => u.email === 'leaver@x.io')!;
    expect([...leaver.models.keys()]).toEqual(['alpha-model', 'zeta-model']);
    expect(leaver.firstActive).toBe(got.series.days.length); // its one day with events left the window
    // ... into the days before the window, which the scale reads
    expect(leaver.olderLog[O - 1]).toBe(Math.fround(olderSpend(all.userDays[0].chargedCents, 3)));
  });

  it('a run restating an earlier day in the window: re-reads from that day as well', async () => {
    const d1 = addDays(d0, 1);
    const d2 = addDays(d0, 2);
    const restated = addDays(d0, -10);
    await storeDetectionInput(t.db, dayOf(d2));
    await sql`UPDATE user_daily_rollup SET charged_cents = charged_cents + 999 WHERE user_email = ${emailOf(5)} AND day = ${restated}`.execute(
      t.db,
    );
    await recordRun(t, `${restated}T00:00:00Z`);
    const got = await cache.load(t.db, d2, opts);
    expect(got.cache).toEqual({ full: false, readFrom: restated, slid: 1 });
    await sameAsFullRead(got, d2);
    const u = got.series.users.find((x) => x.email === emailOf(5))!;
    const row = all.userDays.find((r) => r.email === emailOf(5) && r.day === restated)!;
    expect(u.cents[got.series.days.indexOf(restated)]).toBeCloseTo(row.chargedCents + 999, 6);
    expect(got.series.days[0]).toBe(addDays(first0, 2));
    expect(got.series.days.indexOf(d1)).toBe(got.series.asOfIdx - 1);
  });

  it('two days later, with a developer and a model new on the new day', async () => {
    // back to d1's series, then two days on
    const d1 = addDays(d0, 1);
    const back = new DetectionSeriesCache();
    await back.load(t.db, d1, opts);
    await storeDetectionInput(t.db, {
      userDays: [...dayOf(asOf).userDays, userDay('joiner@x.io', asOf, 4)],
      userModelDays: [
        ...dayOf(asOf).userModelDays,
        modelDay('joiner@x.io', asOf, 'mid-model', 4, 60),
        modelDay(emailOf(2), asOf, 'aaa-model', 1, 5),
      ],
    });
    await recordRun(t, `${asOf}T00:10:00Z`);
    const got = await back.load(t.db, asOf, opts);
    expect(got.cache).toEqual({ full: false, readFrom: addDays(d1, 1), slid: 2 });
    await sameAsFullRead(got, asOf);
    expect(got.series.users.map((u) => u.email)).toContain('joiner@x.io');
    expect([...got.series.users.find((u) => u.email === emailOf(2))!.models.keys()].at(-1)).toBe('aaa-model');
    expect(detectOnSeries(got.series, got, DEFAULT_SETTINGS).map((a) => a.subject)).toContain(emailOf(4));
  });

  it('reads everything when it cannot slide: asOf earlier, a jump past the window, other settings', async () => {
    const back = await cache.load(t.db, d0, opts);
    expect(back.cache.full).toBe(true);
    await sameAsFullRead(back, d0);
    const far = addDays(d0, H);
    expect((await cache.load(t.db, far, opts)).cache.full).toBe(true);
    await cache.load(t.db, d0, opts);
    const other = await cache.load(t.db, addDays(d0, 1), { ...opts, weekdayAware: false });
    expect(other.cache.full).toBe(true);
    await cache.load(t.db, d0, opts);
    const longer = await cache.load(t.db, addDays(d0, 1), { ...opts, days: H + 7 });
    expect(longer.cache.full).toBe(true);
  });
});
