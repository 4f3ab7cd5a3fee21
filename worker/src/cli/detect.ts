import { parseArgs } from 'node:util';
import { formatCents, isDay } from '@cursor-cost-watch/contract';
import { firstUsageDay } from '../db/repositories/detection-days';
import { historyDays } from '../detection';
import { runDetectionPass, type DetectionPassSummary } from '../jobs/detection-pass';
import { getSettings } from '../settings';
import { deliverNotification, SENT_UNRECORDED } from '../notify';
import { withRuntime } from './bootstrap';
import { noUsageWarning } from './no-usage';

/**
 * `npm run detect [-- --as-of YYYY-MM-DD] [--json]`: one detection pass (only data up to asOf), incidents updated,
 * notifications queued and sent once right away (what fails stays queued for the worker's retries); prints a summary,
 * or with --json one JSON object per anomaly.
 */
const USAGE = 'usage: npm run detect -- [--as-of YYYY-MM-DD] [--json]';

function parse(): { asOf?: string; json: boolean } {
  const { values } = parseArgs({
    options: {
      'as-of': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const asOf = values['as-of'];
  if (asOf !== undefined && !isDay(asOf)) throw new Error(`--as-of "${asOf}" must be a day as YYYY-MM-DD\n${USAGE}`);
  return { asOf, json: values.json };
}

const dollars = formatCents;

function printSummary(s: DetectionPassSummary, sent: number, failed: number): void {
  const i = s.incidents;
  console.log(
    `detection as of ${s.asOf}${s.partialDay ? ' (today so far)' : ''}: ${s.users} users, ${s.anomalies.length} anomalies` +
      (s.anomalies.length
        ? ` (${Object.entries(s.byDetector)
            .map(([d, n]) => `${d} ${n}`)
            .join(', ')})`
        : '') +
      `; incidents: ${i.opened.length} opened, ${i.updated.length} updated, ${i.escalated.length} escalated, ${i.reopened.length} reopened, ${i.renamed.length} renamed, ${i.autoResolved.length} auto-resolved, ${i.snoozed} snoozed` +
      `; notifications: ${s.queued.length} queued, ${sent} sent, ${failed} left for retry; ${s.durationMs} ms`,
  );
  for (const a of s.anomalies)
    console.log(
      `  [${a.severity}] ${a.summary}${a.incidentId ? ` (incident #${a.incidentId})` : ''} — ${dollars(a.impactCents)}`,
    );
}

let options: { asOf?: string; json: boolean };
try {
  options = parse();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}

void withRuntime(
  async ({ db, boss, config, log }) => {
    const summary = await runDetectionPass({ db, boss, config, log }, { asOf: options.asOf });
    if (summary.users === 0) {
      const days = historyDays(await getSettings(db));
      const first = await firstUsageDay(db);
      log.warn(
        { asOf: summary.asOf, days, firstUsageDay: first },
        noUsageWarning(first, summary.asOf, 'detect', days)!,
      );
    }
    let sent = 0;
    let failed = 0;
    for (const q of summary.queued) {
      try {
        const outcome = await deliverNotification(db, config, q.notificationId);
        if (outcome === SENT_UNRECORDED)
          log.warn(
            { channel: q.channel },
            'notification sent, but marking its incidents alerted failed (see last_error)',
          );
        sent++;
      } catch (err) {
        failed++;
        log.warn(
          { channel: q.channel, err: err instanceof Error ? err.message : String(err) },
          'notification not delivered yet: left queued for retry',
        );
      }
    }
    if (options.json) {
      for (const a of summary.anomalies) {
        console.log(
          JSON.stringify({
            user: a.subject,
            scope: a.scope,
            detector: a.detector,
            severity: a.severity,
            onset: a.onsetAt,
            observed: a.observed,
            expected: a.expected,
            unit: a.unit,
            impactCents: a.impactCents,
            incidentId: a.incidentId,
            summary: a.summary,
          }),
        );
      }
    } else printSummary(summary, sent, failed);
    return 0;
  },
  { boss: true, logToStderr: options.json }, // with --json, stdout carries only the JSON records
);
