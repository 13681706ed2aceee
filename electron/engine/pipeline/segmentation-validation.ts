import { HilumError } from '../core/errors.js';
import type { Vec3 } from '../imaging/vec.js';
import type { Volume } from '../imaging/volume.js';
import { Random } from '../phantom/random.js';
import { dice, measureNodule, segmentNodule } from '../segmentation/index.js';

/**
 * Click-to-segment checked against readers' masks on real CT (e.g. LIDC-IDRI crops): each nodule is
 * clicked three times — at the mask voxel nearest its centroid and at two voxels of the mask drawn
 * at random (seeded by the case id, so every run clicks the same voxels) — and each mask is scored
 * by Dice against the readers' mask; the two random clicks are also compared with each other.
 */
export interface ValidationCase {
  id: string;
  ct: Volume;
  /** The readers' mask on the CT's grid (1 = nodule). */
  truth: Uint8Array;
  /** Readers' texture rating (e.g. LIDC: Solid, Part Solid/Mixed, Non-Solid/GGO…). */
  texture?: string;
  /** Readers' diameter (mm), when the set gives one. */
  readerDiameterMm?: number;
}

export type ClickOutcome =
  | { voxel: Vec3; ms: number; dice: number; longestAxialDiameterMm: number; solidDiameterMm: number; ctr: number }
  | { voxel: Vec3; ms: number; refusal: string; message: string };

export interface NoduleValidation {
  id: string;
  texture: string;
  /** Diameter of the sphere with the readers' mask's volume (mm). */
  equivalentDiameterMm: number;
  readerDiameterMm: number | null;
  /** The readers' mask measured with the same ruler as the segmentation (longest axial and solid-component diameter, mm). */
  readersMask: { longestAxialDiameterMm: number; solidDiameterMm: number };
  centre: ClickOutcome;
  random: ClickOutcome;
  random2: ClickOutcome;
  /** Dice between the masks of the two random clicks (null when either was refused). */
  pairDice: number | null;
}

/** Size bands of the equivalent diameter (mm), as the issue and the literature group nodules. */
export const SIZE_BANDS: [number, number][] = [
  [5, 10],
  [10, 20],
  [20, Infinity],
];

export function validateNodule(c: ValidationCase): NoduleValidation {
  const [nx, ny] = c.ct.dims;
  const inside: number[] = [];
  for (let o = 0; o < c.truth.length; o++) if (c.truth[o]) inside.push(o);
  if (!inside.length) throw new HilumError({ code: 'EMPTY_MASK', message: `the readers' mask of ${c.id} is empty` });
  const [sx, sy, sz] = c.ct.spacingMm;
  const voxelOf = (o: number): Vec3 => [o % nx, Math.floor(o / nx) % ny, Math.floor(o / (nx * ny))];
  const centroid = [0, 0, 0];
  for (const o of inside) voxelOf(o).forEach((v, a) => (centroid[a] += v / inside.length));
  let nearest = inside[0];
  let nearestD = Infinity;
  for (const o of inside) {
    const v = voxelOf(o);
    const d = ((v[0] - centroid[0]) * sx) ** 2 + ((v[1] - centroid[1]) * sy) ** 2 + ((v[2] - centroid[2]) * sz) ** 2;
    if (d < nearestD) {
      nearestD = d;
      nearest = o;
    }
  }
  const random = new Random(`segmentation-validation-${c.id}`);
  const pick = () => inside[Math.floor(random.next() * inside.length)];
  const masks: (Uint8Array | null)[] = [];
  const click = (o: number): ClickOutcome => {
    const voxel = voxelOf(o);
    const started = performance.now();
    try {
      const result = segmentNodule(c.ct, { seed: { voxel } });
      const ms = performance.now() - started;
      masks.push(result.mask.voxels);
      const m = result.measurements;
      return {
        voxel,
        ms,
        dice: dice(result.mask.voxels, c.truth),
        longestAxialDiameterMm: m.longestAxialDiameterMm,
        solidDiameterMm: m.solidDiameterMm,
        ctr: m.ctr,
      };
    } catch (error) {
      if (!(error instanceof HilumError)) throw error;
      masks.push(null);
      return { voxel, ms: performance.now() - started, refusal: error.code, message: error.message };
    }
  };
  const centre = click(nearest);
  const first = click(pick());
  const second = click(pick());
  const [, a, b] = masks;
  const truthMeasured = measureNodule(c.truth, c.ct, c.ct);
  return {
    id: c.id,
    texture: c.texture ?? 'unrated',
    equivalentDiameterMm: 2 * Math.cbrt((3 * inside.length * sx * sy * sz) / (4 * Math.PI)),
    readerDiameterMm: c.readerDiameterMm ?? null,
    readersMask: { longestAxialDiameterMm: truthMeasured.longestAxialDiameterMm, solidDiameterMm: truthMeasured.solidDiameterMm },
    centre,
    random: first,
    random2: second,
    pairDice: a && b ? dice(a, b) : null,
  };
}

/** Dice of an outcome, 0 for a refusal (a refusal inside a nodule is a failure). */
export function diceOf(outcome: ClickOutcome): number {
  return 'dice' in outcome ? outcome.dice : 0;
}

export interface Distribution {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  below05: number;
}

/** Quartiles by linear interpolation between order statistics (R's type 7). */
export function distribution(values: number[]): Distribution {
  const s = [...values].sort((x, y) => x - y);
  const q = (p: number) => {
    if (!s.length) return NaN;
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
  };
  return { n: s.length, min: s[0] ?? NaN, q1: q(0.25), median: q(0.5), q3: q(0.75), max: s[s.length - 1] ?? NaN, below05: s.filter((v) => v < 0.5).length };
}

/**
 * Bland–Altman agreement of two measurements of the same quantity: mean difference (a − b) and the
 * 95 % limits of agreement, mean ± 1.96 SD of the differences (Bland & Altman, Lancet 1986).
 */
export function blandAltman(pairs: [number, number][]): { n: number; meanDifference: number; sd: number; limits: [number, number] } {
  const d = pairs.map(([a, b]) => a - b);
  const n = d.length;
  const mean = d.reduce((x, y) => x + y, 0) / n;
  const sd = n > 1 ? Math.sqrt(d.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1)) : NaN;
  return { n, meanDifference: mean, sd, limits: [mean - 1.96 * sd, mean + 1.96 * sd] };
}

type Agreement = ReturnType<typeof blandAltman>;

export interface ValidationSummary {
  nodules: number;
  centre: Distribution;
  random: Distribution;
  pair: Distribution;
  byTexture: { texture: string; random: Distribution }[];
  bySize: { band: string; random: Distribution }[];
  refusals: { code: string; count: number; ids: string[] }[];
  msPerClick: Distribution;
  /** Longest axial diameter (random click) vs the readers' mask measured the same way. */
  diameterVsReadersMask: Agreement | null;
  /** Solid-component diameter (random click) vs the readers' mask's, measured the same way. */
  solidVsReadersMask: Agreement | null;
  /** Longest axial diameter (random click) vs the set's own diameter column (its definition may differ). */
  diameterVsListed: Agreement | null;
  /** The readers' own mask measured here vs the set's diameter column: how far the two definitions differ. */
  readersMaskVsListed: Agreement | null;
  ctrByTexture: { texture: string; ctr: Distribution }[];
  /** The five lowest Dice (random click), worst first. */
  worst: { id: string; dice: number; texture: string; equivalentDiameterMm: number }[];
}

export function summariseValidation(results: NoduleValidation[]): ValidationSummary {
  const randomDice = (r: NoduleValidation) => diceOf(r.random);
  const group = <K extends string>(key: (r: NoduleValidation) => K | null) => {
    const map = new Map<K, NoduleValidation[]>();
    for (const r of results) {
      const k = key(r);
      if (k !== null) map.set(k, [...(map.get(k) ?? []), r]);
    }
    return map;
  };
  const refusals = new Map<string, string[]>();
  for (const r of results)
    for (const o of [r.centre, r.random, r.random2]) if ('refusal' in o) refusals.set(o.refusal, [...(refusals.get(o.refusal) ?? []), r.id]);
  const segmented = results.filter((r) => 'dice' in r.random);
  const seg = (r: NoduleValidation) => r.random as Extract<ClickOutcome, { dice: number }>;
  const listed = segmented.filter((r) => r.readerDiameterMm !== null);
  const agreement = (pairs: [number, number][]) => (pairs.length > 1 ? blandAltman(pairs) : null);
  const bandName = ([lo, hi]: [number, number]) => (hi === Infinity ? `≥ ${lo} mm` : `${lo}–${hi} mm`);
  return {
    nodules: results.length,
    centre: distribution(results.map((r) => diceOf(r.centre))),
    random: distribution(results.map(randomDice)),
    pair: distribution(results.map((r) => r.pairDice ?? 0)),
    byTexture: [...group((r) => r.texture)].map(([texture, rs]) => ({ texture, random: distribution(rs.map(randomDice)) })),
    bySize: SIZE_BANDS.map((band) => ({
      band: bandName(band),
      random: distribution(results.filter((r) => r.equivalentDiameterMm >= band[0] && r.equivalentDiameterMm < band[1]).map(randomDice)),
    })),
    refusals: [...refusals].map(([code, ids]) => ({ code, count: ids.length, ids })),
    msPerClick: distribution(results.flatMap((r) => [r.centre.ms, r.random.ms, r.random2.ms])),
    diameterVsReadersMask: agreement(segmented.map((r) => [seg(r).longestAxialDiameterMm, r.readersMask.longestAxialDiameterMm])),
    solidVsReadersMask: agreement(segmented.map((r) => [seg(r).solidDiameterMm, r.readersMask.solidDiameterMm])),
    diameterVsListed: agreement(listed.map((r) => [seg(r).longestAxialDiameterMm, r.readerDiameterMm!])),
    readersMaskVsListed: agreement(results.filter((r) => r.readerDiameterMm !== null).map((r) => [r.readersMask.longestAxialDiameterMm, r.readerDiameterMm!])),
    ctrByTexture: [...group((r) => ('ctr' in r.random ? r.texture : null))].map(([texture, rs]) => ({
      texture,
      ctr: distribution(rs.map((r) => (r.random as { ctr: number }).ctr)),
    })),
    worst: [...results]
      .sort((a, b) => randomDice(a) - randomDice(b))
      .slice(0, 5)
      .map((r) => ({ id: r.id, dice: randomDice(r), texture: r.texture, equivalentDiameterMm: r.equivalentDiameterMm })),
  };
}

/** The summary as a plain-text report (what the bench prints). */
export function formatValidation(s: ValidationSummary): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');
  const row = (label: string, d: Distribution) =>
    `${label.padEnd(22)} n=${String(d.n).padStart(3)}  min ${f(d.min)}  q1 ${f(d.q1)}  median ${f(d.median)}  q3 ${f(d.q3)}  max ${f(d.max)}  < 0.5: ${d.below05}`;
  const ba = (label: string, b: Agreement | null) =>
    b
      ? `${label}: n=${b.n}, mean difference ${b.meanDifference.toFixed(2)} mm, 95 % limits ${b.limits[0].toFixed(2)} to ${b.limits[1].toFixed(2)} mm`
      : `${label}: —`;
  return [
    `Dice against the readers' masks, ${s.nodules} nodules (a refusal counts as 0):`,
    row('click at the centre', s.centre),
    row('random click', s.random),
    row('random vs random mask', s.pair),
    'random click, by texture:',
    ...s.byTexture.map((t) => row(`  ${t.texture}`, t.random)),
    'random click, by equivalent diameter:',
    ...s.bySize.map((b) => row(`  ${b.band}`, b.random)),
    `refusals: ${s.refusals.length ? s.refusals.map((r) => `${r.code} × ${r.count} (${[...new Set(r.ids)].join(', ')})`).join('; ') : 'none'}`,
    `time per click: median ${s.msPerClick.median.toFixed(0)} ms, q3 ${s.msPerClick.q3.toFixed(0)} ms, max ${s.msPerClick.max.toFixed(0)} ms`,
    'diameter agreement (Bland–Altman, random click):',
    ba('  longest axial − readers’ mask, same ruler', s.diameterVsReadersMask),
    ba('  solid component − readers’ mask’s, same ruler', s.solidVsReadersMask),
    ba('  longest axial − the set’s diameter column', s.diameterVsListed),
    ba('  (readers’ mask − the set’s diameter column)', s.readersMaskVsListed),
    'CTR (solid ÷ total diameter) by texture:',
    ...s.ctrByTexture.map((t) => `  ${t.texture.padEnd(20)} n=${t.ctr.n}  median ${f(t.ctr.median)}  q1 ${f(t.ctr.q1)}  q3 ${f(t.ctr.q3)}`),
    `worst five (random click): ${s.worst.map((w) => `${w.id} ${f(w.dice)} (${w.texture}, ${w.equivalentDiameterMm.toFixed(1)} mm)`).join('; ')}`,
  ].join('\n');
}
