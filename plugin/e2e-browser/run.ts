/**
 * Browser check of the built pages: a real worker API over simulated data, the app rendered in headless Chromium
 * inside a minimal Grafana-like host, every page in light and dark, screenshots saved, any console error fails.
 * Run: npm run e2e:browser -w plugin (needs /usr/bin/chromium: apt-get install -y chromium).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { startApi } from '../../worker/src/api/server';
import { startHostServer } from './host-server';
import { seedWorld } from './seed';

const TOKEN = 'e2e-token-0123456789abcdef';
const SHOTS = path.join(__dirname, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function main() {
  const t0 = performance.now();
  const world = await seedWorld(TOKEN);
  const tSeed = performance.now();
  const api = await startApi({ db: world.db, config: world.config, log: world.log, host: '127.0.0.1', port: 0 });
  const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'cw-e2e-host-'));
  await build({
    entryPoints: { host: path.join(__dirname, 'host.tsx') },
    bundle: true,
    outdir: bundleDir,
    platform: 'browser',
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    logLevel: 'error',
  });
  const tBuild = performance.now();
  const host = await startHostServer({ bundleDir, workerUrl: api.url, token: TOKEN });
  const incidents = (await (
    await fetch(`${api.url}/api/incidents?pageSize=1`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json()) as { items: { id: number; subject: string; scope: string }[]; total: number };
  const users = (await (
    await fetch(`${api.url}/api/users?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json()) as { items: { email: string }[] };
  if (incidents.total === 0)
    throw new Error('the simulated data produced no incidents: nothing to show on the incident pages');
  const incident = incidents.items[0];
  const email = users.items[0].email;

  const pages: { name: string; path: string; waitFor: string }[] = [
    { name: 'incidents', path: 'incidents', waitFor: '[data-testid="incident-table"]' },
    { name: 'incident-detail', path: `incidents/${incident.id}`, waitFor: '[data-testid="evidence-chart"]' },
    { name: 'users', path: 'users', waitFor: '[data-testid="user-table"]' },
    { name: 'user-detail', path: `users/${encodeURIComponent(email)}`, waitFor: '[data-testid="sparkline"]' },
    { name: 'settings', path: 'settings', waitFor: '[data-testid="settings-form"]' },
  ];
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // playwright gives each launch a fresh temporary profile (it refuses --user-data-dir here).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const problems: string[] = [];
  try {
    for (const theme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const tab = await context.newPage();
      tab.on('console', (m) => m.type() === 'error' && problems.push(`[${theme}] console: ${m.text()}`));
      tab.on('pageerror', (e) => problems.push(`[${theme}] page error: ${e.message}`));
      tab.on('response', (r) => r.status() >= 400 && problems.push(`[${theme}] HTTP ${r.status()} ${r.url()}`));
      for (const p of pages) {
        const started = performance.now();
        await tab.goto(`${host.url}/a/cursorwatch-cost-app/${p.path}?theme=${theme}`);
        try {
          await tab.waitForSelector(p.waitFor, { timeout: 20_000 });
        } catch {
          problems.push(`[${theme}] ${p.name}: ${p.waitFor} never appeared`);
        }
        await tab.waitForLoadState('networkidle');
        const file = path.join(SHOTS, `${p.name}-${theme}.png`);
        await tab.screenshot({ path: file, fullPage: true });
        const errorsShown = await tab.locator('[data-testid="worker-error"]').count();
        if (errorsShown > 0) problems.push(`[${theme}] ${p.name}: the page shows a worker error`);
        console.log(
          `${theme.padEnd(5)} ${p.name.padEnd(16)} ${Math.round(performance.now() - started)} ms  ${path.relative(process.cwd(), file)}`
        );
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await host.close();
    await api.app.close();
    await world.close();
  }
  console.log(
    `seed ${Math.round(tSeed - t0)} ms (${world.collected.events.inserted} events), bundle ${Math.round(tBuild - tSeed)} ms, total ${Math.round(performance.now() - t0)} ms; ${incidents.total} incidents`
  );
  if (problems.length) {
    console.error(`FAILED: ${problems.length} problem(s)\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.log('browser check passed: no console errors');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
