import { isDay } from '@cursor-cost-watch/contract';
import { parseArgs } from 'node:util';
import { firstUsageDay } from '../db/repositories/detection-days';
import { backtest, DETECTORS } from '../jobs/backtest';
import { withRuntime } from './bootstrap';
import { noUsageWarning } from './no-usage';

/**
 * `npm run backtest -- --days 30 [--end YYYY-MM-DD] [--json]`: replays the last N days one by one with the current
 * settings and prints how many incidents each detector would have opened. Nothing is written.
 */
const USAGE = 'usage: npm run backtest -- --days N [--end YYYY-MM-DD] [--json]';

function parse(): { days: number; end?: string; json: boolean } {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '30' },
      end: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 365)
    throw new Error(`--days "${values.days}" must be a whole number from 1 to 365\n${USAGE}`);
  if (values.end !== undefined && !isDay(values.end))
    throw new Error(`--end "${values.end}" must be a day as YYYY-MM-DD\n${USAGE}`);
  return { days, end: values.end, json: values.json };
}

let options: { days: number; end?: string; json: boolean };
try {
  options = parse();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}

void withRuntime(
  async ({ db, log }) => {
    const started = performance.now();
    const result = await backtest(db, { days: options.days, endDay: options.end });
    const first = await firstUsageDay(db);
    const warning = noUsageWarning(first, result.to, 'replay');
    if (warning) log.warn({ to: result.to, firstUsageDay: first }, warning);
    if (options.json) {
      console.log(JSON.stringify({ ...result, incidents: result.incidents }));
      return 0;
    }
    console.log(
      `backtest ${result.from} .. ${result.to} (${result.days} days, current settings): ${result.total} incidents would have opened`,
    );
    for (const d of DETECTORS) console.log(`  ${d.padEnd(16)} ${String(result.perDetector[d]).padStart(5)}`);
    for (const e of result.incidents)
      console.log(`    ${e.firstDay}..${e.lastDay}  ${e.detector.padEnd(16)} ${e.subject}`);
    console.log(`(${Math.round(performance.now() - started)} ms; nothing was written)`);
    return 0;
  },
  { logToStderr: options.json },
); // with --json, stdout carries only the JSON
