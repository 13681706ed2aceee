import { expect, test } from '@playwright/test';

test('the workstation shell loads under its strict CSP, says it is a synthetic demonstration, and finds WebGL2', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`/#token=${process.env.HILUM_SERVE_TOKEN}`);
  await expect(page.getByTestId('synthetic-banner')).toContainText('synthetic data');
  await expect(page.getByTestId('synthetic-banner')).toContainText('not a diagnosis');
  await expect(page.getByTestId('version')).toHaveText(/^\d+\.\d+\.\d+/);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).not.toContain('unsafe-inline');
  await expect(page.getByTestId('webgl-status')).toContainText('WebGL2 available');
  // The page reached the engine through the loopback host: the active model, flagged as synthetic.
  await expect(page.getByTestId('engine-status')).toContainText('hilum-demo');
  await expect(page.getByTestId('engine-status')).toContainText('SYNTHETIC');
  expect(problems).toEqual([]);
});

test('without its token the page cannot reach the engine, and says how to open it', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('engine-status')).toContainText('opened without its access token');
  await expect(page.getByTestId('engine-status')).toContainText('hilum serve');
});

test('the CSP blocks remote content', async ({ page }) => {
  await page.goto('/');
  const blocked = await page.evaluate(async () => {
    try {
      await fetch('https://example.org/');
      return false;
    } catch {
      return true;
    }
  });
  expect(blocked).toBe(true);
});
