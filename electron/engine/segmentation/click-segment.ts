import { type Finding, HilumError } from '../core/errors.js';
import { indexToWorld, worldToIndex } from '../imaging/grid.js';
import type { Vec3 } from '../imaging/vec.js';
import { type LabelMap, type Volume, labelBoundingBox, padBoundingBox } from '../imaging/volume.js';
import { floodFill, fillHoles3d, fillHolesAxial, keepComponent } from './components.js';
import { closeMm, closeMmCoarseEdgeReplicated, closeMmEdgeReplicated, squaredDepthInside, squaredDistanceToFeatures } from './distance-transform.js';
import { geodesicDistance } from './geodesic.js';
import { segmentMass } from './mass-segment.js';
import { type NoduleMeasurements, SOLID_THRESHOLD_HU, measureNodule } from './measurements.js';
import { type Blob, rayCastBlob } from './ray-cast.js';
import { RegionOfInterest } from './roi.js';
import { quantileBySelection, quantileSorted } from './quantile.js';
import { above, countSet, intersectMasks, keepAtMost, maskAbove, sortedValuesUnder } from './mask-ops.js';
import { refineBoundaryByLocalContrast } from './boundary-refine.js';
import { type AscentStrategy, type TissueDepth, ascendToCore, measureTissueDepth } from './seed-ascent.js';

export type SeedPoint = { worldLps: Vec3 } | { voxel: Vec3 };

export interface ClickSegmentOptions {
  seed: SeedPoint;
  /** Largest nodule the search allows (mm); the region of interest is this plus a margin. Default 40. */
  maxDiameterMm?: number;
  /** Restrict the mask to this world box. */
  boundingBox?: { minLps: Vec3; maxLps: Vec3 };
  /** Extra points (world) that belong to the nodule. */
  include?: Vec3[];
  /** Points (world) that must stay outside: a 2 mm ball around each is forbidden. */
  exclude?: Vec3[];
}

export interface ClickSegmentResult {
  mask: LabelMap;
  /** The seed actually used (moved off a vacuole or the pleura onto tumour tissue when needed). */
  seedVoxel: Vec3;
  /** The tumour's centre as found by ray casting from the seed, and its median radius. */
  centreVoxel: Vec3;
  radiusMm: number;
  thresholds: { parenchymaHu: number; lowHu: number; highHu: number; openingRadiusMm: number; closingRadiusMm: number };
  measurements: NoduleMeasurements;
  findings: Finding[];
}

/** Smoothing before thresholding (Gaussian σ, mm): suppresses noise without moving edges. */
const SMOOTHING_MM = 0.5;

/**
 * The edge's local contrast window (mm) and level (share of the way from the surrounding's mean to the
 * nodule's). Chosen on the shared LIDC set (random clicks, two seeds, 164 nodules ≥ 5 mm): 0.2, 0.3 and
 * 0.4 of the way with a 3 mm window, and 0.25 with 4 mm; 0.3 / 3 mm raised the median Dice most (≈ +0.015).
 */
const EDGE_WINDOW_MM = 3;
const EDGE_FRACTION = 0.3;
/** Aerated lung: above outside air (≤ −985 HU) and below soft tissue (−500 HU). */
const LUNG_RANGE_HU: [number, number] = [-985, -500];

/**
 * Click-to-segment for lung nodules. From one seed:
 * 1. A region of interest around the seed is smoothed (σ 0.5 mm); the parenchyma level P is its
 *    median aerated-lung value.
 * 2. The lung (−985…−500 HU: outside air is not lung) is closed with a 12 mm ball: the closing
 *    restores the pleural surface over a juxtapleural tumour, so the chest wall and mediastinum are
 *    outside it. The image's edge is not taken for lung (replicate padding), so a tight crop behaves
 *    like the full thorax. A seed on the chest-wall side of that surface steps onto the tumour next to
 *    it; a seed on aerated lung within 3 mm of a nodule's surface steps into it; a seed anywhere in the
 *    tumour then moves to its core along the tissue's depth (seed-ascent.ts).
 * 3. Rays cast from the seed through tumour tissue (≥ min(P + 150, −550) HU, lower for a faint
 *    ground-glass nodule: faintGroundGlassFloor; inside the closed lung) find the tumour's centre and radius R, and sample its values: the lower threshold is
 *    halfway between P and the tumour's low (ground-glass) level, so ground glass is included and its
 *    edge falls at the middle of the partial-volume ramp; the upper threshold is halfway between the
 *    tumour's solid (or ground-glass) level and the brightest attached tissue (enhanced vessels).
 * 4. The region grown between the thresholds is limited to a geodesic distance of 1.8 R + 2 mm
 *    from the centre (vessels and strands running away are cut), then opened with a ball of
 *    0.45 R (0.6–2.5 mm) to detach vessels lying against it; the piece holding the centre stays.
 * 5. Cavities, vacuoles and vessels inside ground glass are filled (3-D, then slice by slice);
 *    calcification (> 400 HU) joined to the core is kept whatever the upper threshold says.
 * Of the variants tried, the largest that holds the click and is compact (≥ 0.4) is kept, or a wider one
 * (≥ 0.3) that adds a ground-glass halo to it.
 * With a bounding box around a mass that the nodule search refuses (touching the wall or mediastinum)
 * or cannot contain (larger than the search), the mass is segmented within the box (mass-segment.ts).
 * A seed in air, in plain lung, outside the lungs or on bone gives NO_NODULE_AT_SEED; a region that
 * reaches the edge of its search box gives SEGMENTATION_LEAKED: never a lung-sized mask.
 */
export function segmentNodule(ct: Volume, options: ClickSegmentOptions): ClickSegmentResult {
  // A box drawn around a tumour the nodule search refuses (a mass broadly touching the chest wall or
  // mediastinum) or cannot contain (it reaches the search's edge) is segmented as a mass within the box.
  const box = options.boundingBox ? voxelBox(ct, options.boundingBox) : null;
  try {
    return segmentNoduleOnly(ct, options);
  } catch (error) {
    if (box && error instanceof HilumError && (error.code === 'SEGMENTATION_LEAKED' || (error.code === 'NO_NODULE_AT_SEED' && error.data?.outsideLungs)))
      return segmentMassInBox(ct, options, box);
    throw error;
  }
}

/** The box in voxel indices (inclusive, ordered, clipped to the image). */
function voxelBox(ct: Volume, box: { minLps: Vec3; maxLps: Vec3 }): { lo: Vec3; hi: Vec3 } {
  const a = worldToIndex(ct, box.minLps);
  const b = worldToIndex(ct, box.maxLps);
  const lo = a.map((v, i) => Math.max(0, Math.round(Math.min(v, b[i])))) as Vec3;
  const hi = a.map((v, i) => Math.min(ct.dims[i] - 1, Math.round(Math.max(v, b[i])))) as Vec3;
  return { lo, hi };
}

/** Mass mode (mass-segment.ts), reported in the click result's shape. */
function segmentMassInBox(ct: Volume, options: ClickSegmentOptions, box: { lo: Vec3; hi: Vec3 }): ClickSegmentResult {
  const seed = seedVoxel(ct, options.seed);
  const mass = segmentMass(ct, seed, box);
  const mask: LabelMap = { dims: [...ct.dims], spacingMm: [...ct.spacingMm], originLps: [...ct.originLps], direction: [...ct.direction], voxels: mass.mask };
  const measurements = measureNodule(mask.voxels, ct, ct);
  const [sx, sy, sz] = ct.spacingMm;
  return {
    mask,
    seedVoxel: seed,
    centreVoxel: seed,
    radiusMm: Math.cbrt((3 * measurements.voxelCount * sx * sy * sz) / (4 * Math.PI)),
    thresholds: { parenchymaHu: NaN, lowHu: MASS_WINDOW_HU[0], highHu: MASS_WINDOW_HU[1], openingRadiusMm: NaN, closingRadiusMm: NaN },
    measurements,
    findings: [
      {
        code: 'SEGMENTED_AS_MASS',
        severity: 'info',
        message:
          'segmented as a mass within the box you drew (soft tissue inside the rib cage); check its border with the chest wall, mediastinum and collapsed lung',
      },
      ...mass.findings,
    ],
  };
}

/** The soft-tissue window mass mode thresholds at (mass-segment.ts), reported with its result. */
const MASS_WINDOW_HU: [number, number] = [-400, 250];

function segmentNoduleOnly(ct: Volume, options: ClickSegmentOptions): ClickSegmentResult {
  // The click is inside the nodule by definition, and nodules are compact. The click first moves to the
  // core of what it landed on, in two ways (seed-ascent.ts: the nearest depth maximum, and the deepest
  // tissue within reach). From each, when the first result leaves the click out or is not compact (it
  // took a vessel as large as a small nodule), three variants are tried — rays that treat long solid
  // runs as vessels, the centre held at the click, a tighter limit — and one result is kept (below).
  const modes: Mode[] = ['default', 'vessel-aware', 'anchored', 'tight'];
  const results: { result: Unmeasured; mode: Mode; score: number; voxels: number }[] = [];
  let firstError: unknown = null;
  const shared: SharedWork = { roi: null, closings: new Map(), byCore: new Map(), tissueDepths: new Map() };
  const click = seedVoxel(ct, options.seed);
  for (const ascent of ASCENTS) {
    const before = results.length;
    for (const mode of modes) {
      try {
        const result = segmentOnce(ct, options, mode, shared, ascent);
        const holdsClick = containsPoint(result.mask, click);
        const score = (holdsClick ? 1 : 0) + compactness(result.mask);
        const voxels = countInBox(result.mask);
        results.push({ result, mode, score, voxels });
        if (mode === 'default' && holdsClick && score >= 1 + GOOD_COMPACTNESS) break;
      } catch (error) {
        firstError ??= error;
        if (!(error instanceof HilumError) || error.code === 'NO_NODULE_AT_SEED' || error.code === 'SEED_OUTSIDE_IMAGE') break;
      }
    }
    if (results.length === before) break;
  }
  if (!results.length) throw firstError;
  // Among the results that hold the click and are compact enough to be a nodule, the largest: a
  // smaller one is a piece of the same nodule (a lobe, a tail, a core cut by a too-strong opening).
  // When none is, the most compact one that holds the click.
  const eligible = results.filter((r) => r.score >= 1 + ELIGIBLE_COMPACTNESS);
  let best = eligible.length ? eligible.reduce((a, b) => (b.voxels > a.voxels ? b : a)) : results.reduce((a, b) => (b.score > a.score + 0.05 ? b : a));
  // A ground-glass nodule around a solid part: the variant that kept only the (compact) solid part is not the
  // nodule when a wider one, less compact for its irregular ground glass, holds it and adds ground glass.
  const widerGlass = results.filter(
    (r) => r.score >= 1 + GLASS_COMPACTNESS && r.voxels > best.voxels && addsGroundGlass(ct, r.result.mask.voxels, best.result.mask.voxels),
  );
  if (widerGlass.length) best = widerGlass.reduce((a, b) => (b.voxels > a.voxels ? b : a));
  if (best.mode !== 'default')
    best.result.findings.push({
      code: 'SEGMENTATION_RETRIED',
      severity: 'info',
      message: `the first result was not a compact nodule holding the click; the ${best.mode} variant was kept`,
    });
  // Measured once, for the result kept.
  const { lo, hi } = boxOf(best.result.mask);
  return { ...best.result, measurements: measureNodule(best.result.mask.voxels, ct, ct, SOLID_THRESHOLD_HU, { minIjk: lo, maxIjk: hi }) };
}

type Unmeasured = Omit<ClickSegmentResult, 'measurements'>;

/**
 * The region of interest each variant's whole-grid mask was grown in (inclusive voxel bounds): no
 * voxel outside it is set, so counting and comparing variants need not scan the whole grid.
 */
const variantBoxes = new WeakMap<Uint8Array, { lo: Vec3; hi: Vec3 }>();

/** The box a mask's voxels lie in: its variant's region of interest, or the whole grid. */
function boxOf(mask: Pick<LabelMap, 'dims' | 'voxels'>): { lo: Vec3; hi: Vec3 } {
  return variantBoxes.get(mask.voxels) ?? { lo: [0, 0, 0], hi: mask.dims.map((n) => n - 1) as Vec3 };
}

/** The number of set voxels of a mask (within its box). */
function countInBox(mask: LabelMap): number {
  const [nx, ny] = mask.dims;
  const { lo, hi } = boxOf(mask);
  let n = 0;
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++) {
      const row = nx * (j + ny * k);
      for (let o = row + lo[0]; o <= row + hi[0]; o++) n += mask.voxels[o];
    }
  return n;
}

/** A wider result holding the kept one is still a nodule at this compactness when what it adds is ground glass. */
const GLASS_COMPACTNESS = 0.3;

/**
 * True when `wider` holds ≥ 90 % of `kept` and adds at least half of `kept`'s volume, of which ≥ 70 %
 * is ground glass (−750…−300 HU): a ground-glass halo, not a solid vessel and not a partial-volume rim
 * (a rim is thin, and half of it is lung or solid).
 */
function addsGroundGlass(ct: Volume, wider: Uint8Array, kept: Uint8Array): boolean {
  let keptCount = 0;
  let keptInside = 0;
  let added = 0;
  let glass = 0;
  const a = boxOf({ dims: ct.dims, voxels: wider });
  const b = boxOf({ dims: ct.dims, voxels: kept });
  const [nx, ny] = ct.dims;
  for (let k = Math.min(a.lo[2], b.lo[2]); k <= Math.max(a.hi[2], b.hi[2]); k++)
    for (let j = Math.min(a.lo[1], b.lo[1]); j <= Math.max(a.hi[1], b.hi[1]); j++) {
      const row = nx * (j + ny * k);
      for (let o = row + Math.min(a.lo[0], b.lo[0]); o <= row + Math.max(a.hi[0], b.hi[0]); o++) {
        if (kept[o]) {
          keptCount++;
          if (wider[o]) keptInside++;
        } else if (wider[o]) {
          added++;
          if (ct.voxels[o] >= -750 && ct.voxels[o] <= -300) glass++;
        }
      }
    }
  return keptInside >= 0.9 * keptCount && added >= 0.5 * keptCount && glass >= 0.7 * added;
}

/** Results at least this compact (and holding the click) are nodules; the largest of them is kept. */
const ELIGIBLE_COMPACTNESS = 0.4;

/** Above this compactness the first result is accepted without trying the variants. */
const GOOD_COMPACTNESS = 0.55;

/**
 * Volume over the volume of the ball reaching the 95th-percentile distance from the centroid:
 * 1 for a ball, lower with appendages (vessels), a little lower with lobules and spicules.
 */
function compactness(mask: LabelMap): number {
  const [nx, ny] = mask.dims;
  const [sx, sy, sz] = mask.spacingMm;
  const { lo, hi } = boxOf(mask);
  const points: number[] = [];
  let cx = 0;
  let cy = 0;
  let cz = 0;
  // Within the variant's box, in the whole grid's order (the same points, in the same order, as a full scan).
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++)
      for (let i = lo[0], o = lo[0] + nx * (j + ny * k); i <= hi[0]; i++, o++) {
        if (!mask.voxels[o]) continue;
        points.push(i * sx, j * sy, k * sz);
        cx += i * sx;
        cy += j * sy;
        cz += k * sz;
      }
  const count = points.length / 3;
  if (count === 0) return 0;
  cx /= count;
  cy /= count;
  cz /= count;
  const distances = new Float64Array(count);
  for (let p = 0; p < points.length; p += 3) distances[p / 3] = Math.hypot(points[p] - cx, points[p + 1] - cy, points[p + 2] - cz);
  distances.sort();
  const r = distances[Math.floor(0.95 * (distances.length - 1))] + 0.5 * Math.cbrt(sx * sy * sz);
  return Math.min(1, (count * sx * sy * sz) / ((4 / 3) * Math.PI * r ** 3));
}

/** True when the mask comes within `toleranceMm` of the voxel (a click on a nodule's partial-volume rim still counts as held). */
function containsPoint(mask: LabelMap, voxel: Vec3, toleranceMm = CLICK_TOLERANCE_MM): boolean {
  const [nx, ny, nz] = mask.dims;
  const s = mask.spacingMm;
  const reach = s.map((v) => Math.max(1, Math.floor(toleranceMm / v)));
  const t2 = Math.max(toleranceMm * toleranceMm, s[0] ** 2 + s[1] ** 2 + s[2] ** 2);
  for (let dk = -reach[2]; dk <= reach[2]; dk++)
    for (let dj = -reach[1]; dj <= reach[1]; dj++)
      for (let di = -reach[0]; di <= reach[0]; di++) {
        const i = voxel[0] + di;
        const j = voxel[1] + dj;
        const k = voxel[2] + dk;
        if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz || !mask.voxels[i + nx * (j + ny * k)]) continue;
        if ((di * s[0]) ** 2 + (dj * s[1]) ** 2 + (dk * s[2]) ** 2 <= t2) return true;
      }
  return false;
}

/** How far (mm) a click may lie from the mask and still count as inside it. */
const CLICK_TOLERANCE_MM = 2;

type Mode = 'default' | 'vessel-aware' | 'anchored' | 'tight';

/** Work that does not depend on the variant, done once per click: the smoothed region and the lung closings. */
interface SharedWork {
  roi: RegionOfInterest | null;
  /** The region's parenchyma level (HU), once found. */
  parenchymaHu?: number;
  closings: Map<number, Uint8Array>;
  /** The search region, the aerated-lung map and the 12 mm closing's 2 mm-off-the-wall map, once made. */
  within?: Uint8Array;
  lung?: Uint8Array;
  awayFromWall12?: Uint8Array;
  /**
   * Results by variant and the core the click ascended to: both ascents usually reach the same core,
   * and from there the variant's result is the same, so it is made once.
   */
  byCore: Map<string, Unmeasured>;
  /** The tissue connected to the (possibly moved) seed and its depth, shared by both ascents. */
  tissueDepths: Map<string, TissueDepth | null>;
}

function segmentOnce(ct: Volume, options: ClickSegmentOptions, mode: Mode, shared: SharedWork, ascent: AscentStrategy | null): Unmeasured {
  const findings: Finding[] = [];
  const maxDiameter = options.maxDiameterMm ?? 40;
  const seed = seedVoxel(ct, options.seed);
  const seedWorld = indexToWorld(ct, seed);
  const where = `(${seedWorld.map((v) => v.toFixed(1)).join(', ')}) mm`;
  if (seed.some((v, a) => v < 0 || v >= ct.dims[a]))
    throw new HilumError({ code: 'SEED_OUTSIDE_IMAGE', message: `the seed ${where} lies outside the image`, data: { seedLps: seedWorld } });

  // 1. Region of interest and parenchyma level.
  const roi = (shared.roi ??= RegionOfInterest.around(ct, seed, maxDiameter / 2 + 12, SMOOTHING_MM));
  const { dims, spacingMm: spacing, values, size: n } = roi;
  let seedIndex = roi.index(seed);
  // The region is the same for every variant of one click: its parenchyma level is found once.
  const parenchyma = (shared.parenchymaHu ??= parenchymaLevel(values, n));
  const faintFloor = faintGroundGlassFloor(roi, seedIndex, parenchyma);
  const tumourFloor = faintFloor ?? Math.min(parenchyma + 150, -550);

  const within = (shared.within ??= searchRegion(roi, ct, seed, maxDiameter, options));
  const lung = (shared.lung ??= aeratedLung(values));

  // The seed must be on tumour tissue: a seed in a vacuole or bronchus moves to the tissue around it.
  const seedHu = values[seedIndex];
  // Dense tissue at the click is a calcified nodule when it is bounded by aerated lung like any nodule
  // (checked below); otherwise it is bone or dense contrast.
  const dense = seedHu > DENSE_HU;
  const denseRefusal = () => noNodule(where, `the point is bone or dense contrast (${Math.round(seedHu)} HU) outside the lungs`);
  if (seedHu < tumourFloor) {
    let moved = nearbyTissue(roi, seedIndex, tumourFloor, 3);
    // Only from aerated lung: a click in the air outside the body is never moved onto the body.
    if (moved < 0 && seedHu > LUNG_RANGE_HU[0]) moved = besideNodule(roi, within, seedIndex, tumourFloor);
    if (moved < 0) throw noNodule(where, `the point is ${seedHu < -950 ? 'air' : 'aerated lung'} (${Math.round(seedHu)} HU) and no tumour tissue surrounds it`);
    seedIndex = moved;
    findings.push({
      code: 'SEED_MOVED',
      severity: 'info',
      message: 'the seed was in air inside the tumour (a vacuole or bronchus) and was moved to the nearest tumour tissue',
    });
  }

  // 2. Closed lung; the seed must be inside it (or step into it from the pleural edge).
  // Closing plus filling enclosed cavities: a large isolated tumour (deeper than the ball) is a
  // cavity of the lung and is filled; the chest wall runs to the edge of the box and is not.
  // Balls of 10 mm and more close on a coarser grid (closeMmCoarse): same surface, a fraction of the cost.
  const closedLungAt = (radiusMm: number): Uint8Array => {
    let closed = shared.closings.get(radiusMm);
    if (!closed) shared.closings.set(radiusMm, (closed = fillHoles3d(closeLung(lung, dims, spacing, radiusMm), dims)));
    return closed;
  };
  // Candidates: the 12 mm closing (stepping onto tumour tissue within 3 mm of it when the click was on
  // the wall side of the pleura), and 20 and 30 mm closings (a large juxtapleural tumour). The one
  // whose tumour, seen by rays from the seed, is bounded mostly by aerated lung wins; then the larger.
  type Candidate = { closed: Uint8Array; seed: number; moved: boolean; blob: Blob };
  const candidates: Candidate[] = [];
  const closed12 = closedLungAt(12);
  const tissue = floodFill(dims, [seedIndex], (q) => within[q] === 1 && values[q] >= tumourFloor, 6);
  const stepInto = (closed: Uint8Array): number => {
    if (closed[seedIndex]) return seedIndex;
    let nearest = -1;
    let nearestD = Infinity;
    roi.forEachWithin(
      seedIndex,
      3,
      (q) => {
        const d = roi.distanceMm(q, seedIndex);
        if (closed[q] && d < nearestD) {
          nearestD = d;
          nearest = q;
        }
      },
      tissue,
    );
    return nearest;
  };
  const awayFromWall12 = (): Uint8Array => {
    if (shared.awayFromWall12) return shared.awayFromWall12;
    const wallDistance2 = squaredDistanceToFeatures(closed12, dims, spacing, { unsetAreFeatures: true, limitMm: WALL_MARGIN_MM });
    return (shared.awayFromWall12 = above(wallDistance2, WALL_MARGIN_MM * WALL_MARGIN_MM));
  };
  // Any click inside the nodule should start from its core: it moves along the tissue (inside the 12 mm
  // closed lung, 2 mm off its surface, so never into the crescent of chest wall a closing adds beside a
  // juxtapleural tumour), and every closing's candidate starts from there.
  const tissueAtSeed = (): TissueDepth | null => {
    const key = `${seedIndex}:${tumourFloor}`;
    if (!shared.tissueDepths.has(key)) {
      const away = awayFromWall12();
      shared.tissueDepths.set(
        key,
        measureTissueDepth(dims, spacing, seedIndex, (q) => within[q] === 1 && away[q] === 1 && values[q] >= tumourFloor),
      );
    }
    return shared.tissueDepths.get(key)!;
  };
  const ascentTissue = ascent && closed12[seedIndex] ? tissueAtSeed() : null;
  const clickCore = ascent && ascentTissue ? ascendToCore(ascentTissue, MAX_CORE_TRAVEL_MM, ascent).index : seedIndex;
  const variantKey = `${mode}:${seedIndex}:${clickCore}`;
  const done = shared.byCore.get(variantKey);
  if (done) return done;
  const consider = (closed: Uint8Array) => {
    const stepped = stepInto(closed);
    if (stepped < 0) return;
    const start = closed[clickCore] ? clickCore : stepped;
    // From a ground-glass click, a ray running a long way through solid tissue has followed a vessel.
    const brightAbove = mode === 'vessel-aware' ? -200 : Infinity;
    const blob = rayCastBlob(
      values,
      dims,
      spacing,
      start,
      (q) => within[q] === 1 && closed[q] === 1 && values[q] >= tumourFloor,
      maxDiameter / 2 + 4,
      (q) => values[q] < tumourFloor,
      brightAbove,
    );
    candidates.push({ closed, seed: start, moved: stepped !== seedIndex, blob });
  };
  consider(closed12);
  // Rays that stopped at the closed lung's edge rather than in aerated lung mean the 12 mm ball cut the tumour.
  if (!closed12[seedIndex] || candidates[0]?.blob.lungEndedFraction < 0.85) for (const r of [20, 30]) consider(closedLungAt(r));
  if (!candidates.length) throw dense ? denseRefusal() : noNodule(where, outsideLungs(seedHu, maxDiameter), { outsideLungs: true });
  const bounded = candidates.filter((c) => c.blob.lungEndedFraction >= 0.5);
  const chosen = bounded.length
    ? bounded.reduce((a, b) => (b.blob.radiusMm > a.blob.radiusMm ? b : a))
    : candidates.reduce((a, b) => (b.blob.lungEndedFraction > a.blob.lungEndedFraction ? b : a));
  // A nodule is seen from inside as tissue ending mostly in aerated lung (the lowest over the 100
  // acceptance nodules of every kind was 0.32 when this limit was set); tissue whose rays almost all end elsewhere is chest wall or
  // mediastinum that the closing took in at the edge of the image. In a single-slice image the rays
  // that leave the slice say nothing either way, so only those that ended in it count.
  const singleSlice = ct.dims.some((d) => d === 1);
  const lungBounded = singleSlice ? chosen.blob.lungEndedFractionInImage : chosen.blob.lungEndedFraction;
  if (!(lungBounded >= MIN_LUNG_BOUNDED_FRACTION)) throw dense ? denseRefusal() : noNodule(where, outsideLungs(seedHu, maxDiameter), { outsideLungs: true });
  const provisional = chosen.closed;
  if (chosen.moved)
    findings.push({ code: 'SEED_MOVED', severity: 'info', message: 'the seed was on the chest-wall side of the pleura and was moved onto the tumour' });
  seedIndex = chosen.seed;
  const includes = (options.include ?? [])
    .map((p) => worldToIndex(ct, p).map(Math.round) as Vec3)
    .filter((v) => roi.contains(v))
    .map((v) => roi.index(v));

  // 3. Centre, radius and levels of the tumour.
  const isTumourTissue = (q: number) => within[q] === 1 && provisional[q] === 1 && values[q] >= tumourFloor;
  const blob = chosen.blob;
  const centre = mode !== 'anchored' && isTumourTissue(blob.centre) ? blob.centre : seedIndex;
  const radius = Math.min(maxDiameter / 2, Math.max(0.8, blob.radiusMm));
  if (blob.samples.length < 3) throw noNodule(where, 'no tumour tissue was found around it');
  const attached = floodFill(dims, [seedIndex], isTumourTissue, 6);
  // Calcification is left out of the attached tissue's levels: it is kept by its own rule below, and would
  // otherwise lift the vessel cut above every enhanced vessel.
  const attachedValues = sortedValuesUnder(attached, values, DENSE_HU);
  // Two tissue classes: ground glass (−750…−250 HU) and solid (> −250 HU). The tumour's low level is its
  // ground glass when there is any (≥ 8 % of the ray samples), otherwise its solid tissue; whether it
  // has a solid part is judged within half its radius of the centre, where a tangent vessel is not.
  const groundGlass = blob.samples.filter((v) => v >= -750 && v <= -250).sort((a, b) => a - b);
  const solid = blob.samples.filter((v) => v > -250).sort((a, b) => a - b);
  const central = blob.samples.filter((_, s) => blob.sampleDistancesMm[s] <= 0.5 * radius);
  const centralSolid = central.filter((v) => v > -250).length / Math.max(1, central.length);
  const lowLevel =
    groundGlass.length >= 0.08 * blob.samples.length || solid.length === 0
      ? quantileSorted(groundGlass.length ? groundGlass : [...blob.samples].sort((a, b) => a - b), 0.3)
      : quantileSorted(solid, 0.5);
  // Solid tissue at the core the click moved to also says so: on thick slices the rays through a small solid
  // nodule's partial-volume caps sample so much ground-glass-like tissue that the central share can miss it.
  const solidCore = values[centre] > -250 || values[seedIndex] > -250;
  const solidLevel = (centralSolid >= 0.25 || solidCore) && solid.length ? quantileSorted(solid, 0.5) : null;
  const brightLevel = quantileSorted(attachedValues, 0.98);
  const lowHu = Math.min(-350, Math.max(Math.min(parenchyma + 100, tumourFloor), (parenchyma + lowLevel) / 2));
  const base = solidLevel ?? lowLevel;
  // Ground glass keeps everything up to −250 HU (its own texture and noise); above that only vessels are cut.
  const highHu = Math.max(base + Math.max(60, 0.5 * (brightLevel - base)), base < -300 ? -250 : base + 60);

  // The final closing ball is a little larger than the tumour, so the pleural surface is restored over it.
  let closingRadius = Math.min(20, Math.max(4, 1.25 * radius + 2));
  let closedLung = Math.abs(closingRadius - 12) < 0.5 ? provisional : closedLungAt(closingRadius);
  if (!closedLung[centre]) {
    closedLung = provisional;
    closingRadius = NaN;
  }
  const allowed = intersectMasks(within, closedLung);

  // 4. Grow, limit by geodesic distance, open.
  // Calcification: dense tissue (> 400 HU) connected to the tumour's centre or seed, within its radius,
  // belongs to it whatever the vessel cut says (enhanced vessels stay below that level).
  const calcified = floodFill(
    dims,
    [centre, seedIndex].filter((q) => values[q] > DENSE_HU),
    (q) => allowed[q] === 1 && values[q] > DENSE_HU && roi.distanceMm(q, centre) <= radius + 1,
    6,
  );
  const inRange = (q: number) => allowed[q] === 1 && ((values[q] >= lowHu && values[q] <= highHu) || calcified[q] === 1);
  const grownFrom = [centre, seedIndex, ...includes].filter(inRange);
  // A core brighter than the vessel cut (calcification, dense contrast) grows from the tissue around it; its hole is filled below.
  if (!grownFrom.length) {
    const near = nearestWhere(roi, centre, 0.75 * radius + 1, inRange);
    if (near >= 0) grownFrom.push(near);
  }
  let region = floodFill(dims, grownFrom, inRange, 6);
  const walkable = fillHoles3d(region, dims);
  const walkFrom = walkable[centre] ? centre : walkable[seedIndex] ? seedIndex : -1;
  if (walkFrom >= 0) {
    const geodesic = geodesicDistance(walkable, dims, spacing, walkFrom);
    const limit = mode === 'tight' ? 1.3 * radius + 1 : 1.8 * radius + 2;
    keepAtMost(region, geodesic, limit);
  }
  // The core left by the erosion keeps at least 1.5 voxels of radius, so thick slices do not erase a small nodule.
  const openingRadius = Math.max(
    0.6,
    Math.min(mode === 'tight' ? 3.5 : 2.5, (mode === 'tight' ? 0.6 : 0.45) * radius, radius - 1.5 * Math.max(spacing[0], spacing[1], spacing[2])),
  );
  // Open the region with its cavities filled: a ground-glass shell around a solid core that the upper
  // threshold left out is a whole tumour, not a thin shell to be opened away.
  // Only cavities within the tumour's radius are filled: a web of small vessels also encloses pockets of lung.
  const filledAll = fillHoles3d(region, dims);
  roi.forEachWithin(centre, 1.1 * radius + 0.5, (q) => (region[q] = 1), filledAll);
  const depth2 = squaredDepthInside(region, dims, spacing);
  const r2 = openingRadius * openingRadius;
  const core = maskAbove(region, depth2, r2);
  const coreStart = roi.nearestIn(core, centre);
  if (coreStart >= 0 && roi.distanceMm(coreStart, centre) <= radius + 1) {
    const kept = keepComponent(core, dims, coreStart, 26);
    // Read only inside the region, which holds `kept`: the transform is limited to the region's box.
    const reach2 = squaredDistanceToFeatures(kept, dims, spacing, { box: labelBoundingBox({ dims, voxels: region })! });
    keepAtMost(region, reach2, r2 * 1.0001);
  } else {
    // Too thin to open (a tiny or air-riddled ground-glass nodule): keep what lies near its centre.
    const near = new Uint8Array(n);
    roi.forEachWithin(centre, 1.5 * radius + 1, (q) => (near[q] = 1), region);
    region = near;
  }
  const anchor = region[centre] ? centre : roi.nearestIn(region, centre);
  if (anchor < 0) throw noNodule(where, 'no compact tumour tissue was found there');
  region = keepComponent(region, dims, anchor, 26);

  // The closing that restored the pleura over a juxtapleural tumour also added a crescent of chest
  // wall around the contact. Wall-side voxels (within 1.5 mm of what lies outside the closed lung)
  // farther from the centre than the tumour's radius are that crescent, not tumour.
  // Only distances up to 1.5 mm from the region's voxels count: the transform is limited to its box grown by that much.
  const nearWallBox = padBoundingBox(labelBoundingBox({ dims, voxels: region })!, dims, spacing.map((s) => Math.floor(1.5 / s) + 1) as Vec3);
  const nearWall2 = squaredDistanceToFeatures(closedLung, dims, spacing, { box: nearWallBox, unsetAreFeatures: true, limitMm: 1.5 });
  for (let i = 0; i < n; i++) if (region[i] && nearWall2[i] <= 2.25 && roi.distanceMm(i, centre) > radius + 0.5) region[i] = 0;

  // 5. Fill cavities (vacuoles, necrosis, vessels inside ground glass).
  region = fillHolesAxial(fillHoles3d(region, dims), dims);
  // 6. Each edge voxel decided again against the contrast around it (boundary-refine.ts).
  region = refineBoundaryByLocalContrast(region, values, dims, spacing, allowed, { windowMm: EDGE_WINDOW_MM, fraction: EDGE_FRACTION, ceilingHu: highHu });
  region = intersectMasks(region, allowed);
  const count = countSet(region);
  const onFace = roi.countOnInnerFaces(region, ct.dims);
  if (count < 4) throw noNodule(where, 'what grows from there is smaller than 4 voxels');
  // Below the usual floor only a ground-glass nodule of a clinically relevant size counts: a faint density
  // smaller than that is lung (gravity-dependent density, noise, a vessel's partial volume).
  if (faintFloor !== null && largestSliceDiameterMm(region, dims, spacing) < FAINT_MIN_DIAMETER_MM)
    throw noNodule(
      where,
      `the point is aerated lung (${Math.round(seedHu)} HU) and no tumour tissue surrounds it, only a faint density under ${FAINT_MIN_DIAMETER_MM} mm`,
    );
  if (onFace > 0)
    throw new HilumError({
      code: 'SEGMENTATION_LEAKED',
      message: `the region grown from ${where} is not a compact nodule of at most ${maxDiameter} mm (it reaches the edge of the search region)`,
      hint: 'Click nearer the centre of the nodule, draw a bounding box, or add exclude points on the vessels it leaks into.',
    });

  const full = new Uint8Array(ct.voxels.length);
  const [rx, ry, rz] = dims;
  const [nx, ny] = ct.dims;
  for (let k = 0; k < rz; k++)
    for (let j = 0; j < ry; j++) {
      const dst = roi.lo[0] + nx * (roi.lo[1] + j + ny * (roi.lo[2] + k));
      for (let i = 0; i < rx; i++) full[dst + i] = region[i + rx * (j + ry * k)];
    }
  const mask: LabelMap = { dims: [...ct.dims], spacingMm: [...ct.spacingMm], originLps: [...ct.originLps], direction: [...ct.direction], voxels: full };
  variantBoxes.set(full, { lo: roi.lo, hi: roi.hi });
  const result: Unmeasured = {
    mask,
    seedVoxel: roi.voxel(seedIndex),
    centreVoxel: roi.voxel(centre),
    radiusMm: radius,
    thresholds: { parenchymaHu: parenchyma, lowHu, highHu, openingRadiusMm: openingRadius, closingRadiusMm: closingRadius },
    findings,
  };
  shared.byCore.set(variantKey, result);
  return result;
}

/** Voxels of aerated lung (LUNG_RANGE_HU). */
function aeratedLung(values: Float32Array): Uint8Array {
  const lung = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) lung[i] = values[i] > LUNG_RANGE_HU[0] && values[i] < LUNG_RANGE_HU[1] ? 1 : 0;
  return lung;
}

/** The search sphere around the seed (maximum radius + 4 mm), inside the user's box, minus 2 mm balls around excluded points. */
function searchRegion(roi: RegionOfInterest, ct: Volume, seed: Vec3, maxDiameter: number, options: ClickSegmentOptions): Uint8Array {
  const within = new Uint8Array(roi.size);
  const exclude = (options.exclude ?? []).map((p) => worldToIndex(ct, p));
  const box = options.boundingBox ? [worldToIndex(ct, options.boundingBox.minLps), worldToIndex(ct, options.boundingBox.maxLps)] : null;
  const s = ct.spacingMm;
  const restricted = box !== null || exclude.length > 0;
  roi.forEachWithin(roi.index(seed), maxDiameter / 2 + 4, (q) => {
    if (restricted) {
      const v = roi.voxel(q);
      if (box && v.some((x, a) => x < Math.min(box[0][a], box[1][a]) - 0.5 || x > Math.max(box[0][a], box[1][a]) + 0.5)) return;
      if (exclude.some((e) => ((v[0] - e[0]) * s[0]) ** 2 + ((v[1] - e[1]) * s[1]) ** 2 + ((v[2] - e[2]) * s[2]) ** 2 < 4)) return;
    }
    within[q] = 1;
  });
  return within;
}

function seedVoxel(ct: Volume, seed: SeedPoint): Vec3 {
  const v = 'voxel' in seed ? seed.voxel : worldToIndex(ct, seed.worldLps);
  return v.map((x) => Math.round(x)) as Vec3;
}

/** The climb to a click's core keeps this far (mm) off the closed lung's surface. */
const WALL_MARGIN_MM = 2;

/** How far (mm) a click may move to the core of what it landed on: a random voxel of a 20 mm nodule is within 10 mm of its core. */
const MAX_CORE_TRAVEL_MM = 10;

/** Above this level tissue is bone, calcification or dense contrast, never soft tissue or an enhanced vessel. */
const DENSE_HU = 400;

/** Below this fraction of rays ending in aerated lung, the tissue at the seed is not a lung nodule. */
const MIN_LUNG_BOUNDED_FRACTION = 0.2;

function outsideLungs(seedHu: number, maxDiameter: number): string {
  return `the point is outside the lungs (${Math.round(seedHu)} HU: chest wall, mediastinum or outside the body, or a mass wider than the ${maxDiameter} mm search that broadly touches them — draw a box around such a mass, or outline it with the brush)`;
}

function noNodule(where: string, reason: string, data?: Record<string, unknown>): HilumError {
  return new HilumError({
    code: 'NO_NODULE_AT_SEED',
    message: `no nodule found at ${where}: ${reason}`,
    hint: 'Click inside the nodule on a lung window.',
    data,
  });
}

/** Index of a voxel ≥ threshold within radius mm of `from`, when such voxels make up ≥ 25 % of that ball; −1 otherwise. */
function nearbyTissue(roi: RegionOfInterest, from: number, threshold: number, radiusMm: number): number {
  let inside = 0;
  let total = 0;
  let best = -1;
  let bestD = Infinity;
  roi.forEachWithin(from, radiusMm, (q) => {
    total++;
    if (roi.values[q] < threshold) return;
    inside++;
    const d = roi.distanceMm(q, from);
    if (d < bestD) {
      bestD = d;
      best = q;
    }
  });
  return total > 0 && inside / total >= 0.25 ? best : -1;
}

/**
 * The tissue floor for a faint ground-glass nodule, or null for any other click. A pure GGO may be
 * only 80–150 HU denser than the parenchyma P (e.g. −700 HU in −830 HU lung), below the usual floor
 * min(P + 150, −550) HU, so neither the click nor the nodule would count as tissue. Within 2.5 mm of
 * the click: when the upper quartile is ≥ P + 80 HU (a click on the rim has lung on one side), the
 * median is below the usual floor and the 90th percentile is less than 100 HU above it (no solid
 * tissue near: a solid nodule's rim keeps the usual floor), the floor is halfway between P and that
 * upper quartile, and at least P + 50 HU so that lung noise stays out. A click on plain lung fails
 * the first test and is still refused.
 */
function faintGroundGlassFloor(roi: RegionOfInterest, seedIndex: number, parenchyma: number): number | null {
  const around: number[] = [];
  roi.forEachWithin(seedIndex, FAINT_PROBE_MM, (q) => void around.push(roi.values[q]));
  around.sort((a, b) => a - b);
  const level = quantileSorted(around, 0.75);
  const regularFloor = Math.min(parenchyma + 150, -550);
  if (!(level - parenchyma >= FAINT_MIN_CONTRAST_HU && quantileSorted(around, 0.5) < regularFloor && quantileSorted(around, 0.9) < regularFloor + 100))
    return null;
  return Math.max(parenchyma + 50, (parenchyma + level) / 2);
}

/** Radius (mm) of the ball around the click whose levels say whether it is faint ground glass. */
const FAINT_PROBE_MM = 2.5;
/** Least contrast (HU) over the parenchyma for tissue at the click to count as faint ground glass. */
const FAINT_MIN_CONTRAST_HU = 80;

/** Smallest faint ground-glass nodule (mm, diameter of its largest axial section) found below the usual tissue floor. */
const FAINT_MIN_DIAMETER_MM = 5;

/** Diameter (mm) of the circle with the area of the mask's largest axial section. */
function largestSliceDiameterMm(mask: Uint8Array, dims: Vec3, spacing: Vec3): number {
  const plane = dims[0] * dims[1];
  let largest = 0;
  for (let k = 0; k < dims[2]; k++) {
    let area = 0;
    for (let o = k * plane; o < (k + 1) * plane; o++) area += mask[o];
    largest = Math.max(largest, area);
  }
  return 2 * Math.sqrt((largest * spacing[0] * spacing[1]) / Math.PI);
}

/** Both ways of moving the click to its structure's core are tried; the better result is kept. */
const ASCENTS: AscentStrategy[] = ['climb', 'reach'];

/** The lung closed by a ball; balls of 10 mm and more close on a coarser grid. The image's edge is not taken for lung. */
function closeLung(lung: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  return radiusMm >= 10 ? closeMmCoarseEdgeReplicated(lung, dims, spacing, radiusMm) : closeMmEdgeReplicated(lung, dims, spacing, radiusMm, closeMm);
}

/** The voxel nearest to `from` within radius mm for which `accept` holds, or −1. */
function nearestWhere(roi: RegionOfInterest, from: number, radiusMm: number, accept: (q: number) => boolean): number {
  let best = -1;
  let bestD = Infinity;
  roi.forEachWithin(from, radiusMm, (q) => {
    if (!accept(q)) return;
    const d = roi.distanceMm(q, from);
    if (d < bestD) {
      bestD = d;
      best = q;
    }
  });
  return best;
}

/**
 * A click on aerated lung just outside a nodule's surface (where a reader's outline often runs): a
 * voxel q of tissue at least 2 mm deep (a body ≥ 4 mm thick: a nodule, not a strand or small vessel)
 * whose depth reaches to within 3 mm of the click, |click − q| ≤ depth(q) + 3 mm; the one whose
 * surface is nearest is returned (it lies inside the body), or −1 when there is none.
 */
function besideNodule(roi: RegionOfInterest, within: Uint8Array, from: number, tissueFloor: number): number {
  const outside = new Uint8Array(roi.size);
  for (let q = 0; q < roi.size; q++) outside[q] = within[q] === 1 && roi.values[q] >= tissueFloor ? 0 : 1;
  const depth2 = squaredDistanceToFeatures(outside, roi.dims, roi.spacingMm);
  let best = -1;
  let bestGap = Infinity;
  roi.forEachWithin(from, BESIDE_SEARCH_MM, (q) => {
    if (!(depth2[q] >= 4)) return;
    const gap = roi.distanceMm(q, from) - Math.sqrt(depth2[q]);
    if (gap <= 3 && gap < bestGap) {
      bestGap = gap;
      best = q;
    }
  });
  return best;
}

/** How far (mm) from a click on lung a nodule's core is looked for (a 20 mm nodule's core, 3 mm beyond its surface). */
const BESIDE_SEARCH_MM = 13;

/** The parenchyma level of a region: the median of every third voxel in aerated lung (−985…−600 HU), or −850 HU when too few are. */
function parenchymaLevel(values: Float32Array, n: number): number {
  const [low, high] = [LUNG_RANGE_HU[0], -600];
  let count = 0;
  for (let i = 0; i < n; i += 3) if (values[i] > low && values[i] < high) count++;
  if (!(count > n / 60)) return -850;
  // The region's own (float32) values: the same median as in double precision.
  const lungValues = new Float32Array(count);
  for (let i = 0, c = 0; i < n; i += 3) if (values[i] > low && values[i] < high) lungValues[c++] = values[i];
  return quantileBySelection(lungValues, 0.5);
}
