// @grafana/plugin-e2e suite for machines with Docker (`npm run server` then `npm run e2e`); NOT run in this repository's
// CI, which has no Grafana server: `npm run e2e:browser` is the check that runs here.
import { test, expect } from './fixtures';
import { ROUTES } from '../src/constants';

test.describe('app pages', () => {
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
