/** Debug: node --import tsx bench/trace-user.ts T1-steady t1-steady.dev0096@example.org 2026-10-14 — one user's scan as of a day. */
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario } from './scenarios/team';
import { premiumShare } from '../src/detection/mix-habit';
import { scanAsOf } from './support/scan-as-of';

const [name, email, asOf] = process.argv.slice(2);
const sc = generateScenario(SCENARIOS.find((s) => s.name === name)!);
const { series, expensive, result: r } = scanAsOf(sc, asOf);
const u = r.users.find((x) => x.user.email === email)!;
console.log(sc.truth.filter((t) => t.emails?.includes(email) && t.scope === 'user'));
/** Share of day d's spend on expensive models, as a percentage ('  -' on a day without spend). */
const premium = (d: number) => {
  const share = premiumShare(u.user, d, expensive);
  return Number.isNaN(share) ? '   -' : `${(100 * share).toFixed(0).padStart(3)}%`;
};
for (let d = 0; d < series.days.length; d++) {
  const b = u.baseline.at(d);
  console.log(
    `${series.days[d]} ${series.dayClass[d] ? 'we' : '  '} cents ${u.user.cents[d].toFixed(0).padStart(6)} j ${u.judged.cents[d].toFixed(0).padStart(6)} exp ${u.expected[d].toFixed(0).padStart(6)} prem ${premium(d)} z ${u.z[d].toFixed(2).padStart(6)} scale ${b ? b.scale.toFixed(2) : '  - '} own ${b?.ownDays ?? '-'} fl ${u.flagged[d]} on ${u.onset[d] >= 0 ? series.days[u.onset[d]] : '-'} ${u.detector[d] ?? ''}`,
  );
}
