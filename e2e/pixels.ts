/** Pixel checks shared by the browser tests: what a view's screenshot shows, and waiting for frames. */
import { expect, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';

/** Luminance statistics of an element's screenshot, and how many pixels have the mask's orange. */
export async function pixels(view: Locator) {
  const png = PNG.sync.read(await view.screenshot());
  const n = png.width * png.height;
  let sum = 0;
  let sumSq = 0;
  let orange = 0;
  for (let p = 0; p < png.data.length; p += 4) {
    const [r, g, b] = [png.data[p], png.data[p + 1], png.data[p + 2]];
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    sum += y;
    sumSq += y * y;
    // The overlay is orange (1, 0.4, 0); CT greys have r = g = b and the crosshair is cyan.
    if (r > 150 && r - b > 100 && r - g > 40) orange++;
  }
  const mean = sum / n;
  return { png, mean, sd: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), orange };
}

/** Mean absolute difference of two same-sized screenshots (0–255). */
export function difference(a: PNG, b: PNG): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let d = 0;
  for (let p = 0; p < a.data.length; p += 4)
    d += Math.abs(a.data[p] - b.data[p]) + Math.abs(a.data[p + 1] - b.data[p + 1]) + Math.abs(a.data[p + 2] - b.data[p + 2]);
  return d / (3 * a.width * a.height);
}

export async function renderCount(view: Locator): Promise<number> {
  return Number(await view.getAttribute('data-render-count'));
}

/** Waits for two animation frames in the page (the expression runs in the browser; the test project has no DOM types). */
export function nextFrames(page: Page): Promise<unknown> {
  return page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
}
