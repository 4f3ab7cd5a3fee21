import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Check } from './table';

// The app pages in a real browser: the plugin's @grafana/plugin-e2e specs (plugin/tests, plugin/playwright.config.ts)
// against the running Grafana. plugin-e2e logs in with GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD (its options.js)
// and the config's baseURL is GRAFANA_URL; the navigation spec fails on any console error of the app's pages.
// Only the navigation spec runs: appConfig.spec.ts saves test values into the app's settings.

export const SMOKE_SPECS = ['tests/appNavigation.spec.ts'];

export function playwrightCommand(opts: { grafanaUrl: string; user: string; password: string; repoRoot: string }) {
  return {
    command: 'npx',
    args: ['playwright', 'test', ...SMOKE_SPECS, '--reporter=line'],
    cwd: path.join(opts.repoRoot, 'plugin'),
    env: { GRAFANA_URL: opts.grafanaUrl, GRAFANA_ADMIN_USER: opts.user, GRAFANA_ADMIN_PASSWORD: opts.password },
  };
}

/** Runs the specs; the check passes when Playwright exits 0. Its output goes to the terminal as it runs. */
export async function runBrowserSpecs(opts: Parameters<typeof playwrightCommand>[0]): Promise<Check> {
  const cmd = playwrightCommand(opts);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env: { ...process.env, ...cmd.env }, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (c) => resolve(c ?? 1));
  });
  return {
    step: 'app pages',
    name: `plugin-e2e: ${SMOKE_SPECS.join(', ')}`,
    status: code === 0 ? 'PASS' : 'FAIL',
    detail:
      code === 0
        ? 'pages load without console errors'
        : `playwright exited ${code} (npx playwright install chromium, if the browser is missing)`,
  };
}
