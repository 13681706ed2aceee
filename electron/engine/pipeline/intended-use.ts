/**
 * Checks a bedside case against the model bundle's intended use: the modality, slice thickness,
 * pixel spacing and nodule size the training cohort covered, and whether the series is contrast
 * enhanced (the method is defined on contrast-enhanced CT). Outside the range is a warning on the
 * report; a bundle may list codes it refuses (`refuseOn`), and a series that is not CT is always
 * refused. Tolerances: ±0.25 mm on slice thickness, ±0.1 mm on pixel spacing, ±10 % on diameter.
 */
import type { NoduleMeasurements } from '../segmentation/measurements.js';
import type { ModelBundle } from '../signatures/bundle.js';
import type { CaseDescription, QualityWarning } from '../signatures/prediction-record.js';
import { arrayMax } from '../core/array-extent.js';

/** Codes refused whatever the bundle says. */
const ALWAYS_REFUSED = new Set(['MODALITY_NOT_CT']);

const fmt = (x: number) => String(+x.toFixed(2));

export function checkIntendedUse(bundle: ModelBundle & { refuseOn?: string[] }, c: CaseDescription, m: NoduleMeasurements): QualityWarning[] {
  const found: { code: string; message: string }[] = [];
  const range = bundle.intendedRange;
  if (c.modality && c.modality !== 'CT') found.push({ code: 'MODALITY_NOT_CT', message: `the series is ${c.modality}, not CT; this model reads CT only` });
  const [tLo, tHi] = range.sliceThicknessMm;
  if (c.sliceThicknessMm < tLo - 0.25 || c.sliceThicknessMm > tHi + 0.25)
    found.push({
      code: 'SLICE_THICKNESS_OUTSIDE_TRAINING',
      message: `slice thickness ${fmt(c.sliceThicknessMm)} mm is outside the training range ${fmt(tLo)}–${fmt(tHi)} mm`,
    });
  const [pLo, pHi] = range.pixelSpacingMm;
  const pixel = arrayMax(c.pixelSpacingMm);
  if (pixel < pLo - 0.1 || pixel > pHi + 0.1)
    found.push({ code: 'PIXEL_SPACING_OUTSIDE_TRAINING', message: `pixel spacing ${fmt(pixel)} mm is outside the training range ${fmt(pLo)}–${fmt(pHi)} mm` });
  if (range.diameterMm) {
    const [dLo, dHi] = range.diameterMm;
    const d = m.longestAxialDiameterMm;
    if (d < dLo * 0.9 || d > dHi * 1.1)
      found.push({ code: 'NODULE_SIZE_OUTSIDE_TRAINING', message: `nodule diameter ${fmt(d)} mm is outside the training range ${fmt(dLo)}–${fmt(dHi)} mm` });
  }
  if (c.contrast === 'no')
    found.push({ code: 'NON_CONTRAST_SERIES', message: 'the series records no contrast agent (0018,0010); the model was built on contrast-enhanced CT' });
  if (c.contrast === 'unknown')
    found.push({ code: 'CONTRAST_UNKNOWN', message: 'the image file carries no contrast information (not DICOM); confirm the series is contrast enhanced' });
  const refused = new Set([...ALWAYS_REFUSED, ...(bundle.refuseOn ?? [])]);
  return found.map((f) => ({ ...f, severity: refused.has(f.code) ? 'refusal' : 'warning' }));
}
