/**
 * Browser check of the built pages: the real worker (`npm start` and `npm run simulate` as child processes, seed.ts)
 * over simulated data, the app rendered in headless Chromium
 * inside a minimal Grafana-like host whose /api/plugin-proxy is the model of Grafana's plugin proxy (src/test/
 * grafanaProxy) with the real plugin.json. Runs as an Admin (every page light and dark, every action), an Editor
 * (actions allowed to Editors; a settings save refused with 403) and a Viewer (read-only pages; an acknowledge
 * refused with 403), saving screenshots; any console error or unexpected HTTP error fails.
 * Run: npm run e2e:browser -w plugin (needs /usr/bin/chromium: apt-get install -y chromium).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { E2E_USERS, startHostServer } from './host-server';
import { startSeededWorker } from './seed';

const TOKEN = 'e2e-token-0123456789abcdef';
const SHOTS = path.join(__dirname, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function main() {
  const t0 = performance.now();
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
  let workerUrl = '';
  const host = await startHostServer({ bundleDir, workerUrl: () => workerUrl, token: TOKEN });
  // The worker verifies the stand-in Grafana's signed ID tokens (GRAFANA_IDENTITY=verify, as in production).
  const world = await startSeededWorker({ token: TOKEN, grafanaUrl: host.url });
  const tSeed = performance.now();
  const api = { url: world.url };
  workerUrl = api.url;
  const asAdmin = { authorization: `Bearer ${TOKEN}`, 'x-grafana-id': await host.idToken('admin') };
  const incidents = (await (
    await fetch(`${api.url}/api/incidents?pageSize=1&status=open,alerted`, { headers: asAdmin })
  ).json()) as { items: { id: number; subject: string; scope: string }[]; total: number };
  const users = (await (await fetch(`${api.url}/api/users?limit=1`, { headers: asAdmin })).json()) as {
    items: { email: string }[];
  };
  if (incidents.total === 0)
    throw new Error('the simulated data produced no open incident: nothing to act on in the incident pages');
  const incident = incidents.items[0];
  const email = users.items[0].email;
  // A developer's open incident for the spend-limit dialog (issue 15).
  const userIncidents = (await (
    await fetch(`${api.url}/api/incidents?pageSize=50&status=open,alerted,acknowledged`, { headers: asAdmin })
  ).json()) as { items: { id: number; subject: string; scope: string }[] };
  const limitIncident = userIncidents.items.find((i) => i.scope === 'user');
  if (!limitIncident)
    throw new Error('the simulated data produced no open user incident: no spend-limit dialog to show');

  const pages: { name: string; path: string; waitFor: string }[] = [
    { name: 'incidents', path: 'incidents', waitFor: '[data-testid="incident-table"]' },
    { name: 'incident-detail', path: `incidents/${incident.id}`, waitFor: '[data-testid="evidence-chart"]' },
    { name: 'users', path: 'users', waitFor: '[data-testid="user-table"]' },
    { name: 'user-detail', path: `users/${encodeURIComponent(email)}`, waitFor: '[data-testid="sparkline"]' },
    { name: 'settings', path: 'settings', waitFor: '[data-testid="settings-form"]' },
    { name: 'chargeback', path: 'chargeback', waitFor: '[data-testid="chargeback-table"]' },
    {
      name: 'nudged-incident',
      path: `incidents/${world.nudged.incidentId}`,
      waitFor: '[data-testid="timeline"]',
    },
  ];
  const page = (name: string) => {
    const found = pages.find((p) => p.name === name);
    if (!found) throw new Error(`the browser check has no page named ${name}`);
    return found;
  };
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // playwright gives each launch a fresh temporary profile (it refuses --user-data-dir here).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const problems: string[] = [];
  const checks: string[] = [];
  const check = (ok: boolean, what: string) => (ok ? checks.push(what) : problems.push(`FAILED: ${what}`));
  const shot = async (tab: Page, name: string) => {
    const file = path.join(SHOTS, `${name}.png`);
    await tab.screenshot({ path: file, fullPage: true });
    return path.relative(process.cwd(), file);
  };
  /** Waits for the next proxied call matching method + path suffix, and returns its status. */
  const proxied = (tab: Page, method: string, suffix: RegExp) =>
    tab.waitForResponse((r) => r.request().method() === method && suffix.test(new URL(r.url()).pathname), {
      timeout: 20_000,
    });

  try {
    for (const login of ['viewer', 'editor', 'admin'] as const) {
      const role = E2E_USERS[login].OrgRole;
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      await context.addCookies([{ name: 'grafana_session', value: login, url: host.url }]);
      const tab = await context.newPage();
      // Responses this role is expected to get refused (403 from the proxy) or a worker answer that is not 2xx.
      const expected = new Set<string>();
      // Chromium also logs each expected refusal as a console error ("Failed to load resource … status of N").
      const seenExpected = new Set<number>();
      const expect = (key: string) => {
        expected.add(key);
        seenExpected.add(Number(key.split(' ').pop()));
      };
      tab.on('console', (m) => {
        // Chromium logs every refused fetch; only those not expected of this role are problems.
        const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(m.text())?.[1];
        if (m.type() === 'error' && !(status && seenExpected.has(Number(status))))
          problems.push(`[${role}] console: ${m.text()}`);
      });
      tab.on('pageerror', (e) => problems.push(`[${role}] page error: ${e.message}`));
      tab.on('response', (r) => {
        const key = `${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`;
        if (r.status() >= 400 && !expected.has(key)) problems.push(`[${role}] HTTP ${key}`);
      });
      const open = async (p: (typeof pages)[number], theme: 'light' | 'dark') => {
        const started = performance.now();
        await tab.goto(`${host.url}/a/cursorwatch-cost-app/${p.path}?theme=${theme}`);
        try {
          await tab.waitForSelector(p.waitFor, { timeout: 20_000 });
        } catch {
          problems.push(`[${role}/${theme}] ${p.name}: ${p.waitFor} never appeared`);
        }
        await tab.waitForLoadState('networkidle');
        const file = await shot(tab, `${login}-${p.name}-${theme}`);
        if (login === 'admin' && p.name === 'incident-detail') {
          // The key names only series that are drawn (issue #14: a model shift's chart had neither, yet listed both).
          const key = await tab
            .getByTestId('expected-band')
            .innerText()
            .catch(() => '');
          check(
            /normal range.*expected/i.test(key),
            `Admin ${theme}: evidence chart draws the normal band and expected`,
          );
          // Each entry's label (the bold part; notes quote Cursor's own setting names) reads as words.
          const labels = await tab.getByTestId('timeline').locator('li b').allInnerTexts();
          check(
            labels.length > 0 && labels.every((l) => /^[A-Z][a-z]/.test(l) && !l.includes('_')),
            `Admin ${theme}: timeline actions read as words (${[...new Set(labels)].join(', ')})`,
          );
        }
        if (login === 'admin' && p.name === 'users') {
          const table = tab.getByTestId('user-table');
          check(
            (await table.locator('a[href*="/incidents/"]').count()) > 0 && /\d%/.test(await table.innerText()),
            `Admin ${theme}: users show share of team in % and open incidents linking to them`,
          );
        }
        if ((await tab.locator('[data-testid="worker-error"]').count()) > 0)
          problems.push(`[${role}/${theme}] ${p.name}: the page shows a worker error`);
        console.log(
          `${role.padEnd(6)} ${theme.padEnd(5)} ${p.name.padEnd(16)} ${Math.round(performance.now() - started)} ms  ${file}`,
        );
      };
      for (const theme of login === 'admin' ? (['light', 'dark'] as const) : (['light'] as const)) {
        for (const p of pages) await open(p, theme);
      }
      if (login === 'viewer') {
        // Chargeback: a group opened on its developers, and the CSV fetched through the proxy by a Viewer.
        await open(page('chargeback'), 'light');
        await tab.locator('[data-testid="chargeback-group"] button').first().click();
        await tab.waitForSelector('[data-testid="chargeback-developer"]', { timeout: 20_000 });
        const csv = proxied(tab, 'GET', /\/api\/chargeback$/);
        await tab.getByRole('button', { name: /Download CSV/ }).click();
        const answer = await csv;
        check(
          answer.status() === 200 && (answer.headers()['content-type'] ?? '').startsWith('text/csv'),
          'Viewer: the chargeback CSV comes through the proxy as text/csv',
        );
        await tab.waitForSelector('[data-testid="csv-link"]', { timeout: 20_000 });
        console.log(`Chargeback, a group expanded, CSV ready: ${await shot(tab, 'viewer-chargeback-expanded')}`);
      }

      if (login === 'admin') {
        // The nudged incident's timeline (issue 15): the nudge, then its escalation or the fixed-after-nudge close.
        await open(page('nudged-incident'), 'light');
        const timeline = tab.getByTestId('timeline');
        const text = await timeline.innerText();
        check(
          /Developer nudged by email by system \(personal email to /.test(text) &&
            /Escalated to the team channels|Fixed after nudge/.test(text),
          `Nudged incident #${world.nudged.incidentId}: timeline shows the nudge and its ${world.nudged.outcome}`,
        );
        const file = path.join(SHOTS, 'nudged-incident-timeline.png');
        await timeline.screenshot({ path: file });
        console.log(`nudged incident timeline: ${path.relative(process.cwd(), file)}`);
      }
      const detailPage = page('incident-detail');
      const settingsPage = page('settings');
      const ackButton = tab.getByRole('button', { name: 'Acknowledge' });
      const limitPage = {
        name: 'incident-limit',
        path: `incidents/${limitIncident.id}`,
        waitFor: '[data-testid="evidence-chart"]',
      };
      if (login !== 'admin') {
        await open(limitPage, 'light');
        check(
          (await tab.getByRole('button', { name: 'Spend limit' }).count()) === 0,
          `${role}: no Spend limit action on the incident page`,
        );
      }
      if (login === 'viewer') {
        await open(detailPage, 'light');
        check((await ackButton.count()) === 0, 'Viewer: incident actions are hidden');
        await open(settingsPage, 'light');
        check(
          (await tab.locator('input#setting-minImpactDollars').count()) === 0 &&
            (await tab.getByTestId('value-minImpactDollars').count()) === 1,
          'Viewer: settings are read-only (values shown, no inputs)',
        );
        // The role is lowered while a page is open: the page still offers Acknowledge, Grafana's proxy refuses it.
        host.setRole('viewer', 'Editor');
        await open(detailPage, 'light');
        host.setRole('viewer', 'Viewer');
        expect(`POST /api/plugin-proxy/cursorwatch-cost-app/api/incidents/${incident.id}/acknowledge 403`);
        const refused = proxied(tab, 'POST', /\/acknowledge$/);
        await ackButton.first().click();
        check((await refused).status() === 403, 'Viewer: acknowledge gets 403 from the proxy');
        const denied = tab.locator('[data-testid="permission-denied"]');
        await denied.first().waitFor({ timeout: 10_000 });
        check(
          /acknowledge incidents \(needs Editor\)/.test(await denied.first().innerText()),
          'Viewer: the page says "not allowed … (needs Editor)"',
        );
        console.log(`Viewer acknowledge refused: ${await shot(tab, 'viewer-acknowledge-403')}`);
      } else {
        // Editors and Admins: acknowledge, then resolve and reopen (Admin), snooze and end it, run a collection.
        await open(detailPage, 'light');
        if (login === 'editor') {
          const ok = proxied(tab, 'POST', /\/acknowledge$/);
          await ackButton.first().click();
          check((await ok).status() === 200, 'Editor: acknowledge works');
        } else {
          const resolved = proxied(tab, 'POST', /\/resolve$/);
          await tab.getByRole('button', { name: 'Resolve', exact: true }).first().click();
          await tab.getByRole('button', { name: /^Resolve as/ }).click();
          check((await resolved).status() === 200, 'Admin: resolve works');
          const reopened = proxied(tab, 'POST', /\/reopen$/);
          await tab.getByRole('button', { name: 'Reopen' }).first().click();
          check((await reopened).status() === 200, 'Admin: reopen works');
        }
        const snoozed = proxied(tab, 'POST', /\/api\/snoozes$/);
        await tab.getByRole('button', { name: /^Snooze (user|team)$/ }).click();
        await tab.getByPlaceholder('e.g. migration week').fill(`browser check ${role}`);
        await tab.getByRole('button', { name: 'Snooze', exact: true }).click();
        const snoozeStatus = (await snoozed).status();
        check(snoozeStatus === 201, `${role}: snooze works (${snoozeStatus})`);
        await open(settingsPage, 'light');
        const ended = proxied(tab, 'DELETE', /\/api\/snoozes\/\d+$/);
        await tab.getByRole('button', { name: 'End snooze' }).first().click();
        check((await ended).status() === 200, `${role}: ending a snooze works`);
        // The worker runs its jobs: a run is queued (202); the Admin asks twice in a row, and the second meets the
        // exclusive collect queue while the first is still queued or running (409).
        expect('POST /api/plugin-proxy/cursorwatch-cost-app/api/collection/run 409');
        const runButton = tab.getByRole('button', { name: 'Collect and detect now' });
        const queued = proxied(tab, 'POST', /\/api\/collection\/run$/);
        await runButton.click();
        const runStatus = (await queued).status();
        check(runStatus === 202, `${role}: collection run reaches the worker (${runStatus})`);
        if (login === 'admin') {
          const again = proxied(tab, 'POST', /\/api\/collection\/run$/);
          await runButton.click();
          const againStatus = (await again).status();
          check(againStatus === 409, `${role}: a second run while one is in flight is refused (${againStatus})`);
        }

        // Settings: an Admin previews and saves. For the Editor the session starts as Admin and is lowered to Editor
        // after the preview, so the save reaches Grafana as an Editor's.
        if (login === 'editor') {
          host.setRole('editor', 'Admin');
          await open(settingsPage, 'light');
        }
        const input = tab.locator('#setting-minImpactDollars');
        await input.fill(String(Number(await input.inputValue()) + 1));
        const previewed = proxied(tab, 'POST', /\/api\/settings\/preview$/);
        await tab.getByRole('button', { name: /^Preview/ }).click();
        check((await previewed).status() === 200, `${role}: settings preview works while Admin`);
        if (login === 'editor') host.setRole('editor', 'Editor');
        if (login === 'editor') expect('PUT /api/plugin-proxy/cursorwatch-cost-app/api/settings 403');
        const saved = proxied(tab, 'PUT', /\/api\/settings$/);
        await tab.getByRole('button', { name: 'Save settings' }).click();
        const saveStatus = (await saved).status();
        if (login === 'editor') {
          check(saveStatus === 403, 'Editor: settings save gets 403 from the proxy');
          const denied = tab.locator('[data-testid="permission-denied"]');
          await denied.first().waitFor({ timeout: 10_000 });
          check(
            /change the detection settings \(needs Admin\)/.test(await denied.first().innerText()),
            'Editor: the page says "not allowed … (needs Admin)"',
          );
          console.log(`Editor settings save refused: ${await shot(tab, 'editor-settings-save-403')}`);
        } else {
          check(saveStatus === 200, 'Admin: settings save works');
          // The saved value shows in the audit trail once the page reloads the settings (the "saved" banner is transient).
          await tab
            .locator('[data-testid="audit-table"]')
            // The audit names the setting by its human label (contract/src/settings-layout.ts).
            .getByText('Smallest extra spend worth an alert')
            .first()
            .waitFor({ timeout: 20_000 });
          // The worker answers 409 (no email channel configured): the call reached /api/notifications/test.
          expect('POST /api/plugin-proxy/cursorwatch-cost-app/api/notifications/test 409');
          const tested = proxied(tab, 'POST', /\/api\/notifications\/test$/);
          await tab.getByRole('button', { name: 'Send a test to email' }).click();
          check(
            (await tested).status() === 409,
            'Admin: a test notification reaches the worker (409: email not configured)',
          );
          console.log(`Admin actions done: ${await shot(tab, 'admin-settings-saved')}`);

          // Spend limit from the incident: the dialog with its figures, Cursor (the simulator) applies it, then Undo.
          await open(limitPage, 'light');
          await tab.getByRole('button', { name: 'Spend limit' }).click();
          const dialog = tab.getByRole('dialog');
          await dialog.getByTestId('sl-suggestion').waitFor({ timeout: 20_000 });
          await dialog.getByLabel('Reason').fill('Browser check: capping a runaway agent until Monday');
          for (const theme of ['light', 'dark'] as const) {
            if (theme === 'dark') {
              await tab.keyboard.press('Escape');
              await tab.goto(`${host.url}/a/cursorwatch-cost-app/${limitPage.path}?theme=dark`);
              await tab.getByRole('button', { name: 'Spend limit' }).click();
              await dialog.getByTestId('sl-suggestion').waitFor({ timeout: 20_000 });
              await dialog.getByLabel('Reason').fill('Browser check: capping a runaway agent until Monday');
            }
            console.log(`Spend-limit dialog (${theme}): ${await shot(tab, `admin-spend-limit-dialog-${theme}`)}`);
          }
          const suggestion = (await dialog.getByTestId('sl-suggestion').innerText()).replace(/\s+/g, ' ');
          check(
            /Suggested limit \$\d+ Usual cycle spend/.test(suggestion),
            'Admin: the dialog says how the suggestion is computed',
          );
          const changed = proxied(tab, 'POST', /\/api\/spend-limits$/);
          await dialog.getByRole('button', { name: /^Set the limit to \$\d+$/ }).click();
          check((await changed).status() === 200, 'Admin: the spend limit is set through Cursor (the simulator)');
          await dialog.getByTestId('sl-result').waitFor({ timeout: 20_000 });
          console.log(`Spend limit applied: ${await shot(tab, 'admin-spend-limit-applied')}`);
          await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
          const timeline = tab.getByTestId('timeline');
          await timeline.getByRole('button', { name: 'Undo' }).waitFor({ timeout: 20_000 });
          await timeline.getByRole('button', { name: 'Undo' }).click();
          await tab.getByLabel('Reason for the undo').fill('Browser check: undo');
          const undone = proxied(tab, 'POST', /\/api\/spend-limits\/changes\/\d+\/undo$/);
          await tab.getByRole('button', { name: 'Undo the change' }).click();
          check((await undone).status() === 200, 'Admin: the change is undone from the timeline');
          await timeline
            .getByText(/Undo of change \d+/)
            .first()
            .waitFor({ timeout: 20_000 });
          console.log(`Spend limit undone: ${await shot(tab, 'admin-spend-limit-timeline')}`);
        }
      }
      await context.close();
    }
    // Every change the pages made is recorded under its signed-in user, verified from the ID token.
    const audited = await world.audited();
    check(
      audited.length > 0 &&
        audited.every((r) => r.verified && r.source === 'grafana-id-token' && r.actor.startsWith('e2e.')),
      `changes audited under the signed-in users, verified: ${audited.map((r) => r.actor).join(', ')}`,
    );
  } finally {
    await browser.close();
    await host.close();
    await world.stop();
  }
  const refusedByGrafana = host.proxyLog
    .filter((e) => e.status === 403)
    .map((e) => `${e.role} ${e.method} ${e.rawUrl}`);
  console.log(
    `${host.proxyLog.length} calls through the proxy model; refused: ${refusedByGrafana.join('; ') || 'none'}`,
  );
  console.log(checks.map((c) => `ok  ${c}`).join('\n'));
  console.log(
    `bundle ${Math.round(tBuild - t0)} ms, worker started and seeded ${Math.round(tSeed - tBuild)} ms (${world.collectedEvents} events), total ${Math.round(performance.now() - t0)} ms; ${incidents.total} incidents`,
  );
  if (problems.length) {
    console.error(`FAILED: ${problems.length} problem(s)\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.log(
    'browser check passed as Viewer, Editor and Admin: no console errors, refusals where the role is too low',
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
