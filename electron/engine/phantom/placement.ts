import type { Vec3 } from '../imaging/vec.js';
import { add, normalize, scale } from '../imaging/vec.js';
import type { Lobe } from './clinical.js';
import type { Random } from './random.js';
import { type ThoraxAnatomy, lungSide } from './thorax.js';

/** Which lobe a lung point belongs to (horizontal and oblique fissures approximated by planes). */
export function lobeAt(a: ThoraxAnatomy, p: Vec3): Lobe | null {
  const side = lungSide(a, p[0], p[1], p[2]);
  if (side === 0) return null;
  const [, y, z] = p;
  if (side < 0) {
    // Right: oblique fissure runs from posterior-superior to anterior-inferior; the horizontal fissure splits RUL/RML.
    const oblique = z - 10 + 0.45 * (y - 20);
    if (oblique < 0) return 'RLL';
    return z > 8 ? 'RUL' : 'RML';
  }
  return z - 0 + 0.45 * (y - 20) < 0 ? 'LLL' : 'LUL';
}

/** Distance (mm) from p to the nearest point outside the lung, searched along 26 directions in 0.5 mm steps up to `limitMm`. */
export function distanceToPleura(a: ThoraxAnatomy, p: Vec3, limitMm: number): { distanceMm: number; direction: Vec3 } {
  let best = { distanceMm: limitMm, direction: [0, 0, 1] as Vec3 };
  for (let dx = -1; dx <= 1; dx++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dz = -1; dz <= 1; dz++) {
        if (!dx && !dy && !dz) continue;
        const dir = normalize([dx, dy, dz]);
        for (let t = 0.5; t < best.distanceMm; t += 0.5) {
          const q = add(p, scale(dir, t));
          if (lungSide(a, q[0], q[1], q[2]) === 0) {
            best = { distanceMm: t, direction: dir };
            break;
          }
        }
      }
  return best;
}

export interface Placement {
  centreLps: Vec3;
  lobe: Lobe;
  pleuraDistanceMm: number;
  pleuraDirection: Vec3;
}

/**
 * A nodule centre in the requested lobe. Central tumours lie within 55 mm of the hilum. A
 * juxtapleural tumour's centre is 0.6–0.9 radii from the pleura (it abuts the chest wall); others
 * keep the whole tumour (radius + 3 mm) inside the lung.
 */
export function placeNodule(a: ThoraxAnatomy, rng: Random, lobe: Lobe, radiusMm: number, location: 'central' | 'peripheral', juxtapleural: boolean): Placement {
  const right = lobe.startsWith('R');
  const lung = right ? a.rightLung : a.leftLung;
  const hilum = right ? a.hilumRight : a.hilumLeft;
  let fallback: Placement | null = null;
  for (let attempt = 0; attempt < 4000; attempt++) {
    const p: Vec3 = [
      lung.centre[0] + rng.uniform(-1, 1) * lung.semiAxes[0],
      lung.centre[1] + rng.uniform(-1, 1) * lung.semiAxes[1],
      rng.uniform(Math.min(a.diaphragmRightZ, a.diaphragmLeftZ) - 20, a.apexZ - 15),
    ];
    if (lobeAt(a, p) !== lobe) continue;
    const toHilum = Math.hypot(p[0] - hilum[0], p[1] - hilum[1], p[2] - hilum[2]);
    if ((location === 'central') !== toHilum < 55) continue;
    const { distanceMm, direction } = distanceToPleura(a, p, radiusMm + 12);
    const placement = { centreLps: p, lobe, pleuraDistanceMm: distanceMm, pleuraDirection: direction };
    fallback ??= placement;
    if (juxtapleural) {
      if (distanceMm >= 0.6 * radiusMm && distanceMm <= 0.9 * radiusMm) return placement;
    } else if (distanceMm >= radiusMm + 3) return placement;
  }
  if (!fallback) throw new Error(`no room for a ${2 * radiusMm} mm nodule in ${lobe}`);
  return fallback;
}
