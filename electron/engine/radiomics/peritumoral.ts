/**
 * The peritumoral region of a tumour mask: a ring of tissue just outside it, where satellite
 * nodules, strands and a ground-glass halo lie. Peritumoral radiomics computes the usual features on
 * that ring instead of on the tumour (e.g. Beig et al., Radiology 2019; many OLNM studies of lung
 * adenocarcinoma add it to the intratumoral features).
 *
 * Ring(r) = { voxel v ∉ T : min over t ∈ T of ‖centre(v) − centre(t)‖ ≤ r }, distances in mm on the
 * mask's own grid (exact Euclidean distance transform with its anisotropic spacing,
 * segmentation/distance-transform.ts). It is not clipped to the lung: a juxtapleural tumour's ring
 * holds chest wall, as a dilated mask does in PyRadiomics-based studies; the ring's features say so
 * (its HU distribution), and the signatures see them through selection like any other feature.
 */
import { HilumError } from '../core/errors.js';
import { type ScalarImage, labelBoundingBox, padBoundingBox } from '../imaging/volume.js';
import { squaredDistanceToFeatures } from '../segmentation/distance-transform.js';

/** The label the ring carries in its mask (extract it with `label: 1`). */
export const RING_LABEL = 1;

/** The feature-name prefix of a ring of r mm, spelled as PyRadiomics spells filter parameters (3 → `peritumoral-3-0-mm-`). */
export function peritumoralPrefix(ringMm: number): string {
  const text = Number.isInteger(ringMm) ? ringMm.toFixed(1) : String(ringMm);
  return `peritumoral-${text.replace('.', '-')}-mm-`;
}

/** The ring of `ringMm` mm around the voxels labelled `label`, as a 0/1 mask on the same grid. */
export function peritumoralRing(mask: ScalarImage, label: number, ringMm: number, caseName: string): ScalarImage<Uint8Array> {
  if (!(ringMm > 0) || !Number.isFinite(ringMm))
    throw new HilumError({
      code: 'RADIOMICS_INVALID_SETTING',
      message: `${caseName}: the peritumoral ring width must be a positive number of mm (got ${ringMm})`,
    });
  const tumour = Uint8Array.from(mask.voxels as ArrayLike<number>, (v) => (v === label ? 1 : 0));
  const box = labelBoundingBox({ dims: mask.dims, voxels: tumour });
  if (!box)
    throw new HilumError({
      code: 'RADIOMICS_MASK_EMPTY',
      message: `${caseName}: no voxel has label ${label}, so there is no tumour to draw a peritumoral ring around`,
    });
  // Voxels farther than the ring from the box cannot be in it: transform only the padded box.
  const pad = mask.spacingMm.map((s) => Math.ceil(ringMm / s) + 1) as [number, number, number];
  const d2 = squaredDistanceToFeatures(tumour, mask.dims, mask.spacingMm, { box: padBoundingBox(box, mask.dims, pad), limitMm: ringMm });
  const r2 = ringMm * ringMm;
  const ring = new Uint8Array(tumour.length);
  let count = 0;
  for (let i = 0; i < ring.length; i++)
    if (!tumour[i] && d2[i] <= r2) {
      ring[i] = RING_LABEL;
      count++;
    }
  if (count === 0)
    throw new HilumError({
      code: 'PERITUMORAL_RING_EMPTY',
      message: `${caseName}: the ${ringMm} mm peritumoral ring holds no voxel (the tumour fills the image, or the ring is narrower than the voxel spacing ${mask.spacingMm.map((s) => s.toFixed(2)).join(' × ')} mm)`,
      hint: 'Use a ring at least one voxel wide, on a CT that shows the tissue around the tumour.',
    });
  return { dims: mask.dims, spacingMm: mask.spacingMm, originLps: mask.originLps, direction: mask.direction, voxels: ring };
}
