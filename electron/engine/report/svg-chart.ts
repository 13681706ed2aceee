/**
 * Small vector charts for study reports (SVG text, no dependencies): line charts with axes, ticks,
 * a legend and an optional reference diagonal (ROC, calibration, decision curves), and the
 * nomogram drawn from its point scales. Every label is escaped; sizes are in px at 96 dpi.
 */

import { arrayMax, arrayMin } from '../core/array-extent.js';

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  dashed?: boolean;
  /** Draw points instead of a line. */
  markers?: boolean;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  xRange: [number, number];
  yRange: [number, number];
  series: Series[];
  diagonal?: boolean;
  width?: number;
  height?: number;
}

/** Colour-blind-safe palette (Okabe & Ito 2008). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000', '#999999'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function ticks(lo: number, hi: number, n = 5): number[] {
  const step = (hi - lo) / n;
  return Array.from({ length: n + 1 }, (_, k) => lo + k * step);
}

function num(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

export function lineChartSvg(c: LineChart): string {
  const W = c.width ?? 640;
  const H = c.height ?? 440;
  const m = { left: 60, right: 230, top: 36, bottom: 52 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const sx = (x: number) => m.left + ((x - c.xRange[0]) / (c.xRange[1] - c.xRange[0])) * pw;
  const sy = (y: number) => m.top + ph - ((Math.min(Math.max(y, c.yRange[0]), c.yRange[1]) - c.yRange[0]) / (c.yRange[1] - c.yRange[0])) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${m.left}" y="22" font-size="14" font-weight="bold">${escapeXml(c.title)}</text>`,
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  ];
  for (const t of ticks(c.xRange[0], c.xRange[1])) {
    out.push(`<line x1="${sx(t)}" y1="${m.top + ph}" x2="${sx(t)}" y2="${m.top + ph + 5}" stroke="#333"/>`);
    out.push(`<line x1="${sx(t)}" y1="${m.top}" x2="${sx(t)}" y2="${m.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${sx(t)}" y="${m.top + ph + 18}" text-anchor="middle">${num(t)}</text>`);
  }
  for (const t of ticks(c.yRange[0], c.yRange[1])) {
    out.push(`<line x1="${m.left - 5}" y1="${sy(t)}" x2="${m.left}" y2="${sy(t)}" stroke="#333"/>`);
    out.push(`<line x1="${m.left}" y1="${sy(t)}" x2="${m.left + pw}" y2="${sy(t)}" stroke="#eee"/>`);
    out.push(`<text x="${m.left - 8}" y="${sy(t) + 4}" text-anchor="end">${num(t)}</text>`);
  }
  out.push(`<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(c.yLabel)}</text>`);
  if (c.diagonal)
    out.push(`<line x1="${sx(c.xRange[0])}" y1="${sy(c.yRange[0])}" x2="${sx(c.xRange[1])}" y2="${sy(c.yRange[1])}" stroke="#999" stroke-dasharray="4 4"/>`);
  c.series.forEach((s, k) => {
    const colour = PALETTE[k % PALETTE.length];
    const pts = s.x.map((x, i) => [sx(x), sy(s.y[i])] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.markers) for (const [x, y] of pts) out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${colour}"/>`);
    if (!s.markers || pts.length > 1)
      out.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`,
      );
    const ly = m.top + 14 + k * 20;
    out.push(
      `<line x1="${m.left + pw + 12}" y1="${ly - 4}" x2="${m.left + pw + 36}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${m.left + pw + 42}" y="${ly}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export interface NomogramDrawing {
  title: string;
  axes: { label: string; values: number[]; points: number[] }[];
  totalPointsAxis: number[];
  /** Points on the total-points scale where the risk labels sit. */
  risk: { points: number[]; risk: number[] };
  maxPoints?: number;
}

/** A nomogram: a Points ruler (0–100), one scale per predictor, Total points, and the risk axis. */
export function nomogramSvg(n: NomogramDrawing): string {
  const W = 820;
  const rowH = 46;
  const left = 230;
  const right = 40;
  const rows = n.axes.length + 3;
  const H = 50 + rows * rowH;
  const pw = W - left - right;
  const maxTotal = arrayMax(n.totalPointsAxis);
  const sx = (p: number, max: number) => left + (p / max) * pw;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="14" font-weight="bold">${escapeXml(n.title)}</text>`,
  ];
  const ruler = (y: number, label: string, pts: number[], labels: string[], max: number) => {
    out.push(`<text x="${left - 12}" y="${y + 4}" text-anchor="end">${escapeXml(label)}</text>`);
    const xs = pts.map((p) => sx(p, max));
    out.push(`<line x1="${arrayMin(xs).toFixed(1)}" y1="${y}" x2="${arrayMax(xs).toFixed(1)}" y2="${y}" stroke="#333"/>`);
    // Label every k-th tick so labels (alternating above and below) keep at least ~36 px apart.
    const gaps = xs.slice(1).map((x, i) => Math.abs(x - xs[i]));
    const gap = gaps.length ? arrayMin(gaps) : Infinity;
    const every = Math.max(1, Math.ceil(36 / (2 * gap)));
    let shown = 0;
    xs.forEach((x, i) => {
      out.push(`<line x1="${x.toFixed(1)}" y1="${y - 4}" x2="${x.toFixed(1)}" y2="${y + 4}" stroke="#333"/>`);
      if (i % every !== 0 && i !== xs.length - 1) return;
      if (i === xs.length - 1 && i % every !== 0 && Math.abs(x - xs[i - (i % every)]) < 18) return;
      const below = gap * every < 36 && shown++ % 2 === 1;
      out.push(`<text x="${x.toFixed(1)}" y="${y + (below ? 16 : -8)}" text-anchor="middle" font-size="10">${escapeXml(labels[i])}</text>`);
    });
  };
  let y = 60;
  const pointsTicks = Array.from({ length: 11 }, (_, k) => k * 10);
  ruler(y, 'Points', pointsTicks, pointsTicks.map(String), 100);
  for (const a of n.axes) {
    y += rowH;
    ruler(
      y,
      a.label,
      a.points,
      a.values.map((v) => String(Math.round(v * 1000) / 1000)),
      100,
    );
  }
  y += rowH;
  ruler(y, 'Total points', n.totalPointsAxis, n.totalPointsAxis.map(String), maxTotal);
  y += rowH;
  ruler(
    y,
    'Risk of occult nodal metastasis',
    n.risk.points,
    n.risk.risk.map((r) => `${Math.round(r * 100)}%`),
    maxTotal,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
