/**
 * npm run bench:team-impact [-- T1-steady H3-weekend …] [--verbose]: how close a team incident's impact comes to what a
 * team jump's price really cost, day by day. Each team (all of bench:detect's, or those named) is replayed as
 * bench:detect replays it. A day's team anomaly lands in a team incident: the one open (as the replay's episodes hold
 * it), with its onset kept when the pass reads a later one (keepsOnset), or a new one (a step's, or from its onset).
 * That incident is about the latest labelled team jump whose span holds its onset (from a week before the jump's start
 * to its end), and the jumps that began after it; a step's, about that latest one only. The impact told is set against
 * what those jumps' prices alone added from the incident's onset to that day (TruthAnomaly.dailyExtraCents), once that
 * reaches $20. Each jump's extra is its own price's on a day that may carry another's too: where two overlap, their sum
 * is their joint extra and their cross term again (9% more for two ×1.2). Prints the ratio told/true by how the pass
 * read the team (its own reading of the episode, or held against before the onset: why.heldUp), by days since the onset
 * and by set (every held-out set, or the rest); and the days a team incident was told an impact more than 10% below the
 * one it was told before (--verbose: each of them). An incident whose onset moves to a pass's later one (not kept) is
 * counted as a new one from then: a fall it is told then is not among those days.
 */
import { addDays, daysBetween } from '@cursor-cost-watch/contract';
import { detect } from '../src/detection';
import { keepsOnset, type Detection } from '../src/detection/episodes';
import { DEFAULT_SETTINGS } from '../src/settings';
import { inputWithIncidents, MIN_CENTS, toDetection } from './evaluation/replay';
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario } from './scenarios/team';

const DROP = 0.9;
const verbose = process.argv.includes('--verbose');
const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const n of names)
  if (!SCENARIOS.some((s) => s.name === n)) throw new Error(`no team ${n}: ${SCENARIOS.map((s) => s.name).join(', ')}`);

const OWN = "the pass's own reading";
const HELD = 'held against before the onset';
const SINCE = ['0-2 days after the onset', '3-6 days after the onset', '7+ days after'];
const ratios = new Map<string, number[]>(
  [OWN, HELD, ...SINCE, 'held-out teams', 'other teams', 'all'].map((key) => [key, []]),
);
const add = (key: string, r: number) => ratios.get(key)!.push(r);
let steps = 0;
let drops = 0;
// Team incidents' first reports (a new one's, a step's, or one from a later onset not kept: the bench's incidents),
// and those that told under $1 / under the smallest impact worth a report.
const firsts = { all: 0, zero: 0, under: 0 };
const minImpact = DEFAULT_SETTINGS.minImpactDollars * 100;
for (const shape of SCENARIOS) {
  if (names.length > 0 && !names.includes(shape.name)) continue;
  const sc = generateScenario(shape);
  const jumps = sc.truth.filter((t) => t.kind === 'team_jump').sort((a, b) => (a.startDay < b.startDay ? 1 : -1));
  const found: Detection[] = [];
  // The impact last told of each team incident (by the onset it keeps: the one open, or a new one's or a step's own).
  const told = new Map<string, { day: string; impact: number; held: boolean }>();
  for (let day = addDays(sc.firstDay, shape.replayFrom); day <= shape.lastDay; day = addDays(day, 1)) {
    const input = inputWithIncidents(sc, day, found, DEFAULT_SETTINGS);
    const anomalies = detect(input, DEFAULT_SETTINGS);
    for (const a of anomalies) found.push(toDetection(a, day));
    const team = anomalies.find((a) => a.scope === 'team');
    if (!team) continue;
    const onset = team.onsetAt.slice(0, 10);
    const held = team.why.heldUp !== undefined;
    // The incident it lands in: the one open (keeping its onset when the pass reads a later one, keepsOnset), or a
    // new one (a step's, or one from this onset).
    const open = team.why.stepAfter === undefined ? input.openTeamOnset : undefined;
    const incident = open !== undefined && (open === onset || keepsOnset('team', open, onset, team.why)) ? open : onset;
    const last = told.get(incident);
    if (!last) {
      firsts.all++;
      if (team.impactCents < 100) firsts.zero++;
      if (team.impactCents < minImpact) firsts.under++;
      if (verbose && team.impactCents < minImpact)
        console.log(
          `  ${shape.name} incident from ${incident}: first told $${(team.impactCents / 100).toFixed(2)} on ${day}` +
            `${held ? ' (held)' : ''}`,
        );
    }
    if (last) {
      steps++;
      if (team.impactCents < last.impact * DROP) {
        drops++;
        if (verbose)
          console.log(
            `  ${shape.name} incident from ${incident}: ${last.day} $${Math.round(last.impact / 100)}` +
              `${last.held ? ' (held)' : ''} → ${day} $${Math.round(team.impactCents / 100)}${held ? ' (held)' : ''}` +
              ` onset ${onset}`,
          );
      }
    }
    told.set(incident, { day, impact: team.impactCents, held });
    // The jumps it is about: the latest whose span holds its onset (from a week before the jump's start), and those
    // that began after that one (taken in without a step); a step's, the latest only (its impact is over the level
    // the earlier one settled at). Their prices' extra since its onset, summed.
    const latest = jumps.find((j) => j.startDay <= day && incident <= j.endDay && incident >= addDays(j.startDay, -7));
    if (!latest) continue;
    const about = team.why.stepAfter === undefined ? jumps.filter((j) => j.startDay >= latest.startDay) : [latest];
    let truth = 0;
    for (const jump of about)
      for (const [d, cents] of Object.entries(jump.dailyExtraCents ?? {}))
        if (d >= incident && d <= day) truth += cents;
    if (truth < MIN_CENTS) continue;
    const since = daysBetween(incident, day);
    const ratio = team.impactCents / truth;
    add(held ? HELD : OWN, ratio);
    add(SINCE[since <= 2 ? 0 : since <= 6 ? 1 : 2], ratio);
    add(shape.set.endsWith('held-out') ? 'held-out teams' : 'other teams', ratio);
    add('all', ratio);
  }
}

const at = (sorted: number[], p: number) => sorted[Math.floor(p * (sorted.length - 1))].toFixed(2);
console.log(
  "team incident impact told / its jump's true extra since the incident's onset, on days a team anomaly is about one:",
);
for (const [key, xs] of ratios) {
  if (xs.length === 0) continue;
  const s = [...xs].sort((a, b) => a - b);
  console.log(
    `  ${key.padEnd(30)} days ${String(s.length).padStart(4)}  p10 ${at(s, 0.1)}  p25 ${at(s, 0.25)}  ` +
      `median ${at(s, 0.5)}  p75 ${at(s, 0.75)}  p90 ${at(s, 0.9)}`,
  );
}
console.log(
  `days a team incident was told an impact more than 10% below the one told before: ${drops} of ${steps}` +
    (verbose ? '' : ' (--verbose lists them)'),
);
console.log(
  `team incidents (new, a step's, or from a later onset not kept): ${firsts.all}; first told under $1: ${firsts.zero}; ` +
    `under $${DEFAULT_SETTINGS.minImpactDollars}: ${firsts.under}`,
);
