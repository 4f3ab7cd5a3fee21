// @grafana/plugin-e2e suite for machines with Docker: `npm run smoke:grafana` (repository root) runs it against the
// compose stack with GRAFANA_URL and the admin login; `npm run server` then `npm run e2e` against the plugin's own
// dev stack. Not run in this repository's CI, which has no Grafana server: `npm run e2e:browser` runs there.
import type { ConsoleMessage } from '@playwright/test';
import { test, expect } from './fixtures';
import { ROUTES } from '../src/constants';

test.describe('app pages', () => {
  // Every page must load without a console error (a failed proxy call, a React error, a missing asset).
  let errors: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors = [];
    page.on('console', (msg: ConsoleMessage) => {
      if (msg.type() === 'error') {
        errors.push(msg.text());
      }
    });
    page.on('pageerror', (err) => errors.push(err.message));
  });
  test.afterEach(async () => {
    expect(errors).toEqual([]);
  });

  test('incidents page renders', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Incidents}`);
    await expect(page.getByText('Open incidents')).toBeVisible();
  });

  test('users page renders', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Users}`);
    await expect(page.getByLabel('Search users')).toBeVisible();
  });

  test('settings page renders', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Settings}`);
    await expect(page.getByText('Detection and notifications')).toBeVisible();
  });
});
