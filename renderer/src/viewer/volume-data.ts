/** vtkImageData for the CT, its mask, a reduced copy for the 3D view, and the mask's surface. */
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import type vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData';
import vtkImageMarchingCubes from '@kitware/vtk.js/Filters/General/ImageMarchingCubes';
import { indexBox, indexToLps, vtkDirection } from './geometry';
import type { Vec3, VolumeGeometry } from './types';

function imageOn(g: VolumeGeometry, values: Int16Array | Uint8Array, name: string): vtkImageData {
  const image = vtkImageData.newInstance();
  image.setDimensions(g.dims[0], g.dims[1], g.dims[2]);
  image.setSpacing([...g.spacingMm]);
  image.setOrigin([...g.originLps]);
  image.setDirection(Float32Array.from(vtkDirection(g)));
  image.getPointData().setScalars(vtkDataArray.newInstance({ name, numberOfComponents: 1, values }));
  return image;
}

/** The CT as vtkImageData in LPS millimetres (HU scalars, shared with the voxel array, not copied). */
export function ctImage(g: VolumeGeometry, voxels: Int16Array): vtkImageData {
  if (voxels.length !== g.dims[0] * g.dims[1] * g.dims[2]) throw new Error(`the volume has ${voxels.length} voxels, its grid ${g.dims.join('×')}`);
  return imageOn(g, voxels, 'HU');
}

/** A label map on the CT's grid (0 = background, 1 = lesion). */
export function maskImage(g: VolumeGeometry, mask: Uint8Array): vtkImageData {
  if (mask.length !== g.dims[0] * g.dims[1] * g.dims[2]) throw new Error(`the mask has ${mask.length} voxels, the CT ${g.dims.join('×')}`);
  return imageOn(g, mask, 'label');
}

/**
 * A block-averaged copy of the CT, at most `maxDim` voxels along any axis: the 3D view renders this
 * (software GL ray casting costs grow with the voxel count).
 */
export function reducedImage(g: VolumeGeometry, voxels: Int16Array, maxDim = 128): vtkImageData {
  const f = g.dims.map((n) => Math.max(1, Math.ceil(n / maxDim))) as Vec3;
  const dims = g.dims.map((n, a) => Math.floor(n / f[a])) as Vec3;
  const out = new Int16Array(dims[0] * dims[1] * dims[2]);
  const [nx, ny] = g.dims;
  const count = f[0] * f[1] * f[2];
  let o = 0;
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) {
        let sum = 0;
        for (let dk = 0; dk < f[2]; dk++)
          for (let dj = 0; dj < f[1]; dj++) {
            const row = i * f[0] + nx * (j * f[1] + dj + ny * (k * f[2] + dk));
            for (let di = 0; di < f[0]; di++) sum += voxels[row + di];
          }
        out[o++] = Math.round(sum / count);
      }
  // The centre of block 0 sits half a block minus half a voxel past the first voxel centre.
  const origin = indexToLps(g, f.map((n) => (n - 1) / 2) as Vec3);
  return imageOn({ dims, spacingMm: g.spacingMm.map((s, a) => s * f[a]) as Vec3, originLps: origin, direction: g.direction }, out, 'HU');
}

/**
 * The mask's iso-surface in LPS (null for an empty mask); computed on the mask's bounding box only.
 * `bounds`, when given, is a box known to hold every non-zero voxel (it may be larger, e.g. the union
 * of the last bounds and an edit's box), which spares scanning the whole mask for them.
 */
export function maskSurface(g: VolumeGeometry, mask: Uint8Array, bounds?: [Vec3, Vec3] | null): vtkPolyData | null {
  const [nx, ny, nz] = g.dims;
  const found = bounds === undefined ? indexBox(g.dims, (o) => mask[o] !== 0) : bounds;
  if (!found) return null;
  const [lo, hi] = found;
  let any = false;
  // One voxel of background around the box closes the surface.
  const start = lo.map((v) => v - 1);
  const size = hi.map((v, a) => v - lo[a] + 3);
  const crop = new Uint8Array(size[0] * size[1] * size[2]);
  for (let k = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++)
      for (let i = 0; i < size[0]; i++) {
        const [si, sj, sk] = [start[0] + i, start[1] + j, start[2] + k];
        if (si < 0 || sj < 0 || sk < 0 || si >= nx || sj >= ny || sk >= nz) continue;
        if (mask[si + nx * (sj + ny * sk)]) {
          crop[i + size[0] * (j + size[1] * k)] = 1;
          any = true;
        }
      }
  if (!any) return null;
  // Marching cubes in index units; the points are then mapped to LPS (the filter ignores direction).
  const box = vtkImageData.newInstance();
  box.setDimensions(size[0], size[1], size[2]);
  box.setOrigin([start[0], start[1], start[2]]);
  box.getPointData().setScalars(vtkDataArray.newInstance({ name: 'label', numberOfComponents: 1, values: crop }));
  const mc = vtkImageMarchingCubes.newInstance({ contourValue: 0.5, computeNormals: false, mergePoints: true });
  mc.setInputData(box);
  const surface = mc.getOutputData() as vtkPolyData;
  const pts = surface.getPoints().getData() as Float32Array;
  for (let p = 0; p < pts.length; p += 3) {
    const w = indexToLps(g, [pts[p], pts[p + 1], pts[p + 2]]);
    pts[p] = w[0];
    pts[p + 1] = w[1];
    pts[p + 2] = w[2];
  }
  surface.getPoints().modified();
  return surface;
}
