"""Reference LBP 3D maps for test/fixtures/radiomics/lbp/breast1_lbp3d.json.

Follows PyRadiomics' getLBP3DImage recipe (radiomics/imageoperations.py, 3.1) with SciPy 1.10:
icosphere vertices (icosahedron with vertices (+-1, +-t, 0)..., subdivided at edge midpoints and
projected on the sphere, as trimesh.creation.icosphere builds it; trimesh itself is not installed,
the vertex order does not matter), cubic-spline samples by scipy.ndimage.map_coordinates(order=3)
on the whole breast1 image, scipy.stats.kurtosis, and the spherical-harmonic levels with
scipy.special.sph_harm(m, n, theta=arccos(z/R), phi=arctan2(y, x)) exactly as PyRadiomics calls it.
Records, per derived image, the mean over the ROI (NaN kurtosis voxels counted separately).

    /usr/bin/python3 scripts/reference/lbp3d_reference.py
"""
import json
import os
import sys
import numpy as np
from scipy.ndimage import map_coordinates
from scipy.special import sph_harm
from scipy.stats import kurtosis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wavelet_reference import read_nrrd, root, data  # noqa: E402


def icosphere(subdivisions, radius):
    t = (1.0 + 5.0 ** .5) / 2.0
    v = np.array([-1, t, 0, 1, t, 0, -1, -t, 0, 1, -t, 0, 0, -1, t, 0, 1, t,
                  0, -1, -t, 0, 1, -t, t, 0, -1, t, 0, 1, -t, 0, -1, -t, 0, 1], dtype=float).reshape(-1, 3)
    v /= np.sqrt(2.0 + t)
    for _ in range(subdivisions):
        d = np.linalg.norm(v[:, None] - v[None], axis=2)
        edge = d[d > 0].min()
        i, j = np.where(np.triu(d < edge * 1.2, 1))
        mids = (v[i] + v[j]) / 2
        v = np.vstack([v, mids])
        r = np.linalg.norm(v, axis=1)
        v = v + (v / r[:, None]) * (radius - r)[:, None]
    return v


def lbp3d(im_arr, ma_arr, levels=2, radius=1.0, subdivision=1):
    coords_ico = icosphere(subdivision, radius)
    theta = np.arccos(np.true_divide(coords_ico[:, 2], radius))
    phi = np.arctan2(coords_ico[:, 1], coords_ico[:, 0])
    Y = sph_harm(0, 0, theta, phi)
    n_ix = np.array(0)
    for n in range(1, levels):
        for m in range(-n, n + 1):
            n_ix = np.append(n_ix, n)
            Y = np.column_stack((Y, sph_harm(m, n, theta, phi)))
    roi = np.where(ma_arr)
    coords = np.array(roi).T[None, :, :] + coords_ico[:, None, :]
    f = map_coordinates(im_arr, coords.T, order=3)
    k = kurtosis(f, axis=1)
    f = np.greater_equal(f, im_arr[roi][:, None]).astype(int)
    c = np.multiply(f[:, :, None], Y[None, :, :]).sum(axis=1)
    fl = np.multiply(c[:, None, n_ix == 0], Y[None, :, n_ix == 0])
    for n in range(1, levels):
        fl = np.concatenate((fl, np.sum(np.multiply(c[:, None, n_ix == n], Y[None, :, n_ix == n]), axis=2, keepdims=True)), axis=2)
    fl = np.real(np.sqrt(np.sum(fl ** 2, axis=1)))
    return fl, np.real(k)


image = read_nrrd(os.path.join(data, 'breast1_image.nrrd'))
label = read_nrrd(os.path.join(data, 'breast1_label.nrrd')) == 1
levels, k = lbp3d(image, label)
result = {
    'scipy': __import__('scipy').__version__, 'case': 'breast1', 'settings': {'lbp3DLevels': 2, 'lbp3DIcosphereRadius': 1, 'lbp3DIcosphereSubdivision': 1},
    'images': {
        'lbp-3D-m1': {'mean': float(levels[:, 0].mean())},
        'lbp-3D-m2': {'mean': float(levels[:, 1].mean())},
        'lbp-3D-k': {'mean': float(np.nanmean(k)), 'nan': int(np.isnan(k).sum())},
    },
}
out = os.path.join(root, 'test', 'fixtures', 'radiomics', 'lbp', 'breast1_lbp3d.json')
with open(out, 'w') as f:
    json.dump(result, f, indent=1)
print('wrote', out, result)
