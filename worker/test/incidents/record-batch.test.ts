import { addDays, daysBetween } from '@cursor-cost-watch/contract';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import {
  acknowledgeIncident,
  createSnooze,
  IncidentTransitionError,
  markIncidentsAlerted,
  recordDetections,
  reopenIncident,
  resolveIncident,
  type HumanResolution,
} from '../../src/incidents';
import { storeAnomalies } from '../../src/jobs/detection-pass';
import { uniqueSorted } from '../../src/incidents/record-input';
import type { Severity } from '@cursor-cost-watch/contract';
import type { Anomaly } from '../../src/detection/types';
import { recordDetectionsOneByOne } from './record-reference';
import { anomaly, POLICY } from './fixtures';

/** A small deterministic generator (LCG), so the scenario is the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];
const SUBJECTS = Array.from({ length: 14 }, (_, i) => `dev${i}@example.com`);
const DETECTORS = ['personal_spike', 'sustained_drift', 'runaway_agent'] as const;

/**
 * A day's anomalies: a random third of the subjects and detectors, some twice (the larger impact wins); now and then
 * a developer's spike goes on as a drift or a runaway from the same onset, as detection renames a lasting spike and
 * an hourly pass reads a runaway.
 */
function anomaliesOf(
  day: string,
  rnd: () => number,
  spikes: Map<string, string>,
  runaways: Map<string, string>,
): Anomaly[] {
  const out: Anomaly[] = [];
  for (const subject of SUBJECTS) {
    // Now and then a spike reading of a developer's runaway (an hourly pass early in its day): the same episode.
    // (Only onsets up to the day: a replay of an older day comes after later passes; recordDetections refuses the rest.)
    const runawayOnset = runaways.get(subject);
    if (runawayOnset !== undefined && runawayOnset.slice(0, 10) <= day && rnd() < 0.2) {
      out.push(anomaly({ asOf: day, subject, detector: 'personal_spike', onsetAt: runawayOnset }));
      continue;
    }
    const spikeOnset = spikes.get(subject);
    if (spikeOnset !== undefined && spikeOnset.slice(0, 10) <= day && rnd() < 0.3) {
      const detector = rnd() < 0.5 ? 'sustained_drift' : 'runaway_agent';
      // Half the time from a later onset, up to a week after the spike's (episodes.ts continuesSpike): the rise's
      // change point past the spike, within the window that joins them or beyond it.
      const later = rnd() < 0.5 ? addDays(spikeOnset.slice(0, 10), 1 + Math.floor(rnd() * 7)) : undefined;
      const onsetAt = later !== undefined && later <= day ? `${later}T00:00:00.000Z` : spikeOnset;
      out.push(anomaly({ asOf: day, subject, detector, onsetAt }));
      continue;
    }
    for (const detector of DETECTORS) {
      if (rnd() > 0.35) continue;
      const copies = rnd() < 0.1 ? 2 : 1;
      for (let c = 0; c < copies; c++)
        out.push(
          anomaly({
            asOf: day,
            subject,
            detector,
            severity: SEVERITIES[Math.floor(rnd() * 3)],
            // Now and then an onset a week or two back: an excess that came back after its incident resolved itself.
            onsetAt: `${addDays(day, -Math.floor(rnd() < 0.15 ? rnd() * 14 : rnd() * 3))}T00:00:00.000Z`,
            observed: Math.round(rnd() * 20000),
            impactCents: Math.round(rnd() * 30000) / 100,
            summary: `${subject} on ${day}`,
          }),
        );
    }
  }
  for (const a of out) if (a.detector === 'personal_spike') spikes.set(a.subject, a.onsetAt);
  for (const a of out) if (a.detector === 'runaway_agent') runaways.set(a.subject, a.onsetAt);
  // The team: a few days on, a few quiet (its incident resolves itself), mostly the same episode (Nov 10) coming back;
  // in its third week, after a quiet week, read from a later day (a lasting jump its developers took in: it comes back
  // too).
  const sinceFirst = daysBetween('2026-11-10', day);
  const teamOn = sinceFirst % 7 < 3;
  if (rnd() < (teamOn ? 0.9 : sinceFirst < 10 ? 0.1 : 0)) {
    const usual = sinceFirst >= 14 ? addDays(day, -3) : '2026-11-10';
    out.push(
      anomaly({
        asOf: day,
        scope: 'team',
        subject: 'team',
        detector: 'team_shift',
        onsetAt: `${rnd() < 0.95 ? usual : addDays(day, -1)}T00:00:00.000Z`,
      }),
    );
  }
  return out;
}

const tables = async (t: TestDb) => ({
  incidents: await t.db.selectFrom('incidents').selectAll().orderBy('id').execute(),
  events: await t.db.selectFrom('incident_events').selectAll().orderBy('id').execute(),
  links: await t.db
    .selectFrom('anomalies')
    .select(['as_of', 'scope', 'subject', 'detector', 'incident_id'])
    .orderBy('id')
    .execute(),
});

describe('recordDetections, set-based', () => {
  let batched: TestDb;
  let oneByOne: TestDb;
  beforeEach(async () => {
    [batched, oneByOne] = await Promise.all([createTestDb('incb'), createTestDb('inco')]);
  });
  afterEach(async () => Promise.all([dropTestDb(batched), dropTestDb(oneByOne)]));

  it('writes the same incidents, timeline and links, with the same ids, as recording one anomaly at a time', async () => {
    const rnd = random(13);
    const both = async (f: (t: TestDb) => Promise<unknown>) => [await f(batched), await f(oneByOne)];
    let passes = 0;
    const spikes = new Map<string, string>(); // each developer's last spike onset
    const runaways = new Map<string, string>(); // and runaway onset
    const seen = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const day = addDays('2026-11-10', i);
      // Most days one pass, some an hourly re-run, some also a replay of an older day (stale for some incidents).
      const runs = [day, ...(rnd() < 0.4 ? [day] : []), ...(i > 3 && rnd() < 0.3 ? [addDays(day, -2)] : [])];
      for (const [r, asOf] of runs.entries()) {
        const found = anomaliesOf(asOf, rnd, spikes, runaways);
        const now = new Date(`${day}T${String(8 + r).padStart(2, '0')}:15:00.000Z`);
        const input = { asOf, anomalies: found, evaluatedAt: now, settings: POLICY };
        // The pass stores one row per subject and detector (detection reports each once); the duplicates test the record.
        await both((t) => storeAnomalies(t.db, uniqueSorted(found), now));
        const [a, b] = [await recordDetections(batched.db, input), await recordDetectionsOneByOne(oneByOne.db, input)];
        expect(a).toEqual(b);
        passes++;
        for (const k of ['opened', 'updated', 'escalated', 'autoResolved', 'reopened', 'renamed'] as const)
          if (a[k].length) seen.add(k);
        if (a.snoozed) seen.add('snoozed');
        if (a.suppressed) seen.add('suppressed');
      }
      // People act between passes, the same way on both databases.
      const open = await batched.db.selectFrom('incidents').select(['id', 'status', 'scope']).orderBy('id').execute();
      const at = new Date(`${day}T20:00:00.000Z`);
      for (const inc of open) {
        // The team's incident is left to the system, so that it resolves itself and comes back from a later onset.
        if (inc.scope === 'team') continue;
        const roll = rnd();
        if (inc.status === 'resolved') {
          // Refused while a newer episode is open: then on both databases.
          if (roll < 0.1) {
            const refused = (e: unknown) => (e instanceof IncidentTransitionError ? 'refused' : Promise.reject(e));
            const [x, y] = await both((t) =>
              reopenIncident(t.db, inc.id, 'lead', 'not over', at).then(() => 'ok', refused),
            );
            expect(x).toBe(y);
          }
        } else if (roll < 0.12) {
          const reason = (['fixed', 'expected', 'false_positive'] as HumanResolution[])[Math.floor(rnd() * 3)];
          await both((t) => resolveIncident(t.db, inc.id, { reason }, 'lead', at));
        } else if (roll < 0.2 && inc.status !== 'acknowledged') {
          await both((t) => acknowledgeIncident(t.db, inc.id, 'lead', undefined, at));
        } else if (roll < 0.4 && inc.status === 'open') {
          await both((t) => t.db.transaction().execute((tx) => markIncidentsAlerted(tx, [inc.id], 'slack', 1, at)));
        }
      }
      if (i === 5) {
        const until = `${addDays(day, 4)}T00:00:00.000Z`;
        for (const subject of SUBJECTS.slice(0, 4))
          await both((t) => createSnooze(t.db, { scope: 'user', subject, until, reason: 'offsite' }, 'lead', at));
      }
    }
    // The scenario exercised every path (or this comparison would prove less than it says).
    expect([...seen].sort()).toEqual(
      ['autoResolved', 'escalated', 'opened', 'renamed', 'reopened', 'snoozed', 'suppressed', 'updated'].sort(),
    );
    expect(passes).toBeGreaterThan(16);
    const [x, y] = [await tables(batched), await tables(oneByOne)];
    expect(x.incidents.length).toBeGreaterThan(10);
    expect(x.events.map((e) => e.action)).toEqual(expect.arrayContaining(['onset_moved', 'auto_resolved']));
    // A team incident came back, and a spike and a runaway of one onset were one incident.
    const teamIds = new Set(x.incidents.filter((r) => r.scope === 'team').map((r) => r.id));
    expect(x.events.some((e) => e.action === 'reopened' && teamIds.has(e.incident_id))).toBe(true);
    // ... once from a later onset than its own (Nov 10).
    const cameBack = x.events.filter((e) => e.action === 'reopened' && teamIds.has(e.incident_id));
    expect(cameBack.some((e) => (e.details as { onset?: string }).onset?.startsWith('2026-11-2'))).toBe(true);
    expect(
      x.events.some(
        (e) => e.action === 'reclassified' && (e.details as { toDetector?: string }).toDetector === 'runaway_agent',
      ),
    ).toBe(true);
    // ... and a spike renamed for a rise read from a later onset, the incident keeping the spike's.
    const onsetOf = new Map(x.incidents.map((r) => [r.id, (r.onset_at as Date).toISOString()]));
    expect(
      x.events.some(
        (e) => e.action === 'reclassified' && (e.details as { onset?: string }).onset! > onsetOf.get(e.incident_id)!,
      ),
    ).toBe(true);
    expect(x).toEqual(y);
  });

  it('agrees with one anomaly at a time on a spike renamed, read again, come back and replayed', async () => {
    const both = async (f: (t: TestDb) => Promise<unknown>) => [await f(batched), await f(oneByOne)];
    const at = (subject: string, detector: Anomaly['detector'], asOf: string, onsetDay: string) =>
      anomaly({
        asOf,
        subject,
        detector,
        onsetAt: `${onsetDay}T00:00:00.000Z`,
        summary: `${subject} ${detector} ${asOf}`,
      });
    const [ana, bo, cy, dan] = ['ana@example.com', 'bo@example.com', 'cy@example.com', 'dan@example.com'];
    const eve = 'eve@example.com';
    // (day, anomalies): ana's spike renamed, read as a spike again, replayed; bo's spike over idle days, renamed on
    // its return, then a replay; cy's spike judged by a person, then its rise; dan's spike read as two rises at once;
    // eve's spike judged by a person once its rise from a later day had begun, then that rise.
    const script: [string, Anomaly[]][] = [
      [
        '2026-11-10',
        [at(ana, 'personal_spike', '2026-11-10', '2026-11-10'), at(bo, 'personal_spike', '2026-11-10', '2026-11-10')],
      ],
      [
        '2026-11-11',
        [at(ana, 'personal_spike', '2026-11-11', '2026-11-10'), at(cy, 'personal_spike', '2026-11-11', '2026-11-11')],
      ],
      [
        '2026-11-12',
        [
          at(ana, 'model_shift', '2026-11-12', '2026-11-10'),
          at(dan, 'personal_spike', '2026-11-12', '2026-11-12'),
          at(eve, 'personal_spike', '2026-11-12', '2026-11-12'),
        ],
      ],
      ['2026-11-12', [at(ana, 'personal_spike', '2026-11-12', '2026-11-10')]],
      [
        '2026-11-13',
        [
          at(ana, 'model_shift', '2026-11-13', '2026-11-10'),
          at(cy, 'sustained_drift', '2026-11-13', '2026-11-11'),
          at(dan, 'model_shift', '2026-11-13', '2026-11-12'),
          at(dan, 'sustained_drift', '2026-11-13', '2026-11-12'),
        ],
      ],
      ['2026-11-11', [at(ana, 'personal_spike', '2026-11-11', '2026-11-10')]],
      [
        '2026-11-14',
        [at(bo, 'model_shift', '2026-11-14', '2026-11-10'), at(eve, 'model_shift', '2026-11-14', '2026-11-13')],
      ],
      [
        '2026-11-15',
        [at(bo, 'sustained_drift', '2026-11-15', '2026-11-10'), at(bo, 'model_shift', '2026-11-15', '2026-11-10')],
      ],
      ['2026-11-19', []],
      ['2026-11-20', []],
      ['2026-11-21', []],
      [
        '2026-11-20',
        [at(bo, 'personal_spike', '2026-11-20', '2026-11-10'), at(ana, 'model_shift', '2026-11-20', '2026-11-10')],
      ],
    ];
    for (const [n, [asOf, found]] of script.entries()) {
      const now = new Date(`${asOf}T${String(8 + (n % 10)).padStart(2, '0')}:15:00.000Z`);
      const input = { asOf, anomalies: found, evaluatedAt: now, settings: POLICY };
      await both((t) => storeAnomalies(t.db, uniqueSorted(found), now));
      expect(await recordDetections(batched.db, input)).toEqual(await recordDetectionsOneByOne(oneByOne.db, input));
      if (asOf === '2026-11-11' && n === 1) {
        const [cyIncident] = await batched.db.selectFrom('incidents').select('id').where('subject', '=', cy).execute();
        await both((t) => resolveIncident(t.db, cyIncident.id, { reason: 'expected' }, 'lead', now));
      }
      if (asOf === '2026-11-13') {
        const [eveIncident] = await batched.db
          .selectFrom('incidents')
          .select('id')
          .where('subject', '=', eve)
          .execute();
        await both((t) => resolveIncident(t.db, eveIncident.id, { reason: 'expected' }, 'lead', now));
      }
    }
    const [x, y] = [await tables(batched), await tables(oneByOne)];
    // The paths this script is for were taken.
    expect(x.events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['reclassified', 'reopened', 'auto_resolved']),
    );
    expect(x.incidents.filter((r) => r.subject === eve)).toMatchObject([
      { detector: 'personal_spike', status: 'resolved' },
    ]);
    expect(x.links.filter((l) => l.subject === eve && l.detector === 'model_shift')).toMatchObject([
      { incident_id: null },
    ]);
    expect(x).toEqual(y);
  });
});
