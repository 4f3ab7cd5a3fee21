/**
 * npm run bench:detect-hourly — how many hours after an anomaly starts the worker opens its incident, hour by hour as
 * the worker runs: the simulated Cursor API over real HTTP, the collector (collectOnce), PostgreSQL's rollups and the
 * detection pass with its series cache (runDetectionPass), each hour on the hour, as `npm start` does (COLLECT_CRON
 * `0 * * * *`, detection after each collection). bench:detect replays whole days and cannot tell an hour from a day.
 *   --seeds 1,2,3,4,5    simulated teams (createSimulatedTeam's seed)          --size 300   developers per team
 *   --history 40         days of history; anomalies start from day 21 on (the simulator's BASELINE_DAYS)
 *   --lag-minutes 0      how long an event takes to reach Cursor's API (the simulator serves events up to its clock;
 *                        Cursor does not document a delay, cursor-api.md)      --verbose   a line per anomaly
 *   --step-hours 1       hours between collections (24: one a day, just after midnight, to compare with whole days)
 *   --settings '<json>'  detection settings other than the defaults
 *   --outage 2026-11-10T18:00/48   the worker down from that UTC hour for that many hours: no collection and no pass;
 *                        the first job after it catches up the days it missed, as the detect job does
 *                        (catch-up-detection.ts)      --no-catch-up   that job without its catch-up (as before it)
 * First run as a new install on day 21 (the worker's backfill, BACKFILL_DAYS, and its replay of detection over the
 * last BACKFILL_REPLAY_DAYS of it), then a collection and a pass every hour to the team's last day, and at 03:30 the
 * restate collection (RESTATE_EVENTS_CRON's default) and its pass. Settings are stored as the worker reads them.
 * For each labelled anomaly that starts in the hourly days: when its first extra call was made, when its extra cost
 * reached $20 (the alert floor) and when the first incident about its developer (the team, for a team jump) opened.
 * Times are found from the simulator's ground truth at each clock (GroundTruthAnomaly.extraCents counts calls up to
 * its clock), to the minute (a team jump's first call is at 00:00: the price change starts with the day). An anomaly
 * whose extra reached $20 within DUE_DAYS of the end is not judged, as in bench:detect. An incident that no labelled
 * anomaly explains is a false alert; a developer's own incident about a team jump that touched them is neither.
 */
import { DAY_MS, toDay } from '@cursor-cost-watch/contract';
import { createSimulatedTeam, startSimulatorServer, type GroundTruthAnomaly } from '@cursor-cost-watch/simulator';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../src/config/config';
import { collectOnce } from '../src/collector/collect';
import { CursorClient } from '../src/cursor/client';
import type { Db } from '../src/db/database';
import { DetectionSeriesCache } from '../src/db/repositories/detection-series-cache';
import { runDetectionPass } from '../src/jobs/detection-pass';
import { runDetectionJob } from '../src/jobs/catch-up-detection';
import { replayDetection } from '../src/jobs/replay-detection';
import { getSettings, updateSettings, type Settings } from '../src/settings';
import { BACKFILL_REPLAY_DAYS } from '../src/jobs/queues';
import { benchSettings } from './support/bench-settings';
import { median } from '../src/detection/stats';
import { withBenchDatabase } from './support/database';
import { DUE_DAYS } from './evaluation/replay';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3,4,5' },
    size: { type: 'string', default: '300' },
    history: { type: 'string', default: '40' },
    'lag-minutes': { type: 'string', default: '0' },
    'step-hours': { type: 'string', default: '1' },
    settings: { type: 'string' },
    outage: { type: 'string' },
    'no-catch-up': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const BASELINE_DAYS = 21; // the simulator starts no anomaly before its 21st day of history (anomalies.ts)
const API_KEY = 'key_' + 'be'.repeat(32);
const log = pino({ level: 'silent' });

/** --outage: [from, to) in ms, or null. */
function outageWindow(spec: string | undefined): [number, number] | null {
  if (spec === undefined) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}(?::\d{2})?)\/(\d+)$/.exec(spec);
  if (!m) throw new Error(`--outage must be <UTC day>T<hour>/<hours>, e.g. 2026-11-10T18:00/48 (got "${spec}")`);
  const from = Date.parse(`${m[1].length === 13 ? `${m[1]}:00` : m[1]}:00.000Z`);
  return [from, from + Number(m[2]) * HOUR_MS];
}
const OUTAGE = outageWindow(args.outage);

interface Alert {
  id: number;
  at: number;
  subject: string;
  scope: string;
  detector: string;
  onset: string;
}

interface Judged {
  anomaly: GroundTruthAnomaly;
  firstCallAt: number | null;
  floorAt: number | null;
  alert: Alert | null;
}

/** The first minute in [from, to] at which `reached(clock)` holds (it holds from some minute on), or null. */
function firstMinute(from: number, to: number, reached: (clock: number) => boolean): number | null {
  if (!reached(to)) return null;
  let lo = from;
  let hi = to;
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return reached(lo) ? lo : hi;
}

async function runTeam(db: Db, seed: number, size: number, historyDays: number, settings: Settings | undefined) {
  const endDay = Math.floor(Date.UTC(2026, 10, 20) / DAY_MS); // a fixed clock: no figure depends on today
  const lagMs = Number(args['lag-minutes']) * MINUTE_MS;
  let simClock = (endDay + 1) * DAY_MS - 1;
  const team = createSimulatedTeam({ seed, teamSize: size, historyDays, now: () => simClock });
  const server = await startSimulatorServer({ team, apiKey: API_KEY, port: 0, rateLimitsPerMinute: null });
  const client = new CursorClient({
    baseUrl: server.url,
    apiKey: API_KEY,
    rateLimits: { admin: 0, events: 0, analytics: 0 },
  });
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const firstHourlyDay = endDay - historyDays + BASELINE_DAYS;
  const seriesCache = new DetectionSeriesCache();
  const alerts: Alert[] = [];
  const started = performance.now();
  let passes = 0;
  try {
    const at = (clock: number) => {
      simClock = clock - lagMs;
      return new Date(clock);
    };
    // The worker reads its settings from the database, the first-run replay too.
    if (settings) await updateSettings(db, settings, 'bench');
    const minImpactCents = (await getSettings(db)).minImpactDollars * 100;
    const install = firstHourlyDay * DAY_MS;
    // The first run: a backfill, then detection replayed over its last days (jobs/queues/collect.ts).
    await collectOnce({ db, client, log, config }, { trigger: 'backfill', now: at(install) });
    const replayDays = Math.min(BACKFILL_REPLAY_DAYS, config.BACKFILL_DAYS);
    await replayDetection({ db, config, log }, { days: replayDays, now: new Date(install) });
    const step = Number(args['step-hours']) * HOUR_MS;
    const cycle = async (clock: number, restateEvents: boolean) => {
      const now = at(clock);
      if (clock > install) await collectOnce({ db, client, log, config }, { trigger: 'schedule', now, restateEvents });
      // The detect job's passes (jobs/queues/detect.ts): the days it missed, if any, then today's.
      const job = args['no-catch-up']
        ? { replayed: [], today: await runDetectionPass({ db, config, log, seriesCache }, { now }) }
        : await runDetectionJob({ db, config, log, seriesCache }, { now, replayDays: 0 });
      passes += 1 + job.replayed.length;
      for (const pass of [...job.replayed, job.today])
        for (const id of pass.incidents.opened) {
          const a = pass.anomalies.find((x) => x.incidentId === id);
          alerts.push({
            id,
            at: clock,
            subject: a?.subject ?? '?',
            scope: a?.scope ?? '?',
            detector: a?.detector ?? '?',
            onset: a ? a.onsetAt.slice(0, 10) : '?',
          });
        }
    };
    for (let clock = install; clock < (endDay + 1) * DAY_MS; clock += step) {
      if (OUTAGE && clock >= OUTAGE[0] && clock < OUTAGE[1]) continue; // the worker is down
      await cycle(clock, false);
      // RESTATE_EVENTS_CRON's default, 03:30: the day's restate collection, and the pass after it.
      if (step === HOUR_MS && clock % DAY_MS === 3 * HOUR_MS) await cycle(clock + 30 * MINUTE_MS, true);
    }
    const lastClock = (endDay + 1) * DAY_MS - 1;
    simClock = lastClock;
    // How incidents ended: those that resolved themselves, and the days from their last detection to it (an
    // outage without the catch-up counts its days as one: they resolve later).
    const ended = await db
      .selectFrom('incidents')
      .select(['status', 'resolution_reason', 'resolved_at', 'last_detected_at'])
      .execute();
    const autoResolved = ended.filter((i) => i.resolution_reason === 'auto' && i.resolved_at !== null);
    const quietDays = autoResolved.map((i) => (i.resolved_at!.getTime() - i.last_detected_at.getTime()) / DAY_MS);
    const openAtEnd = ended.filter((i) => i.status !== 'resolved').length;
    const everything = team.truth();
    const truth = everything.filter((a) => Date.parse(a.startDay) >= firstHourlyDay * DAY_MS);
    const extraAt = (id: string, clock: number) => {
      simClock = clock;
      return team.truth().find((a) => a.id === id)?.extraCents ?? 0;
    };
    const judged: Judged[] = truth.map((anomaly) => {
      const from = Date.parse(anomaly.startDay);
      const to = Date.parse(anomaly.endDay) + DAY_MS - 1;
      const firstCallAt = firstMinute(from, to, (c) => extraAt(anomaly.id, c) > 0);
      const floorAt = firstMinute(from, to, (c) => extraAt(anomaly.id, c) >= minImpactCents);
      const alert = alerts.find((x) => isAbout(x, anomaly)) ?? null;
      return { anomaly, firstCallAt, floorAt, alert };
    });
    const explained = new Set(judged.flatMap((j) => (j.alert ? [j.alert.id] : [])));
    const untold = alerts.filter((x) => !explained.has(x.id));
    // Incidents about a labelled anomaly of the hourly days after its first: the same excess told again.
    const repeats = untold.filter((x) => truth.some((a) => isAbout(x, a)));
    // A developer's own incident about a team jump that touched them: neither a find nor false (as bench:detect scores
    // it, evaluation/score.ts), nor one about an anomaly that began before the hourly days.
    const covered = untold.filter((x) => !repeats.includes(x) && everything.some((a) => isCoveredBy(x, a)));
    const falseAlerts = untold.filter((x) => !repeats.includes(x) && !covered.includes(x));
    return {
      seed,
      judged,
      alerts,
      falseAlerts,
      repeats,
      covered,
      passes,
      autoResolved: autoResolved.length,
      quietDays,
      openAtEnd,
      lastClock,
      hourlyDays: endDay - firstHourlyDay + 1,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await server.close();
  }
}

/** Opened from the anomaly's first day to 3 days after its last. */
const during = (x: Alert, a: GroundTruthAnomaly) =>
  x.at >= Date.parse(a.startDay) && x.at < Date.parse(a.endDay) + 4 * DAY_MS;

/** An incident that finds the anomaly: about its developer (the team, for a team jump), during it. */
function isAbout(x: Alert, a: GroundTruthAnomaly): boolean {
  const subject = a.scope === 'team' ? x.scope === 'team' : x.scope === 'user' && x.subject === a.email;
  return subject && during(x, a);
}

/** An incident explained by the anomaly: one that finds it, or about one of the developers a team jump touched. */
const isCoveredBy = (x: Alert, a: GroundTruthAnomaly) =>
  isAbout(x, a) || (a.emails.includes(x.subject) && during(x, a));

const iso = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(5, 16).replace('T', ' '));
const hours = (from: number | null, to: number | null) => (from === null || to === null ? null : (to - from) / HOUR_MS);
const fmtH = (h: number | null) => (h === null || Number.isNaN(h) ? '—' : `${h.toFixed(1)} h`);
const fmtD = (d: number | null) => (d === null || Number.isNaN(d) ? '—' : `${d.toFixed(1)} d`);

async function main() {
  const seeds = args.seeds.split(',').map(Number);
  const size = Number(args.size);
  const historyDays = Number(args.history);
  const settings = args.settings ? benchSettings(args.settings) : undefined;
  const all: (Judged & { due: boolean })[] = [];
  let falseCount = 0;
  let repeatCount = 0;
  let devWeeks = 0;
  for (const seed of seeds) {
    const r = await withBenchDatabase(`hourly-${seed}`, 4, ({ db }) => runTeam(db, seed, size, historyDays, settings));
    all.push(
      ...r.judged.map((j) => ({ ...j, due: j.floorAt !== null && j.floorAt + DUE_DAYS * DAY_MS <= r.lastClock + 1 })),
    );
    falseCount += r.falseAlerts.length;
    repeatCount += r.repeats.length;
    devWeeks += (size * r.hourlyDays) / 7;
    console.log(
      `seed ${seed}: ${size} developers, ${r.hourlyDays} days, a collection and a pass every ${args['step-hours']} h` +
        (OUTAGE ? ` but while down (${args.outage} h${args['no-catch-up'] ? ', no catch-up after' : ''})` : '') +
        ` (${r.passes} passes, ` +
        `${r.seconds.toFixed(0)} s), ${r.judged.length} labelled anomalies, ${r.alerts.length} incidents opened, ` +
        `${r.falseAlerts.length} false, ${r.repeats.length} about an anomaly already told, ${r.covered.length} of a ` +
        `developer a team jump touched; ${r.autoResolved} resolved by themselves, ` +
        `${fmtD(median(r.quietDays))} (worst ${fmtD(r.quietDays.length ? Math.max(...r.quietDays) : null)}) after ` +
        `their last detection, ${r.openAtEnd} open at the end`,
    );
    if (args.verbose) {
      for (const j of r.judged) {
        const a = j.anomaly;
        console.log(
          `   ${a.id.padEnd(24)} ${a.kind.padEnd(13)} $${(a.extraCents / 100).toFixed(0).padStart(5)}  ` +
            `first call ${iso(j.firstCallAt)}  $20 ${iso(j.floorAt)}  ` +
            (j.alert
              ? `→ ${j.alert.detector} ${iso(j.alert.at)} (${fmtH(hours(j.firstCallAt, j.alert.at))} from the first call, ` +
                `${fmtH(hours(j.floorAt, j.alert.at))} from $20)`
              : '→ no incident'),
        );
      }
      for (const x of r.falseAlerts) console.log(`   false ${x.detector} ${x.subject} ${iso(x.at)} onset ${x.onset}`);
      for (const x of r.repeats) {
        const first = r.judged.find((j) => j.alert && isAbout(x, j.anomaly));
        console.log(
          `   again ${x.detector} ${x.subject} ${iso(x.at)} onset ${x.onset}` +
            (first ? ` (${first.anomaly.id}, told as ${first.alert!.detector} ${iso(first.alert!.at)})` : ''),
        );
      }
      for (const x of r.covered) console.log(`   touched by the team jump: ${x.detector} ${x.subject} ${iso(x.at)}`);
    }
  }
  console.log(
    '\nkind            judged  found by the end of the day $20 came  found  hours from $20: median / worst   ' +
      'from the first call: median / worst',
  );
  const kinds = [...new Set(all.map((j) => j.anomaly.kind))].sort();
  for (const kind of kinds) {
    const js = all.filter((j) => j.anomaly.kind === kind && j.due);
    const found = js.filter((j) => j.alert);
    const sameDay = found.filter((j) => toDay(j.alert!.at - 1) <= toDay(j.floorAt!));
    const fromFloor = found.map((j) => hours(j.floorAt, j.alert!.at)!);
    const fromStart = found.map((j) => hours(j.firstCallAt, j.alert!.at)!);
    console.log(
      `${kind.padEnd(15)} ${String(js.length).padStart(6)}  ${String(sameDay.length).padStart(36)}  ${String(found.length).padStart(5)}  ` +
        `${fmtH(median(fromFloor)).padStart(14)} / ${fmtH(fromFloor.length ? Math.max(...fromFloor) : null).padEnd(9)}` +
        `${fmtH(median(fromStart)).padStart(22)} / ${fmtH(fromStart.length ? Math.max(...fromStart) : null)}`,
    );
  }
  console.log(
    `false alerts: ${falseCount} (${((100 * falseCount) / devWeeks).toFixed(2)} per 100 developers a week); ` +
      `incidents about an anomaly already told: ${repeatCount}; ` +
      `anomalies whose extra never reached $20: ${all.filter((j) => j.floorAt === null).length}, reached it within ` +
      `${DUE_DAYS} days of the end (not judged): ${all.filter((j) => j.floorAt !== null && !j.due).length}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
