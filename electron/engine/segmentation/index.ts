export { segmentNodule, type ClickSegmentOptions, type ClickSegmentResult, type SeedPoint } from './click-segment.js';
export { MaskEditor, type BrushOptions, type MaskEdit } from './mask-editor.js';
export { measureNodule, maskBox, longestAxialDiameter, dice, SOLID_THRESHOLD_HU, type NoduleMeasurements } from './measurements.js';
