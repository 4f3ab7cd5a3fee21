import { parseArgs } from 'node:util';
import {
  createSimulatedTeam,
  DEFAULT_RATE_LIMITS,
  hexId,
  NUMERIC_FAULTS,
  startSimulatorServer,
  type Faults,
} from '@cursor-cost-watch/simulator';

/**
 * npm run simulate -- [--size N] [--seed S] [--port P] [--key K] [--analytics-key K] [--history-days D] [--cycle-day C]
 *                     [--no-anomalies] [--no-rate-limits] [--events-per-minute N] [--shapes documented|variants]
 *                     [--truth]
 *                     [--fault name=n ...]
 * Serves a simulated team's Cursor Admin API, or with --truth prints the injected anomalies as JSON and exits.
 * --cycle-day sets the day of the month (1..28) billing cycles start on (default: from the seed).
 * --events-per-minute sets the usage-events endpoint's limit (Cursor documents 20, later 60; the default is 20).
 * --fault injects API chaos (guards.ts Faults), e.g. --fault serverErrors=5 --fault poisonEvents=3 --fault slowMs=200.
 */
function faultsFrom(specs: string[]): Partial<Faults> {
  const out: Partial<Faults> = {};
  for (const spec of specs) {
    const [name, value] = spec.split('=');
    const n = Number(value);
    if (!(NUMERIC_FAULTS as readonly string[]).includes(name) || !Number.isInteger(n) || n < 0) {
      console.error(
        `--fault must be name=n with n >= 0 and name one of ${NUMERIC_FAULTS.join(', ')}; got ${JSON.stringify(spec)}`,
      );
      process.exit(2);
    }
    out[name as (typeof NUMERIC_FAULTS)[number]] = n;
  }
  return out;
}

function integer(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

function cycleDay(value: string): number {
  const n = integer(value, 'cycle-day', 1, 1);
  if (n > 28) {
    console.error(`--cycle-day must be a day of the month from 1 to 28 (Cursor's cycles start on those), got ${n}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      seed: { type: 'string' },
      port: { type: 'string' },
      key: { type: 'string' },
      'analytics-key': { type: 'string' },
      'history-days': { type: 'string' },
      'cycle-day': { type: 'string' },
      'no-anomalies': { type: 'boolean', default: false },
      'no-rate-limits': { type: 'boolean', default: false },
      'events-per-minute': { type: 'string' },
      truth: { type: 'boolean', default: false },
      shapes: { type: 'string', default: 'documented' },
      fault: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.shapes !== 'documented' && values.shapes !== 'variants') {
    console.error(`--shapes must be documented or variants, got ${JSON.stringify(values.shapes)}`);
    process.exit(2);
  }
  const seed = integer(values.seed, 'seed', 42, 0);
  const team = createSimulatedTeam({
    seed,
    teamSize: integer(values.size, 'size', 50, 1),
    historyDays: integer(values['history-days'], 'history-days', 90, 1),
    anomalies: !values['no-anomalies'],
    cycleDayOfMonth: values['cycle-day'] === undefined ? undefined : cycleDay(values['cycle-day']),
  });
  if (values.truth) {
    process.stdout.write(`${JSON.stringify(team.truth(), null, 2)}\n`);
    return;
  }
  const server = await startSimulatorServer({
    team,
    apiKey: values.key ?? `key_${hexId(64, seed, 0xc0ffee)}`,
    analyticsApiKey: values['analytics-key'],
    port: integer(values.port, 'port', 4010, 0),
    rateLimitsPerMinute: values['no-rate-limits']
      ? null
      : values['events-per-minute'] !== undefined
        ? { ...DEFAULT_RATE_LIMITS, events: integer(values['events-per-minute'], 'events-per-minute', 20, 1) }
        : undefined,
    shapes: values.shapes,
    faults: faultsFrom(values.fault),
  });
  console.log(`Simulated Cursor API for ${team.teamSize} developers (seed ${seed}) at ${server.url}`);
  console.log(`CURSOR_API_BASE_URL=${server.url}`);
  console.log(`CURSOR_ADMIN_API_KEY=${server.apiKey}`);
  if (values['analytics-key']) console.log(`CURSOR_ANALYTICS_API_KEY=${server.analyticsApiKey}`);
  // A signal handler's result is ignored by Node: the close is awaited here, and its failure reported.
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
