/**
 * Debug: node --import tsx bench/false-alerts.ts tuning — every developer episode bench:detect scores on a set's teams
 * (tuning by default), true or FALSE, with what its developer looked like on its first alert as that day's pass saw
 * it: the span from the onset (calendar and active days), the excess, the span's spend as a multiple of expected,
 * today's / mean / median / largest z, days above elevatedZ, weekend days, the largest day's share of the excess,
 * the baseline's scale and own days, the expected spend a day, team shifts and the team's day factor from 3 days
 * before the onset, and the generated developer behind it (power / part-timer / light, usual spend, true log σ,
 * joined, leaver, days since a vacation). For studying false alerts on the tuning teams only: reading the held-out
 * teams' lists makes them no longer unseen.
 */
import { addDays, daysBetween } from '@cursor-cost-watch/contract';
import { detect } from '../src/detection';
import { toEpisodes, type Detection, type Episode } from '../src/detection/episodes';
import { DEFAULT_SETTINGS as S } from '../src/settings';
import { score } from './evaluation/score';
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario } from './scenarios/team';
import { inputWithIncidents, toDetection } from './evaluation/replay';
import { scanAsOf } from './support/scan-as-of';

const set = process.argv[2] ?? 'tuning';
const rows: string[] = [];
for (const shape of SCENARIOS.filter((s) => s.set === set)) {
  const sc = generateScenario(shape);
  const engine: Detection[] = [];
  const from = addDays(sc.firstDay, shape.replayFrom);
  for (let day = from; day <= shape.lastDay; day = addDays(day, 1)) {
    for (const a of detect(inputWithIncidents(sc, day, engine, S), S)) engine.push(toDetection(a, day));
  }
  const episodes = toEpisodes(engine, S.autoResolveAfterDays);
  const sco = score(episodes, sc.truth, {
    minCents: 2000,
    developers: shape.size,
    days: daysBetween(from, shape.lastDay) + 1,
    lastDay: shape.lastDay,
    dueDays: 3,
  });
  const fp = new Set<Episode>(sco.falsePositives);
  for (const ep of episodes) {
    if (ep.scope !== 'user') continue;
    const truthOf = sc.truth.find(
      (t) =>
        (t.email === ep.subject || (t.scope === 'team' && (t.emails ?? []).includes(ep.subject))) &&
        ep.firstDay >= t.startDay &&
        ep.firstDay <= addDays(t.endDay, 2),
    );
    const { series, result } = scanAsOf(sc, ep.firstDay);
    const t = series.asOfIdx;
    const u = result.users.find((x) => x.user.email === ep.subject)!;
    const b = u.baseline.at(t);
    const t0 = u.onset[t] >= 0 ? u.onset[t] : t;
    let obs = 0;
    let exp = 0;
    let act = 0;
    let zs = 0;
    let zmax = -9;
    let hi = 0;
    let we = 0;
    let peak = 0;
    for (let d = t0; d <= t; d++) {
      if (u.user.events[d] <= 0) continue;
      act++;
      obs += u.user.cents[d];
      exp += u.expected[d];
      if (!Number.isNaN(u.z[d])) {
        zs += u.z[d];
        zmax = Math.max(zmax, u.z[d]);
        if (u.z[d] >= S.elevatedZ) hi++;
      }
      if (series.dayClass[d]) we++;
      peak = Math.max(peak, u.user.cents[d] - u.expected[d]);
    }
    const zl: number[] = [];
    for (let d = t0; d <= t; d++) if (u.user.events[d] > 0 && !Number.isNaN(u.z[d])) zl.push(u.z[d]);
    zl.sort((a, b) => a - b);
    const zmed = zl.length ? zl[zl.length >> 1] : NaN;
    const above = zl.filter((z) => z > 0).length / Math.max(1, zl.length);
    let teamShift = 0;
    let teamFactor = 0;
    for (let d = Math.max(0, t0 - 3); d <= t; d++) {
      teamShift += result.team.shift[d];
      teamFactor = Math.max(teamFactor, result.team.factor[d]);
    }
    const dev = sc.devs!.find((x) => x.email === ep.subject)!;
    const kind =
      dev.base >= 1500 ? 'power' : dev.base < 200 && dev.weekdays === null ? 'light?' : dev.weekdays ? 'part' : 'norm';
    const firstIdx = daysBetween(sc.firstDay, ep.firstDay);
    const joinedAgo = firstIdx - dev.joined;
    // share of own history days since first active before t
    rows.push(
      [
        shape.name,
        fp.has(ep) ? 'FALSE' : 'true ',
        ep.detector.padEnd(15),
        (truthOf?.kind ?? '-').padEnd(12),
        ep.subject.split('.')[1].split('@')[0],
        ep.firstDay,
        `len ${daysBetween(ep.firstDay, ep.lastDay) + 1}`.padEnd(6),
        `span ${t - t0 + 1}`.padEnd(7),
        `act ${act}`.padEnd(6),
        `$${(u.impact[t] / 100).toFixed(0)}`.padStart(5),
        `x${(obs / Math.max(1, exp)).toFixed(2)}`,
        `zt ${u.z[t].toFixed(1)}`,
        `zmean ${(zs / Math.max(1, act)).toFixed(2)}`,
        `zmax ${zmax.toFixed(1)}`,
        `hi ${hi}`,
        `zmed ${zmed.toFixed(2)} above ${above.toFixed(2)}`,
        `we ${we}`,
        `peak% ${((100 * peak) / Math.max(1, u.impact[t])).toFixed(0)}`.padEnd(9),
        `scale ${b ? b.scale.toFixed(2) : '-'}`,
        `own ${b?.ownDays ?? '-'}`.padEnd(6),
        `bk ${b === null ? '-' : b.newUser ? 'new' : b.returning ? 'back' : b.sparse ? 'sparse' : 'own'}`,
        `exp/d $${(exp / Math.max(1, act) / 100).toFixed(2)}`,
        `tm ${teamShift}/${teamFactor.toFixed(2)}`,
        `dev ${kind} base$${(dev.base / 100).toFixed(1)} sig ${dev.sigma.toFixed(2)}${dev.joined ? ` joined-${joinedAgo}d` : ''}${dev.left !== null ? ' leaver' : ''}${dev.vacation ? ` vac${daysBetween(sc.firstDay, ep.firstDay) - dev.vacation[1]}` : ''}${dev.weekdays ? ' parttime' : ''}`,
      ].join(' '),
    );
  }
}
console.log(rows.join('\n'));
