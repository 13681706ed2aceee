/** The geometry and voxels of one CT volume as `images.open` + `images.voxels` deliver them. */
export type Vec3 = [number, number, number];

export interface VolumeGeometry {
  dims: Vec3;
  spacingMm: Vec3;
  originLps: Vec3;
  /** Row-major 3×3, the axis directions as columns (the engine's ImageGrid convention). */
  direction: [number, number, number, number, number, number, number, number, number];
}

export interface CtVolume extends VolumeGeometry {
  volumeId: string;
  huRange: [number, number];
  /** HU, i fastest: offset = i + nx·(j + ny·k). */
  voxels: Int16Array;
}

export type Plane = 'axial' | 'coronal' | 'sagittal';

export interface WindowLevel {
  width: number;
  level: number;
}

/** What a click in an MPR view does: move the crosshair, segment there, paint/erase the mask there, or measure a distance. */
export type ViewerMode = 'navigate' | 'segment' | 'paint' | 'erase' | 'ruler';

/** The voxel box (inclusive index bounds) that changed when a mask was updated in place; `seq` makes each change new. */
export interface MaskChange {
  box: [Vec3, Vec3];
  seq: number;
}

/** A ruler line drawn in one MPR view, kept on its plane and slice; its end points are LPS mm. */
export interface RulerMeasurement {
  id: string;
  plane: Plane;
  slice: number;
  aLps: Vec3;
  bLps: Vec3;
  lengthMm: number;
}
