import type { Vec3 } from '../imaging/vec.js';
import type { Random } from './random.js';
import { ValueNoise } from './noise.js';

/**
 * A synthetic contrast-enhanced chest: analytic tissue compartments in LPS millimetres
 * (x = patient left, y = posterior, z = superior; the carina is near z = +40). Every structure is
 * a simple shape with published-range HU values, so images look like chest CT without pretending
 * to be anatomy. Vessel and airway trees are drawn separately (vessels.ts).
 */
export interface ThoraxAnatomy {
  /** Body size factor (1 = average adult). */
  scale: number;
  bodySemiAxesMm: [number, number];
  fatMm: number;
  muscleMm: number;
  /** Lung ellipse centres and semi-axes in the axial plane (right lung at −x, left at +x). */
  rightLung: { centre: [number, number]; semiAxes: [number, number] };
  leftLung: { centre: [number, number]; semiAxes: [number, number] };
  /** Heights (z, mm) of the diaphragm domes and the lung apices. */
  diaphragmRightZ: number;
  diaphragmLeftZ: number;
  apexZ: number;
  heart: { centre: Vec3; semiAxes: Vec3 };
  hilumRight: Vec3;
  hilumLeft: Vec3;
  carina: Vec3;
  textureSeed: string;
}

export function sampleAnatomy(rng: Random, textureSeed: string): ThoraxAnatomy {
  const s = rng.truncatedNormal(1, 0.06, 0.85, 1.15);
  return {
    scale: s,
    bodySemiAxesMm: [165 * s, 118 * s],
    fatMm: rng.uniform(6, 18) * s,
    muscleMm: rng.uniform(14, 20) * s,
    rightLung: { centre: [-78 * s, 8 * s], semiAxes: [70 * s, 96 * s] },
    leftLung: { centre: [80 * s, 10 * s], semiAxes: [66 * s, 92 * s] },
    diaphragmRightZ: -85 + rng.uniform(-8, 8),
    diaphragmLeftZ: -100 + rng.uniform(-8, 8),
    apexZ: 105 + rng.uniform(-8, 8),
    heart: { centre: [28 * s, -40 * s, -45], semiAxes: [62 * s, 52 * s, 55] },
    hilumRight: [-42 * s, 4 * s, 22],
    hilumLeft: [46 * s, 8 * s, 20],
    carina: [0, 0, 42],
    textureSeed,
  };
}

export type Tissue = 'air' | 'fat' | 'muscle' | 'bone' | 'mediastinum' | 'heart' | 'blood' | 'lung';

/** Contrast-phase dependent HU of enhanced structures (from the scanner profile). */
export interface ContrastHu {
  aorta: number;
  heartBlood: number;
  pulmonaryVessel: number;
}

/** Lung fields: inside the chest cavity, in a lung ellipse shrunk towards the apex and above the diaphragm, outside the mediastinum. */
export function inLung(a: ThoraxAnatomy, x: number, y: number, z: number): boolean {
  return lungSide(a, x, y, z) !== 0;
}

/** −1 right lung, +1 left lung, 0 outside the lungs. */
export function lungSide(a: ThoraxAnatomy, x: number, y: number, z: number): -1 | 0 | 1 {
  if (!insideCavity(a, x, y, 2)) return 0;
  if (z > a.apexZ) return 0;
  const taper = z > 25 ? Math.sqrt(Math.max(0, 1 - ((z - 25) / (a.apexZ - 25)) ** 2)) : 1;
  if (taper <= 0.05) return 0;
  for (const side of [-1, 1] as const) {
    const lung = side < 0 ? a.rightLung : a.leftLung;
    const dx = (x - lung.centre[0]) / (lung.semiAxes[0] * taper);
    const dy = (y - lung.centre[1]) / (lung.semiAxes[1] * Math.max(taper, 0.3));
    if (dx * dx + dy * dy > 1) continue;
    // Diaphragm: a dome under each lung, highest at the lung's centre.
    const domeTop = side < 0 ? a.diaphragmRightZ : a.diaphragmLeftZ;
    const r2 = ((x - lung.centre[0]) / lung.semiAxes[0]) ** 2 + ((y - lung.centre[1]) / lung.semiAxes[1]) ** 2;
    if (z < domeTop - 45 * r2) continue;
    if (inMediastinum(a, x, y, z)) continue;
    if (inEllipsoid(a.heart, x, y, z, 4)) continue;
    return side;
  }
  return 0;
}

function insideCavity(a: ThoraxAnatomy, x: number, y: number, marginMm: number): boolean {
  const inset = a.fatMm + a.muscleMm + marginMm;
  const [ax, ay] = a.bodySemiAxesMm;
  return (x / (ax - inset)) ** 2 + (y / (ay - inset)) ** 2 < 1;
}

/**
 * The central compartment: a lens around the midline from sternum to spine, widest in front of the
 * spine, wider low down where the heart sits; the spine and the paravertebral gutters behind.
 */
function inMediastinum(a: ThoraxAnatomy, x: number, y: number, z: number): boolean {
  const s = a.scale;
  const front = -a.bodySemiAxesMm[1] + a.fatMm + a.muscleMm;
  const back = 60 * s;
  if (y > front && y < back) {
    const t = (y - front) / (back - front); // 0 at the sternum, 1 at the spine
    const halfWidth = ((z > 30 ? 18 : 24) + 16 * Math.sin(Math.PI * Math.min(1, t * 1.2))) * s;
    if (Math.abs(x - 4 * s) < halfWidth) return true;
  }
  return Math.hypot(x, y - 78 * s) < 34 * s;
}

/** Below the diaphragm: liver on the right, spleen and stomach on the left. */
function belowDiaphragm(a: ThoraxAnatomy, x: number, y: number, z: number): boolean {
  const lung = x < 0 ? a.rightLung : a.leftLung;
  const domeTop = x < 0 ? a.diaphragmRightZ : a.diaphragmLeftZ;
  const r2 = ((x - lung.centre[0]) / lung.semiAxes[0]) ** 2 + ((y - lung.centre[1]) / lung.semiAxes[1]) ** 2;
  return z < domeTop - 45 * Math.min(1, r2);
}

function inEllipsoid(e: { centre: Vec3; semiAxes: Vec3 }, x: number, y: number, z: number, growMm = 0): boolean {
  return (
    ((x - e.centre[0]) / (e.semiAxes[0] + growMm)) ** 2 +
      ((y - e.centre[1]) / (e.semiAxes[1] + growMm)) ** 2 +
      ((z - e.centre[2]) / (e.semiAxes[2] + growMm)) ** 2 <
    1
  );
}

/**
 * HU of the chest at a point, before vessels, airways, the nodule and the scanner. Lung parenchyma
 * is −860 HU with a fine fractal texture and a gravity-dependent (posterior) density rise.
 */
export class ThoraxField {
  private readonly texture: ValueNoise;
  private readonly boneTexture: ValueNoise;

  constructor(
    private readonly a: ThoraxAnatomy,
    private readonly contrast: ContrastHu,
  ) {
    this.texture = new ValueNoise(`${a.textureSeed}:lung`);
    this.boneTexture = new ValueNoise(`${a.textureSeed}:bone`);
  }

  lungParenchymaHu(x: number, y: number, z: number): number {
    const gravity = 35 * Math.max(0, Math.min(1, (y + 40) / 130));
    return -865 + gravity + 28 * this.texture.fbm(x, y, z, 4, 3, 0.55);
  }

  hu(x: number, y: number, z: number): number {
    const a = this.a;
    const s = a.scale;
    const [ax, ay] = a.bodySemiAxesMm;
    const rBody = (x / ax) ** 2 + (y / ay) ** 2;
    if (rBody >= 1) return -1000;
    if (inLung(a, x, y, z)) return this.lungParenchymaHu(x, y, z);
    // Depth below the skin along the body ellipse (approximate radial distance).
    const depth = (1 - Math.sqrt(rBody)) * Math.min(ax, ay);
    if (depth < a.fatMm) return -95 + 8 * this.texture.at(x * 0.2, y * 0.2, z * 0.2);
    if (depth < a.fatMm + a.muscleMm) {
      if (this.inRib(x, y, z, depth)) return this.boneHu(x, y, z);
      return 48;
    }
    if (this.inRib(x, y, z, depth)) return this.boneHu(x, y, z);
    if (belowDiaphragm(a, x, y, z) && insideCavity(a, x, y, 0)) return x < 0 ? 62 + 0.4 * this.contrast.pulmonaryVessel * 0.2 : 55;
    // Spine: vertebral bodies with discs, and the spinal canal.
    const dSpine = Math.hypot(x, y - 72 * s);
    if (dSpine < 19 * s) {
      const disc = (z + 1000) % 28 < 5;
      if (disc) return 85;
      return dSpine > 17.5 * s ? 850 : this.boneHu(x, y, z) - 350;
    }
    if (Math.hypot(x, y - 100 * s) < 8 * s) return 25;
    // Sternum.
    if (Math.abs(x) < 14 * s && y < -ay + a.fatMm + a.muscleMm + 12 * s && y > -ay + a.fatMm + 4) return 350;
    // Heart with enhanced blood pool, and the great vessels.
    if (inEllipsoid(a.heart, x, y, z)) {
      const inner = inEllipsoid({ centre: a.heart.centre, semiAxes: [a.heart.semiAxes[0] - 12, a.heart.semiAxes[1] - 12, a.heart.semiAxes[2] - 10] }, x, y, z);
      return inner ? this.contrast.heartBlood : 45;
    }
    if (z < 55 && Math.hypot(x - 22 * s, y - 48 * s) < 12 * s) return this.contrast.aorta; // descending aorta
    if (z > -5 && z < 58 && Math.hypot(x - 4 * s, y + 24 * s) < 14 * s) return this.contrast.aorta; // ascending aorta
    if (z >= 55 && z < 68 && Math.hypot(x - (4 + (18 * (y + 24 * s)) / (72 * s)) * s, z - 61) < 12) {
      if (y > -38 * s && y < 60 * s) return this.contrast.aorta; // arch
    }
    if (z > 0 && z < 85 && Math.hypot(x + 24 * s, y + 18 * s) < 10 * s) return Math.round(0.6 * this.contrast.aorta); // superior vena cava
    if (z > 42 && Math.hypot(x, y + 2 * s) < 10 * s) return Math.hypot(x, y + 2 * s) < 8.5 * s ? -1000 : 30; // trachea
    if (Math.hypot(x, y - 40 * s) < 7 * s) return z > 0 ? -1000 : 35; // oesophagus (air above, collapsed below)
    return -85 + 10 * this.texture.at(x * 0.1, y * 0.1, z * 0.1); // mediastinal fat
  }

  /**
   * Ribs: tubes just inside the muscle layer, one every 24 mm, sloping down towards the front
   * (z = z_rib + 0.3·y), absent at the front where cartilage joins the sternum.
   */
  private inRib(x: number, y: number, z: number, depth: number): boolean {
    const a = this.a;
    const ribDepth = a.fatMm + a.muscleMm * 0.55;
    if (Math.abs(depth - ribDepth) > 6) return false;
    if (y < -a.bodySemiAxesMm[1] * 0.6 && Math.abs(x) < 45 * a.scale) return false;
    const zRib = z - 0.3 * y;
    const phase = ((zRib % 24) + 24) % 24;
    return Math.hypot(depth - ribDepth, (phase - 12) * 0.8) < Math.min(5.5, a.muscleMm * 0.45);
  }

  private boneHu(x: number, y: number, z: number): number {
    return 420 + 120 * this.boneTexture.fbm(x, y, z, 3, 2);
  }
}
