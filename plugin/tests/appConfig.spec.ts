// @grafana/plugin-e2e (needs Docker and a Grafana server; not run here).
import { test, expect } from './fixtures';

test('an admin can save the worker URL and token', async ({ appConfigPage, page }) => {
  const reset = page.getByRole('button', { name: /reset/i });
  if (await reset.isVisible()) {
    await reset.click();
  }
  await page.getByLabel('Worker URL').fill('http://worker:8787');
  await page.getByLabel('API token').fill('a-long-enough-secret-token');
  const saveResponse = appConfigPage.waitForSettingsResponse();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(saveResponse).toBeOK();
});
