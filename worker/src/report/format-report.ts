import { formatCents } from '@cursor-cost-watch/contract';
import { detectorPhrase } from '../detection/report';
import { PLUGIN_ID } from '../notify/message';
import type { RunReport } from './run-report';

const ENDPOINT_NAMES: Record<string, string> = {
  members: 'members',
  billing_groups: 'groups',
  spend: 'spend rows',
  daily_usage: 'daily rows',
  usage_events: 'events',
  usage_events_restate: 'restated events',
  audit_logs: 'audit events',
  analytics: 'analytics rows',
};
const n = (x: number) => x.toLocaleString('en-US');
const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const day = (iso: string) => iso.slice(0, 10);
const LABEL = 12;
const row = (label: string, text: string) => `${label.padEnd(LABEL)}${text}`;
const more = (text: string) => `${' '.repeat(LABEL)}${text}`;

/** "3d 4h" / "5h" / "20m" since the onset, as the incident list's "since" column. */
function since(onsetIso: string, nowIso: string): string {
  const mins = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(onsetIso)) / 60_000));
  const d = Math.floor(mins / 1440);
  const h = Math.floor((mins % 1440) / 60);
  if (d > 0) return `${d}d ${h}h`;
  return h > 0 ? `${h}h` : `${mins}m`;
}

/**
 * The summary block people read after a backfill or a collection: what was collected, the cycle's spend and
 * forecast, the open incidents one per line, and where to look next. Plain text, no colours (it also goes to files).
 */
export function formatRunReport(r: RunReport): string {
  const what =
    r.trigger === 'backfill' ? 'first backfill' : r.trigger === 'restate' ? 'restating collection' : 'collection';
  const title = `── Cursor Cost Watch · ${what} done · ${minute(r.at)} UTC `;
  const lines = [title.padEnd(100, '─')];

  const ev = r.events;
  const window = ev.windowStart && ev.windowEnd ? ` from ${minute(ev.windowStart)} to ${minute(ev.windowEnd)} UTC` : '';
  lines.push(
    row(
      'Collected',
      `${n(ev.fetched)} usage events (${n(ev.new)} new, ${n(ev.alreadyStored)} already stored)${window}`,
    ),
  );
  const others = r.collected.filter((c) => c.endpoint !== 'usage_events' && c.status !== 'failed');
  if (others.length)
    lines.push(more(others.map((c) => `${ENDPOINT_NAMES[c.endpoint] ?? c.endpoint} ${n(c.rows)}`).join(' · ')));
  for (const f of r.collected.filter((c) => c.status === 'failed'))
    lines.push(
      more(`FAILED ${ENDPOINT_NAMES[f.endpoint] ?? f.endpoint}: ${f.error ?? 'unknown error'} (the next run retries)`),
    );

  const c = r.cycle;
  const budget =
    c.budgetCents === null
      ? ' (no budget set: Settings → Budget)'
      : ` (${Math.round((100 * c.forecastCents) / c.budgetCents)}% of the ${formatCents(c.budgetCents)} budget)`;
  lines.push(
    row(
      'Cycle',
      `${formatCents(c.spentCents)} spent since ${day(c.start)} · ${formatCents(c.paceCentsPerDay)}/day over the last 7 days`,
    ),
  );
  lines.push(more(`forecast ${formatCents(c.forecastCents)} by ${day(c.end)}${budget}`));

  const open = r.openIncidents;
  if (open.total === 0) lines.push(row('Incidents', 'none open'));
  else {
    lines.push(
      row(
        'Incidents',
        `${n(open.total)} open${open.total > open.shown.length ? `, the ${open.shown.length} largest:` : ':'}`,
      ),
    );
    const who = Math.min(40, Math.max(...open.shown.map((i) => i.subject.length)));
    for (const i of open.shown) {
      const subject = i.subject.length > who ? `${i.subject.slice(0, who - 1)}…` : i.subject.padEnd(who);
      lines.push(
        more(
          `${i.severity.padEnd(8)} ${subject}  ${formatCents(i.impactCents).padStart(9)}  since ${day(i.onsetAt)} (${since(i.onsetAt, r.at)})  ${detectorPhrase(i.detector)}  #${i.id}`,
        ),
      );
    }
  }

  lines.push(row('Next', `${r.next.api}/api/incidents (the worker API: incidents, users, settings)`));
  lines.push(
    more(
      r.next.grafanaConfigured
        ? `Grafana: ${r.next.grafana}/a/${PLUGIN_ID}/incidents`
        : `Grafana with dashboards and the app: ${r.next.compose}, then ${r.next.grafana}`,
    ),
  );
  return lines.join('\n');
}
