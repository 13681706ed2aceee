/** Opening the workstation in a test: the console and page errors to assert none of, and the page at 1366×768 with its token. */
import { expect, type Page } from '@playwright/test';

/** Collects console errors and uncaught page errors (a CSP violation shows up here). */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

/** Opens the workstation as a user of `hilum serve` does (the address with its token), on a 1366×768 screen, and waits for the engine. */
export async function openWorkstation(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(`/#token=${process.env.HILUM_SERVE_TOKEN}`);
  await expect(page.getByTestId('engine-status')).toContainText('hilum-demo');
}

/** An API request as the page sent it over its WebSocket. */
export interface SentRequest {
  method: string;
  params: Record<string, unknown>;
}

/** Records every JSON API request the page sends over its WebSocket (what actually crossed, not what the UI claims). */
export function recordSentRequests(page: Page): SentRequest[] {
  const sent: SentRequest[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (frame) => {
      if (typeof frame.payload === 'string' && frame.payload.startsWith('{')) sent.push(JSON.parse(frame.payload) as SentRequest);
    }),
  );
  return sent;
}
