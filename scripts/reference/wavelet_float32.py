"""PyWavelets' coif1 stationary wavelet transform of a small image stored as float32 and as int16,
for test/fixtures/radiomics/wavelet/float32_swt.json.

PyWavelets keeps float32 input in single precision (float32 taps, float32 sums) and converts
integer input to float64, so the same whole-HU values give slightly different sub-bands when a
CT is stored as float32 (as the IBSI CT phantom's NIfTI is). The image is 8 x 7 x 5 voxels
(x, y, z): y and z are odd, so PyRadiomics' recipe (imageoperations._swt3: wrap-pad odd axes by one
voxel, pywt.swtn level 1 over axes (2, 1, 0), crop) is exercised on both, and the box is the whole
image, so PyWavelets' wrapped tap order at the high end of every axis is too. Every sub-band is
written in full, float32 values exactly (as float64 numbers), float64 values with repr.

    python3 scripts/reference/wavelet_float32.py
"""
import json
import os
import numpy as np
import pywt

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out_path = os.path.join(root, 'test', 'fixtures', 'radiomics', 'wavelet', 'float32_swt.json')


def swt3(matrix, axes=(2, 1, 0)):
    original_shape = matrix.shape
    padding = tuple((0, 1 if dim % 2 != 0 else 0) for dim in original_shape)
    data = np.pad(matrix.copy(), padding, 'wrap')
    dec = pywt.swtn(data, pywt.Wavelet('coif1'), level=1, start_level=0, axes=axes)[0]
    trim = tuple(slice(None, -1 if dim % 2 != 0 else None) for dim in original_shape)
    return {'wavelet-' + name.replace('a', 'L').replace('d', 'H'): band[trim] for name, band in dec.items()}


rng = np.random.default_rng(20261206)
shape = (5, 7, 8)  # (z, y, x)
z, y, x = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
hu = np.round(-300 + 400 * np.sin(x / 2.3) * np.cos(y / 3.1) + 150 * np.sin(z / 1.7) + rng.normal(0, 60, shape))
single = swt3(hu.astype(np.float32))
double = swt3(hu.astype(np.int16))
assert all(b.dtype == np.float32 for b in single.values()) and all(b.dtype == np.float64 for b in double.values())
result = {
    'source': 'scripts/reference/wavelet_float32.py, PyWavelets %s, NumPy %s' % (pywt.__version__, np.__version__),
    'dims_xyz': [shape[2], shape[1], shape[0]],
    'values': [int(v) for v in hu.ravel()],  # x fastest, then y, then z
    'float32': {k: [float(v) for v in b.ravel()] for k, b in sorted(single.items())},
    'int16': {k: [float(v) for v in b.ravel()] for k, b in sorted(double.items())},
}
with open(out_path, 'w') as f:
    json.dump(result, f, separators=(',', ':'))
    f.write('\n')
print('wrote', out_path, {k: float(np.max(np.abs(single[k].astype(np.float64) - double[k]))) for k in sorted(single)})
