import { formatCents } from '@cursor-cost-watch/contract';
import type { EmailPayload } from '../notify/email';
import { detectorLabel } from '../notify/format';
import type { NudgeEvidence } from './evidence-math';

export interface NudgeMessageInput {
  nudgeKey: string;
  incidentId: number;
  detector: string;
  impactCents: number;
  evidence: NudgeEvidence;
  /** When the team channels hear about it if the spend is still up. */
  escalateAt: Date;
  escalateAfterDays: number;
  links: { incident: string; userDashboard: string | null };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (x: number) => `${Math.round(x * 100)}%`;
const money = (cents: number | null) => (cents === null ? 'no history' : formatCents(cents));
const longDay = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
const factor = (a: number, b: number | null) => (b && b > 0 ? ` (${(a / b).toFixed(1)}×)` : '');

/** One table's rows, the same in the text and the HTML part. */
interface Table {
  title: string;
  head: string[];
  rows: string[][];
  empty: string;
}

function tables(m: NudgeMessageInput): Table[] {
  const e = m.evidence;
  const models = [...new Set([...e.modelsAfter, ...e.modelsBefore].map((x) => x.model))].slice(0, 8);
  const shareOf = (rows: typeof e.modelsAfter, model: string) => rows.find((r) => r.model === model)?.share ?? 0;
  return [
    {
      title: 'Your spend per working day',
      head: ['', 'per working day'],
      rows: [
        [
          `Since ${longDay(e.onsetDay)} (${e.workingDays} working day${e.workingDays === 1 ? '' : 's'})`,
          money(e.spendPerDayCents),
        ],
        [`Your usual (median of the ${e.baselineWorkingDays} working days before)`, money(e.usualPerDayCents)],
        [`The team's median (${e.teamMembers} other developers, same days)`, money(e.teamMedianPerDayCents)],
      ],
      empty: '',
    },
    {
      title: 'Your model mix (share of your spend)',
      head: ['Model', 'Before', 'Since the onset'],
      rows: models.map((model) => [model, pct(shareOf(e.modelsBefore, model)), pct(shareOf(e.modelsAfter, model))]),
      empty: 'No model breakdown available.',
    },
    {
      title: 'Cost per request of the models you moved to',
      head: ['Model', 'You, since the onset', "The team's usual"],
      rows: e.movedTo.map((x) => [
        x.model,
        money(x.centsPerRequest),
        x.teamCentsPerRequest === null
          ? 'nobody else used it'
          : `${money(x.teamCentsPerRequest)}${factor(x.centsPerRequest, x.teamCentsPerRequest)}`,
      ]),
      empty: 'Your model mix did not move: the extra spend comes from more or larger requests.',
    },
  ];
}

function headline(m: NudgeMessageInput): string {
  const e = m.evidence;
  const times =
    e.usualPerDayCents && e.usualPerDayCents > 0
      ? `, ${(e.spendPerDayCents / e.usualPerDayCents).toFixed(1)}× your usual`
      : '';
  return `Your Cursor spend has been ${money(e.spendPerDayCents)} per working day since ${longDay(e.onsetDay)}${times}: your usual is ${money(e.usualPerDayCents)}, the team's median ${money(e.teamMedianPerDayCents)}.`;
}

function maxModeLine(m: NudgeMessageInput): string {
  const x = m.evidence.maxMode;
  return x.cents > 0
    ? `Max mode cost you ${formatCents(x.cents)} since the onset (${pct(x.share)} of your spend, ${x.requests.toLocaleString('en-US')} requests).`
    : 'You did not use max mode since the onset.';
}

function closing(m: NudgeMessageInput): string[] {
  const when = m.escalateAt.toISOString().slice(0, 16).replace('T', ' ');
  return [
    `This note goes only to you. If your spend is back to usual, nothing else happens and the incident closes as "fixed after nudge". If it is still up on ${when} UTC (${m.escalateAfterDays} day${m.escalateAfterDays === 1 ? '' : 's'} from now), the team's cost channel hears about it (incident #${m.incidentId}).`,
    'If this is planned work, tell your lead; they can mark it expected. To stop these notes, ask a Grafana Editor to turn off "Personal nudges" on your Users page.',
  ];
}

function textPart(m: NudgeMessageInput): string {
  const lines = [
    headline(m),
    '',
    `Extra spend since the onset: ${formatCents(m.impactCents)} (${detectorLabel(m.detector)}).`,
    '',
  ];
  for (const t of tables(m)) {
    lines.push(t.title);
    if (t.rows.length === 0) lines.push(`  ${t.empty}`);
    for (const r of t.rows) lines.push(`  ${r.filter(Boolean).join(' · ')}`);
    lines.push('');
  }
  lines.push(maxModeLine(m), '', ...closing(m), '');
  if (m.links.userDashboard) lines.push(`Your dashboard: ${m.links.userDashboard}`);
  lines.push(`The incident: ${m.links.incident}`);
  return lines.join('\n');
}

function htmlTable(t: Table): string {
  if (t.rows.length === 0) return `<h3 style="font-size:15px">${esc(t.title)}</h3><p>${esc(t.empty)}</p>`;
  const cell = (tag: string, v: string, i: number) =>
    `<${tag} align="${i === 0 ? 'left' : 'right'}" style="padding:3px 12px 3px 0;border-bottom:1px solid #ddd">${esc(v)}</${tag}>`;
  const head = t.head.some(Boolean) ? `<tr>${t.head.map((h, i) => cell('th', h, i)).join('')}</tr>` : '';
  const rows = t.rows.map((r) => `<tr>${r.map((v, i) => cell('td', v, i)).join('')}</tr>`).join('');
  return `<h3 style="font-size:15px">${esc(t.title)}</h3><table style="border-collapse:collapse;font-size:14px">${head}${rows}</table>`;
}

function htmlPart(m: NudgeMessageInput): string {
  const links = [
    m.links.userDashboard ? `<a href="${esc(m.links.userDashboard)}">Your dashboard</a>` : '',
    `<a href="${esc(m.links.incident)}">The incident (#${m.incidentId})</a>`,
  ]
    .filter(Boolean)
    .join(' · ');
  return `<!doctype html><html><body style="font-family:sans-serif;max-width:640px">
<p><strong>${esc(headline(m))}</strong></p>
<p>Extra spend since the onset: <strong>${esc(formatCents(m.impactCents))}</strong> (${esc(detectorLabel(m.detector))}).</p>
${tables(m).map(htmlTable).join('\n')}
<p>${esc(maxModeLine(m))}</p>
${closing(m)
  .map((p) => `<p style="color:#555">${esc(p)}</p>`)
  .join('\n')}
<p>${links}</p></body></html>`;
}

/** The personal email: plain, readable HTML and a text part with the same facts; every amount via formatCents. */
export function renderNudgeEmail(m: NudgeMessageInput): EmailPayload {
  const e = m.evidence;
  return {
    subject: `Your Cursor spend is up since ${longDay(e.onsetDay)}: ${money(e.spendPerDayCents)} a day${e.usualPerDayCents === null ? '' : ` vs your usual ${money(e.usualPerDayCents)}`}`,
    text: textPart(m),
    html: htmlPart(m),
    messageId: `<${m.nudgeKey.replace(/[^A-Za-z0-9.@_-]/g, '.')}@cursor-cost-watch>`,
  };
}
