import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError, REPO_ROOT, loadConfig } from '../config/config';
import { captureSamples } from '../cursor/capture';
import { runDoctor } from '../doctor/doctor';
import { formatDoctorReport } from '../doctor/format';
import { createSimulatedTeam, startSimulatorServer } from '@cursor-cost-watch/simulator';
import { loadDotEnv } from './bootstrap';

/**
 * `npm run doctor [-- --json]`: checks the Cursor API with the configured keys (no database needed) and prints a
 * report with no secrets, to trust the numbers or paste into a bug report. Exit 0 when collection can run, else 1.
 * Without CURSOR_ADMIN_API_KEY it examines the simulated team of demo mode.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  loadDotEnv();
  const config = loadConfig();
  let baseUrl = config.CURSOR_API_BASE_URL;
  let apiKey = config.CURSOR_ADMIN_API_KEY;
  let analyticsApiKey = config.CURSOR_ANALYTICS_API_KEY;
  let close = async () => {};
  if (config.demoMode) {
    apiKey = `key_${randomBytes(32).toString('hex')}`;
    analyticsApiKey = `key_${randomBytes(32).toString('hex')}`;
    const team = createSimulatedTeam({ seed: config.SIM_SEED, teamSize: config.SIM_TEAM_SIZE });
    const sim = await startSimulatorServer({ team, apiKey, analyticsApiKey, port: config.SIM_PORT });
    baseUrl = sim.url;
    close = () => sim.close();
  }
  try {
    const report = await runDoctor({
      baseUrl,
      apiKey: apiKey!,
      analyticsApiKey,
      backfillDays: config.BACKFILL_DAYS,
      rateLimits: {
        admin: config.CURSOR_RATE_LIMIT_PER_MIN,
        events: config.CURSOR_EVENTS_RATE_LIMIT_PER_MIN,
        analytics: 100,
      },
      timeoutMs: config.CURSOR_REQUEST_TIMEOUT_MS,
      observe: config.CURSOR_CAPTURE_DIR
        ? captureSamples(path.resolve(REPO_ROOT, config.CURSOR_CAPTURE_DIR))
        : undefined,
    });
    console.log(values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
    return report.ok ? 0 : 1;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(
      err instanceof ConfigError ? err.message : `error: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(1);
  },
);
