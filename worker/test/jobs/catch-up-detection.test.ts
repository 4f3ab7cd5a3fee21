import { addDays } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { storeDetectionInput } from '../../bench/evaluation/store-input';
import { loadConfig } from '../../src/config/config';
import { resumeAfterDatabaseLoss } from '../../src/db/reconnect';
import {
  markDetectionDay,
  owedAnnouncements,
  settleOwed,
  unmarkedDays,
} from '../../src/db/repositories/detection-days';
import { CATCH_UP_MAX_DAYS, replayPlan, runDetectionJob } from '../../src/jobs/catch-up-detection';
import { runDetectionPass } from '../../src/jobs/detection-pass';
import { detectQueue, registerDetectWorker } from '../../src/jobs/queues';
import { replayDay } from '../../src/jobs/replay-detection';
import { startSeriesWarmUp } from '../../src/jobs/series-warm-up';
import { startBoss } from '../../src/queue/boss';
import { emailOf, makeInput } from '../detection/fixtures';
import { runDigest } from '../../src/notify/digest';
import { getSettings, updateSettings } from '../../src/settings';
import { CONFIG } from '../notify/fixtures';
import { waitFor } from '../support/child';
import { keptLog } from '../support/kept-log';
import { silentLog } from '../support/sim';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';

// A worker that was down for days evaluates each missed day as of itself before today's pass, so that incidents
// count evaluated days as if passes had run daily (normal_days, auto-resolution), and announces the incidents those
// days opened that are still unresolved (catch-up-detection.ts, sql/022_detection_days.sql).

const D = '2026-11-18';
const day = (n: number) => addDays(D, n);
/** Each spiker's one-day spike (9× their requests): detection reports it that day and the next (yesterday's episode). */
const A = emailOf(4); // on D: normal from D+2, auto-resolves on D+4 with daily passes
const B = emailOf(5); // on D+1: resolves on D+5
const C = emailOf(7); // on D+4: still open on D+7, resolves on D+8
const spikes: Record<string, string> = { [A]: D, [B]: day(1), [C]: day(4) };
const input = makeInput({
  users: 12,
  days: 70,
  asOf: day(25),
  seed: 21,
  requests: 150,
  tweak: (e, d) => (spikes[e] === d ? { volume: 9, active: true } : undefined),
});
const config = loadConfig({} as NodeJS.ProcessEnv);
const CONFIG_ENV = { GRAFANA_URL: 'https://grafana.example.com/', SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/x' };
/** The job's clock on a day: mid-day, as an hourly job runs. */
const at = (d: string, hour = 12) => new Date(`${d}T${String(hour).padStart(2, '0')}:00:00.000Z`);

async function seeded(name: string): Promise<TestDb> {
  const t = await createTestDb(name);
  await storeDetectionInput(t.db, input);
  await t.db
    .insertInto('members')
    .values(input.members.map((m) => ({ email: m.email, first_seen_at: `${m.firstSeenDay}T09:00:00Z` })))
    .execute();
  return t;
}

const evaluatedDays = async (t: TestDb) =>
  (await t.db.selectFrom('detection_days').select(['as_of', 'passes']).orderBy('as_of').execute()).map(
    (r) => [r.as_of, r.passes] as const,
  );
const incidents = (t: TestDb) => t.db.selectFrom('incidents').selectAll().orderBy('id').execute();
const events = (t: TestDb) => t.db.selectFrom('incident_events').selectAll().orderBy('id').execute();
const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => day(from + i));

describe('replayPlan', () => {
  const today = day(10);
  it('is the missed days up to yesterday, oldest first', () => {
    expect(replayPlan([], today, 0)).toEqual({ days: [], skipped: [] });
    expect(replayPlan([day(3), day(8), day(9)], today, 0)).toEqual({
      days: [day(3), day(8), day(9)].map((d) => ({ day: d, catchUp: true })),
      skipped: [],
    });
  });

  it(`keeps the last ${CATCH_UP_MAX_DAYS} days' missed ones and says which were skipped`, () => {
    const plan = replayPlan(days(-9, 9), today, 0);
    expect(plan.days.map((d) => d.day)).toEqual(days(-4, 9));
    expect(plan.skipped).toEqual(days(-9, -5));
  });

  it('joins a backfill’s days and the missed ones, each once, oldest first; a missed day is a catch-up day', () => {
    expect(replayPlan(days(7, 9), today, 5).days).toEqual([
      { day: day(5), catchUp: false },
      { day: day(6), catchUp: false },
      { day: day(7), catchUp: true },
      { day: day(8), catchUp: true },
      { day: day(9), catchUp: true },
    ]);
    expect(replayPlan([], today, 3).days).toEqual(days(7, 9).map((d) => ({ day: d, catchUp: false })));
  });
});

describe('a detect job after days without one', () => {
  const dbs: TestDb[] = [];
  const db = async (name: string) => {
    const t = await seeded(name);
    dbs.push(t);
    return t;
  };
  afterAll(async () => {
    for (const t of dbs) await dropTestDb(t);
  });

  it('evaluates each missed day as of itself: incidents as if passes had run daily', async () => {
    // Reference: a pass every day, D to D+3 at their ends, and D+4's hourly pass.
    const daily = await db('catchup_daily');
    for (const d of days(0, 3)) await replayDay({ db: daily.db, config, log: silentLog }, d);
    await runDetectionPass({ db: daily.db, config, log: silentLog }, { asOf: day(4), now: at(day(4)) });

    // The worker passes D, is down D+1 to D+3, and runs again on D+4.
    const down = await db('catchup_down');
    const { log, lines } = keptLog();
    await replayDay({ db: down.db, config, log }, D);
    const job = await runDetectionJob({ db: down.db, config, log }, { now: at(day(4)), replayDays: 0 });

    expect(job.caughtUp).toEqual(days(1, 3));
    expect(job.replayed.map((p) => p.asOf)).toEqual(days(1, 3));
    expect(job.today.asOf).toBe(day(4));
    expect(await evaluatedDays(down)).toEqual(days(0, 4).map((d) => [d, 1]));
    expect(lines.find((l) => l.msg === 'detection caught up 3 missed day(s)')).toMatchObject({
      days: 3,
      from: day(1),
      to: day(3),
    });
    // A's spike stopped on D+1 (yesterday's episode): D+2, D+3 and D+4 were normal, so it resolves on D+4.
    const a = (await incidents(down)).find((i) => i.subject === A)!;
    expect(a).toMatchObject({ status: 'resolved', resolution_reason: 'auto', normal_days: 3 });
    expect(a.last_evaluated_day).toBe(day(4));
    expect(a.resolution_note).toBe(`Signal normal for 3 consecutive evaluated day(s), through ${day(4)}`);
    // Every incident and timeline entry as the daily passes left them (B opened on a missed day, C today).
    expect((await incidents(down)).map((i) => i.subject)).toEqual([A, B, C]);
    expect(await incidents(down)).toEqual(await incidents(daily));
    expect(await events(down)).toEqual(await events(daily));
  });

  it('announces once the incidents missed days opened that are still unresolved, not those resolved since', async () => {
    const t = await db('catchup_notify');
    const boss: PgBoss = await startBoss(t.url, silentLog);
    try {
      const deps = { db: t.db, boss, config: CONFIG, log: silentLog };
      const subjects = async () =>
        (
          await t.db
            .selectFrom('notification_incidents as ni')
            .innerJoin('incidents as i', 'i.id', 'ni.incident_id')
            .select('i.subject')
            .orderBy('ni.notification_id')
            .execute()
        ).map((r) => r.subject);
      const first = await runDetectionJob(deps, { now: at(D, 23), replayDays: 0 });
      expect(first.replayed).toEqual([]);
      expect(await subjects()).toEqual([A]);

      // Down D+1 to D+6: B opened on D+1 and resolved itself on D+5; C opened on D+4 and has been quiet since D+5,
      // so today's pass does not see it.
      const job = await runDetectionJob(deps, { now: at(day(7)), replayDays: 0 });
      expect(job.caughtUp).toEqual(days(1, 6));
      const byName = new Map((await incidents(t)).map((i) => [i.subject, i]));
      expect(byName.get(B)).toMatchObject({ status: 'resolved', resolution_reason: 'auto' });
      expect(byName.get(C)).toMatchObject({ status: 'open', normal_days: 2 });
      expect(job.replayed.flatMap((p) => p.incidents.toNotify)).toContain(byName.get(B)!.id);
      expect(job.today.anomalies.map((a) => a.subject)).not.toContain(C);
      expect(job.today.incidents.toNotify).toEqual([]);
      expect(job.today.queued.map((q) => q.incidentIds)).toEqual([[byName.get(C)!.id]]);
      expect(await subjects()).toEqual([A, C]);

      // The next hour's job announces nothing again.
      const next = await runDetectionJob(deps, { now: at(day(7), 13), replayDays: 0 });
      expect(next.replayed).toEqual([]);
      expect(next.today.queued).toEqual([]);
      expect(await subjects()).toEqual([A, C]);
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });

  it('tells a spike that came after the last pass of the day the worker stopped on', async () => {
    // The worker's passes of Tuesday E ran until 03:00, then it was down until Thursday: X's spike of E, collected
    // when it came back, is read by the catch-up of Wednesday, whose pass (as of its last millisecond, a running day)
    // keeps yesterday's episode current while that day is normal (detect.ts, whileTodayRuns).
    const E = day(13);
    const X = emailOf(9);
    const spiked = makeInput({
      users: 12,
      days: 70,
      asOf: day(25),
      seed: 21,
      requests: 150,
      tweak: (e, d) => (spikes[e] === d || (e === X && d === E) ? { volume: 9, active: true } : undefined),
    });
    const t = await db('catchup_evening');
    await runDetectionPass({ db: t.db, config, log: silentLog }, { asOf: E, now: at(E, 3) });
    expect((await incidents(t)).filter((i) => i.subject === X)).toEqual([]);
    for (const table of ['user_daily_rollup', 'user_model_daily_rollup'] as const)
      await t.db.deleteFrom(table).where('user_email', '=', X).where('day', '=', E).execute();
    await storeDetectionInput(t.db, {
      userDays: spiked.userDays.filter((r) => r.email === X && r.day === E),
      userModelDays: spiked.userModelDays.filter((r) => r.email === X && r.day === E),
    });

    const job = await runDetectionJob({ db: t.db, config, log: silentLog }, { now: at(day(15)), replayDays: 0 });
    expect(job.caughtUp).toEqual([day(14)]);
    const x = (await incidents(t)).filter((i) => i.subject === X);
    expect(x).toHaveLength(1);
    expect(x[0]).toMatchObject({ detector: 'personal_spike', onset_at: new Date(`${E}T00:00:00.000Z`) });
    expect((await owedAnnouncements(t.db)).ids).toContain(x[0].id);
  });

  it('keeps what missed days owe until a pass with a queue announces it: a crash before then loses nothing', async () => {
    const t = await db('catchup_owed');
    await replayDay({ db: t.db, config, log: silentLog }, D);
    // Down D+1 to D+6; the job that catches up dies before today's announcement (here: today's pass has no queue).
    const job = await runDetectionJob({ db: t.db, config, log: silentLog }, { now: at(day(7)), replayDays: 0 });
    expect(job.caughtUp).toEqual(days(1, 6));
    const byName = new Map((await incidents(t)).map((i) => [i.subject, i.id]));
    // What the missed days would have announced: B opened on D+1, C on D+4, and A, opened on D (by a pass without a
    // queue here, so never announced) and updated on D+1.
    expect((await owedAnnouncements(t.db)).ids).toEqual([A, B, C].map((e) => byName.get(e)));
    const boss: PgBoss = await startBoss(t.url, silentLog);
    try {
      // The next job, an hour later, misses no day: its pass announces what is owed and still unresolved (C, not B).
      const next = await runDetectionJob(
        { db: t.db, boss, config: CONFIG, log: silentLog },
        { now: at(day(7), 13), replayDays: 0 },
      );
      expect(next.caughtUp).toEqual([]);
      expect(next.today.queued.map((q) => q.incidentIds)).toEqual([[byName.get(C)]]);
      expect((await owedAnnouncements(t.db)).ids).toEqual([]);
      const again = await runDetectionJob(
        { db: t.db, boss, config: CONFIG, log: silentLog },
        { now: at(day(7), 14), replayDays: 0 },
      );
      expect(again.today.queued).toEqual([]);
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });

  it('sends a caught-up incident that has ended to the channels, not to a nudge decided "fixed" at once', async () => {
    const t = await db('catchup_nudge');
    await replayDay({ db: t.db, config, log: silentLog }, D);
    await updateSettings(t.db, { nudgeDetectors: ['personal_spike'] }, 'test');
    const mail = loadConfig({ ...CONFIG_ENV, SMTP_HOST: '127.0.0.1', SMTP_PORT: '9', ALERT_EMAIL_FROM: 'w@x.y' });
    const boss: PgBoss = await startBoss(t.url, silentLog);
    try {
      // Down D+1 to D+6: C's spike of D+4 has been quiet since D+5.
      const job = await runDetectionJob(
        { db: t.db, boss, config: mail, log: silentLog },
        { now: at(day(7)), replayDays: 0 },
      );
      const c = (await incidents(t)).find((i) => i.subject === C)!;
      expect(c).toMatchObject({ detector: 'personal_spike', status: 'open' });
      expect(job.today.nudges?.created.skipped).toContainEqual({ incidentId: c.id, reason: 'already_ended' });
      expect(job.today.nudges?.created.queued).toEqual([]);
      // Released to the team channels by the nudge policy, as a skipped nudge is.
      expect(job.today.nudges?.released.flatMap((q) => q.incidentIds)).toEqual([c.id]);
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });

  it('puts the incidents of days caught up in the next digest, however long ago those days were', async () => {
    const t = await db('catchup_digest');
    await replayDay({ db: t.db, config, log: silentLog }, D);
    await updateSettings(t.db, { notifySlack: 'digest', autoResolveAfterDays: 10 }, 'test');
    const boss: PgBoss = await startBoss(t.url, silentLog);
    try {
      // Down D+1 to D+11: B (D+1) and C (D+4) were found on days more than a week before the digest.
      await runDetectionJob({ db: t.db, boss, config: CONFIG, log: silentLog }, { now: at(day(12)), replayDays: 0 });
      const byName = new Map((await incidents(t)).map((i) => [i.subject, i.id]));
      const [digest] = await runDigest(t.db, boss, await getSettings(t.db), CONFIG, at(day(12), 12));
      expect(digest.incidentIds).toEqual(expect.arrayContaining([byName.get(B), byName.get(C)]));
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });

  it('leaves a first backfill’s replayed days to the digest’s week, as before', async () => {
    const t = await db('catchup_digest_backfill');
    await updateSettings(t.db, { notifySlack: 'digest', autoResolveAfterDays: 10 }, 'test');
    const boss: PgBoss = await startBoss(t.url, silentLog);
    try {
      // Installed on D+12: the backfill's replay finds A, B and C, more than a week before the first digest.
      await runDetectionJob({ db: t.db, boss, config: CONFIG, log: silentLog }, { now: at(day(12)), replayDays: 12 });
      expect((await incidents(t)).map((i) => i.subject)).toEqual(expect.arrayContaining([A, B, C]));
      expect(await runDigest(t.db, boss, await getSettings(t.db), CONFIG, at(day(12), 12))).toEqual([]);
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });

  it('resumes after a lost database from the days still unmarked, announcing what is owed once', async () => {
    const t = await db('catchup_lost');
    await replayDay({ db: t.db, config, log: silentLog }, D);
    // The connection dies once, as D+3's mark is written (SQLSTATE 57P01, an administrator's shutdown).
    await sql`CREATE SEQUENCE lost_once`.execute(t.db);
    await sql`CREATE FUNCTION lose_connection() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.as_of = DATE '2026-11-21' AND nextval('lost_once') = 1 THEN
        RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01'; END IF;
      RETURN NEW; END $$`.execute(t.db);
    await sql`CREATE TRIGGER lose_connection BEFORE INSERT ON detection_days FOR EACH ROW
      EXECUTE FUNCTION lose_connection()`.execute(t.db);
    const { log, lines } = keptLog();
    const boss: PgBoss = await startBoss(t.url, silentLog);
    try {
      const deps = { db: t.db, boss, config: CONFIG, log };
      const job = await resumeAfterDatabaseLoss(
        'detection',
        () => runDetectionJob(deps, { now: at(day(7)), replayDays: 0 }),
        { db: t.db, log, firstDelayMs: 10 },
      );
      expect(lines.some((l) => String(l.msg).includes('resuming'))).toBe(true);
      // The retry took up from D+3: D+1 and D+2 were marked before the loss.
      expect(job.caughtUp).toEqual(days(3, 6));
      expect(await evaluatedDays(t)).toEqual(days(0, 7).map((d) => [d, 1]));
      const c = (await incidents(t)).find((i) => i.subject === C)!;
      expect(job.today.queued.map((q) => q.incidentIds)).toEqual([[c.id]]);
      expect((await owedAnnouncements(t.db)).ids).toEqual([]);
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });

  it('leaves a backfill’s day whose pass failed to no catch-up: it would announce history', async () => {
    const t = await db('catchup_backfill_fails');
    await sql`CREATE FUNCTION fail_day() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.as_of = DATE '2026-11-20' AND NEW.passes > 0 THEN RAISE EXCEPTION 'a bad day'; END IF;
      RETURN NEW; END $$`.execute(t.db);
    await sql`CREATE TRIGGER fail_day BEFORE INSERT ON detection_days FOR EACH ROW EXECUTE FUNCTION fail_day()`.execute(
      t.db,
    );
    const job = await runDetectionJob({ db: t.db, config, log: silentLog }, { now: at(day(7)), replayDays: 7 });
    expect(job.failed).toEqual([day(2)]);
    expect(await evaluatedDays(t)).toContainEqual([day(2), 0]);
    const next = await runDetectionJob({ db: t.db, config, log: silentLog }, { now: at(day(7), 13), replayDays: 0 });
    expect(next.caughtUp).toEqual([]);
  });

  it('announces what is owed only in the detect job’s pass, not in another pass with a queue', async () => {
    const t = await db('catchup_cli');
    await replayDay({ db: t.db, config, log: silentLog }, D);
    await runDetectionJob({ db: t.db, config, log: silentLog }, { now: at(day(7)), replayDays: 0 });
    const owed = (await owedAnnouncements(t.db)).ids;
    expect(owed.length).toBeGreaterThan(0);
    const boss: PgBoss = await startBoss(t.url, silentLog);
    try {
      // `npm run detect` beside the worker: its own incidents only.
      const cli = await runDetectionPass(
        { db: t.db, boss, config: CONFIG, log: silentLog },
        { asOf: day(7), now: at(day(7), 13) },
      );
      expect(cli.queued).toEqual([]);
      expect((await owedAnnouncements(t.db)).ids).toEqual(owed);
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });

  it('counts missed days on dates, whatever the session’s time zone (clocks that jump at midnight)', async () => {
    const t = await db('catchup_zone');
    await markDetectionDay(t.db, '2026-09-01');
    await markDetectionDay(t.db, '2026-09-04');
    const missed = await t.db.transaction().execute(async (tx) => {
      // Chile's clocks go from 00:00 to 01:00 on 2026-09-06: a timestamp series runs at 01:00 after it.
      await sql`SET LOCAL TIME ZONE 'America/Santiago'`.execute(tx);
      return unmarkedDays(tx, '2026-08-01', '2026-09-10');
    });
    expect(missed).toEqual([
      '2026-09-02',
      '2026-09-03',
      '2026-09-05',
      '2026-09-06',
      '2026-09-07',
      '2026-09-08',
      '2026-09-09',
      '2026-09-10',
    ]);
    expect(await unmarkedDays(t.db, '2026-09-08', '2026-09-10')).toEqual(['2026-09-08', '2026-09-09', '2026-09-10']);
  });

  it('settles only what it read: what a pass owes meanwhile waits for the next announcement', async () => {
    const t = await db('catchup_settle');
    await markDetectionDay(t.db, D, { owed: [7, 3] });
    await markDetectionDay(t.db, day(1), { owed: [3] });
    const read = await owedAnnouncements(t.db);
    expect(read.ids).toEqual([3, 7]);
    await markDetectionDay(t.db, D, { owed: [9] }); // an escalation, between the read and the settling
    await settleOwed(t.db, read);
    expect((await owedAnnouncements(t.db)).ids).toEqual([9]);
  });

  it('announces nothing of the days a first backfill replays', async () => {
    const t = await db('catchup_backfill_quiet');
    const boss: PgBoss = await startBoss(t.url, silentLog);
    try {
      const job = await runDetectionJob(
        { db: t.db, boss, config: CONFIG, log: silentLog },
        { now: at(day(7)), replayDays: 7 },
      );
      expect(job.replayed.map((p) => p.asOf)).toEqual(days(0, 6));
      expect(job.caughtUp).toEqual([]);
      // C opened on D+4 and is still open, as above: history from before the install, told to nobody.
      expect((await incidents(t)).find((i) => i.subject === C)).toMatchObject({ status: 'open' });
      expect(job.today.queued).toEqual([]);
      expect(await t.db.selectFrom('notification_incidents').select('incident_id').execute()).toEqual([]);
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });

  it('marks no day a pass evaluated with no usage collected: a first backfill after it announces no history', async () => {
    // `npm run detect` tried right after install, before anything was collected (its database still empty), then the
    // worker's first run: that day's mark would make the backfill's replayed days look missed, caught up and owed.
    const t = await createTestDb('catchup_empty_first');
    dbs.push(t);
    const empty = await runDetectionPass({ db: t.db, config, log: silentLog }, { asOf: day(-3), now: at(day(-3)) });
    expect(empty.users).toBe(0);
    expect(await evaluatedDays(t)).toEqual([]);
    await storeDetectionInput(t.db, input);
    // Nor a day before the first one collected (`npm run detect -- --as-of` too far back).
    const before = await runDetectionPass({ db: t.db, config, log: silentLog }, { asOf: day(-60), now: at(day(7)) });
    expect(before.users).toBe(0);
    expect(await evaluatedDays(t)).toEqual([]);
    const job = await runDetectionJob({ db: t.db, config, log: silentLog }, { now: at(day(7)), replayDays: 7 });
    expect(job.replayed.map((p) => p.asOf)).toEqual(days(0, 6));
    expect(job.caughtUp).toEqual([]);
    expect((await owedAnnouncements(t.db)).ids).toEqual([]);
  });

  it('still marks its days when usage stopped weeks ago: no day is taken for missed', async () => {
    // A team that stopped using Cursor (or whose collection has failed) for longer than detection's window: its passes
    // see no developer, but usage was collected, so each day is marked and the next job has nothing to catch up.
    const t = await db('catchup_quiet_team');
    const quiet = day(25 + 80);
    const pass = await runDetectionPass({ db: t.db, config, log: silentLog }, { asOf: quiet, now: at(quiet) });
    expect(pass.users).toBe(0);
    const job = await runDetectionJob(
      { db: t.db, config, log: silentLog },
      { now: at(addDays(quiet, 1)), replayDays: 0 },
    );
    expect(job.caughtUp).toEqual([]);
    expect(await evaluatedDays(t)).toEqual([
      [quiet, 1],
      [addDays(quiet, 1), 1],
    ]);
  });

  it('marks a day in the transaction that records its incidents: one is not stored without the other', async () => {
    const t = await db('catchup_same_tx');
    await sql`ALTER TABLE detection_days RENAME TO detection_days_away`.execute(t.db);
    await expect(runDetectionPass({ db: t.db, config, log: silentLog }, { asOf: D, now: at(D, 23) })).rejects.toThrow(
      /detection_days/,
    );
    await sql`ALTER TABLE detection_days_away RENAME TO detection_days`.execute(t.db);
    // A's spike on D would have opened an incident.
    expect(await incidents(t)).toEqual([]);
    await runDetectionPass({ db: t.db, config, log: silentLog }, { asOf: D, now: at(D, 23) });
    expect((await incidents(t)).map((i) => [i.subject, i.last_evaluated_day])).toEqual([[A, D]]);
    expect(await evaluatedDays(t)).toEqual([[D, 1]]);
  });

  it('catches nothing up on the first pass ever (a fresh install, an upgrade)', async () => {
    const t = await db('catchup_first');
    const { log, lines } = keptLog();
    expect(await unmarkedDays(t.db, day(-30), day(4))).toEqual([]);
    const job = await runDetectionJob({ db: t.db, config, log }, { now: at(day(4)), replayDays: 0 });
    expect(job.replayed).toEqual([]);
    expect(job.caughtUp).toEqual([]);
    expect(await evaluatedDays(t)).toEqual([[day(4), 1]]);
    expect(lines.filter((l) => String(l.msg).startsWith('detection caught up'))).toEqual([]);
    // The next hour's job counts one more pass of the day; the next day's misses nothing.
    await runDetectionJob({ db: t.db, config, log }, { now: at(day(4), 13), replayDays: 0 });
    await runDetectionJob({ db: t.db, config, log }, { now: at(day(5)), replayDays: 0 });
    expect(await evaluatedDays(t)).toEqual([
      [day(4), 2],
      [day(5), 1],
    ]);
  });

  it(`replays only the last ${CATCH_UP_MAX_DAYS} missed days, and says the older ones were skipped`, async () => {
    const t = await db('catchup_cap');
    const { log, lines } = keptLog();
    await markDetectionDay(t.db, D);
    const job = await runDetectionJob({ db: t.db, config, log }, { now: at(day(20)), replayDays: 0 });
    expect(job.caughtUp).toEqual(days(6, 19));
    // The skipped days are marked with no pass, so they are reported once.
    expect(await evaluatedDays(t)).toEqual([
      [D, 1],
      ...days(1, 5).map((d) => [d, 0]),
      ...days(6, 20).map((d) => [d, 1]),
    ]);
    expect(lines.find((l) => String(l.msg).startsWith('detection skipped'))).toMatchObject({
      level: 40,
      msg: `detection skipped 5 missed day(s) older than the last ${CATCH_UP_MAX_DAYS}`,
      from: day(1),
      to: day(5),
      days: 5,
    });
    expect(lines.find((l) => l.msg === `detection caught up 14 missed day(s)`)).toMatchObject({
      from: day(6),
      to: day(19),
    });
    const count = lines.length;
    await runDetectionJob({ db: t.db, config, log }, { now: at(day(20), 13), replayDays: 0 });
    expect(lines.slice(count).filter((l) => /^detection (skipped|caught up)/.test(String(l.msg)))).toEqual([]);
  });

  it('catches up every missed day: one evaluated out of turn, or ahead, hides none', async () => {
    const t = await db('catchup_gaps');
    await replayDay({ db: t.db, config, log: silentLog }, D);
    // While the worker is down, someone runs `npm run detect -- --as-of` D+3, and one a day ahead.
    await runDetectionPass({ db: t.db, config, log: silentLog }, { asOf: day(3), now: at(day(3)) });
    await markDetectionDay(t.db, day(30));
    expect(await unmarkedDays(t.db, day(-30), day(6))).toEqual([day(1), day(2), day(4), day(5), day(6)]);
    const job = await runDetectionJob({ db: t.db, config, log: silentLog }, { now: at(day(7)), replayDays: 0 });
    expect(job.caughtUp).toEqual([day(1), day(2), day(4), day(5), day(6)]);
    // B's spike of D+1 found, though D+3 was evaluated before it.
    expect((await incidents(t)).map((i) => i.subject)).toContain(B);
  });

  it('logs a past day whose pass fails and runs today’s; the next job tries that day again', async () => {
    const t = await db('catchup_fails');
    await replayDay({ db: t.db, config, log: silentLog }, D);
    await sql`CREATE FUNCTION fail_day() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.as_of = DATE '2026-11-20' THEN RAISE EXCEPTION 'a bad day'; END IF; RETURN NEW; END $$`.execute(
      t.db,
    );
    await sql`CREATE TRIGGER fail_day BEFORE INSERT ON detection_days FOR EACH ROW EXECUTE FUNCTION fail_day()`.execute(
      t.db,
    );
    const { log, lines } = keptLog();
    const job = await runDetectionJob({ db: t.db, config, log }, { now: at(day(4)), replayDays: 0 });
    expect(job.failed).toEqual([day(2)]);
    expect(job.caughtUp).toEqual([day(1), day(3)]);
    expect(job.today.asOf).toBe(day(4));
    expect(lines.find((l) => l.level === 50)).toMatchObject({ day: day(2), err: { message: 'a bad day' } });
    await sql`DROP TRIGGER fail_day ON detection_days`.execute(t.db);
    const next = await runDetectionJob({ db: t.db, config, log }, { now: at(day(4), 13), replayDays: 0 });
    expect(next.caughtUp).toEqual([day(2)]);
    expect(await unmarkedDays(t.db, day(-30), day(4))).toEqual([]);
  });

  it('evaluates no day twice when a backfill’s replay and the catch-up overlap', async () => {
    const t = await db('catchup_backfill');
    const { log, lines } = keptLog();
    await markDetectionDay(t.db, D);
    const job = await runDetectionJob({ db: t.db, config, log }, { now: at(day(6)), replayDays: 10 });
    expect(job.replayed.map((p) => p.asOf)).toEqual(days(-4, 5));
    expect(job.caughtUp).toEqual(days(1, 5));
    // D: its earlier pass and the backfill's; every other day once.
    expect(await evaluatedDays(t)).toEqual(days(-4, 6).map((d) => [d, d === D ? 2 : 1]));
    expect(lines.find((l) => l.msg === 'detection caught up 5 missed day(s)')).toMatchObject({
      from: day(1),
      to: day(5),
    });
  });
});

describe('the detect worker', () => {
  let t: TestDb;
  let boss: PgBoss;
  const stop = new AbortController();
  beforeAll(async () => {
    t = await createTestDb('catchup_worker');
    // Usage up to the real clock's today, as collected: a pass with none marks no day.
    const today = new Date().toISOString().slice(0, 10);
    await storeDetectionInput(t.db, makeInput({ users: 4, days: 10, asOf: addDays(today, 1), seed: 3 }));
    boss = await startBoss(t.url, silentLog);
  });
  afterAll(async () => {
    stop.abort();
    await boss?.stop({ graceful: false, close: true }).catch(() => {});
    await dropTestDb(t);
  });

  it('catches up the days since the last evaluated one before today’s pass', async () => {
    // The worker's job runs on the real clock.
    const today = new Date().toISOString().slice(0, 10);
    await markDetectionDay(t.db, addDays(today, -3));
    const { log, lines } = keptLog();
    const warmUp = startSeriesWarmUp({ db: t.db, log, signal: stop.signal, releaseHeap: () => {} });
    await registerDetectWorker(boss, { db: t.db, config, log, signal: stop.signal, warmUp, releaseHeap: () => {} });
    await detectQueue.send(boss, { trigger: 'test' });
    const passes = () => lines.filter((l) => l.msg === 'detection pass finished').map((l) => String(l.asOf));
    await waitFor('today’s pass', async () => passes().some((d) => d >= today), 60_000);
    // The job's own today: tomorrow if it ran past midnight, with one more day missed.
    const jobDay = passes().at(-1)!;
    const missed = jobDay === today ? 2 : 3;
    expect(passes()).toEqual([addDays(today, -2), addDays(today, -1), today, jobDay].slice(0, missed + 1));
    expect(lines.find((l) => l.msg === `detection caught up ${missed} missed day(s)`)).toMatchObject({
      from: addDays(today, -2),
      to: addDays(jobDay, -1),
    });
    expect(await evaluatedDays(t)).toEqual([addDays(today, -3), ...passes()].map((d) => [d, 1]));
  }, 90_000);
});
