import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runBrowserSpecs } from './browser';
import { runSmoke, STEPS } from './steps';
import { exitCode, renderTable } from './table';

// npm run smoke:grafana [-- --only health,panels] [-- --no-browser]
// The proof against a running `docker compose up -d` stack: prints a pass/fail table, exits 1 on any failure.
// Reads GRAFANA_URL (http://localhost:3000), GRAFANA_ADMIN_USER (admin), GRAFANA_ADMIN_PASSWORD and ALERTS_VIA
// (worker) from the environment, else from the repository's .env as docker compose does.

const REPO_ROOT = path.resolve(__dirname, '../../..');

function dotenv(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2].replace(/^(['"])(.*)\1$/, '$2')]),
  );
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const onlyArg = args.find((a) => a.startsWith('--only'));
  const only = onlyArg ? (onlyArg.split('=')[1] ?? args[args.indexOf(onlyArg) + 1] ?? '').split(',') : undefined;
  const unknown = (only ?? []).filter((s) => !(s in STEPS) && s !== 'browser');
  if (unknown.length > 0) {
    process.stderr.write(
      `smoke:grafana: unknown step ${unknown.join(', ')}; steps: ${[...Object.keys(STEPS), 'browser'].join(', ')}\n`,
    );
    return 2;
  }
  const env = { ...dotenv(path.join(REPO_ROOT, '.env')), ...process.env };
  const grafanaUrl = env.GRAFANA_URL || 'http://localhost:3000';
  const admin = { user: env.GRAFANA_ADMIN_USER || 'admin', password: env.GRAFANA_ADMIN_PASSWORD ?? '' };
  if (!admin.password) {
    process.stderr.write('smoke:grafana: set GRAFANA_ADMIN_PASSWORD (or put it in .env, as for docker compose)\n');
    return 2;
  }
  const checks = await runSmoke(
    {
      grafanaUrl,
      admin,
      repoRoot: REPO_ROOT,
      alertsVia: env.ALERTS_VIA || 'worker',
      userPassword: env.SMOKE_USER_PASSWORD || randomBytes(12).toString('hex'),
      log: (line) => process.stderr.write(`${line}\n`),
    },
    only,
  );
  if (!args.includes('--no-browser') && (!only || only.includes('browser')))
    checks.push(await runBrowserSpecs({ grafanaUrl, user: admin.user, password: admin.password, repoRoot: REPO_ROOT }));
  process.stdout.write(`${renderTable(checks)}\n`);
  return exitCode(checks);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`smoke:grafana: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
