/** Opening the workstation in a test: the console and page errors to assert none of, and the page at 1366×768 with its token. */
import { expect, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { type ApiClient, type WebSocketConstructor, createWebSocketClient } from '../electron/api/client.js';

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

/** A client of the same `hilum serve` the page uses (for setup and clean-up only). */
export async function engine(baseURL: string | undefined): Promise<ApiClient> {
  const host = new URL(baseURL ?? 'http://127.0.0.1').host;
  return createWebSocketClient(`ws://${host}/api`, process.env.HILUM_SERVE_TOKEN!, { WebSocket: WebSocket as unknown as WebSocketConstructor });
}

/**
 * Empties the demo case's form draft. The e2e data folder is kept between specs and runs, and a spec
 * that filled the demo form (clinician, settings) leaves its draft behind; a spec that starts from an
 * empty form calls this first, so the specs pass in any order.
 */
export async function clearDemoDraft(baseURL: string | undefined): Promise<void> {
  const client = await engine(baseURL);
  try {
    const demo = await client.call('demo.case', {});
    await client.call('drafts.save', { key: `clinical-form:${demo.seriesDir}`, draft: {} });
  } finally {
    client.close();
  }
}
