"""Checks Hilum's coif1 wavelet responses on the IBSI CT phantom (float32 NIfTI) against PyWavelets.

PyRadiomics' full output for this CT is held back, so this compares what can be rebuilt without
PyRadiomics: PyRadiomics' wavelet recipe (imageoperations._swt3: wrap-pad odd axes, pywt.swtn
level 1 over axes (2, 1, 0) on the float32 array, crop) and NumPy order statistics of every
sub-band over the GTV (Median, Minimum, Maximum, 10th and 90th percentile), against the
`wavelet-*_firstorder_*` values of a Hilum JSON output made with owl.yaml:

    node bin/hilum.js radiomics --image ../shared/reference/radiomics/ibsi/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz \
      --mask ../shared/reference/radiomics/ibsi/ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz \
      --params ../shared/reference/radiomics/pyradiomics-3.1/owl.yaml --out ct.json
    python3 scripts/reference/ibsi_ct_wavelet_check.py ct.json

Needs NumPy and PyWavelets; not used by the tests.
"""
import gzip
import json
import os
import struct
import sys
import numpy as np
import pywt

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
phantom = os.path.join(root, '..', 'shared', 'reference', 'radiomics', 'ibsi', 'ibsi_1_ct_radiomics_phantom', 'nifti')


def read_nifti(path):
    raw = gzip.open(path).read()
    dim = struct.unpack('<8h', raw[40:56])
    datatype = struct.unpack('<h', raw[70:72])[0]
    offset = int(struct.unpack('<f', raw[108:112])[0])
    sizes = dim[1:4]
    dtype = np.dtype({2: 'u1', 4: '<i2', 16: '<f4'}[datatype])
    count = int(np.prod(sizes))
    return np.frombuffer(raw[offset:offset + count * dtype.itemsize], dtype=dtype).reshape(sizes[::-1])  # (z, y, x)


image = read_nifti(os.path.join(phantom, 'image', 'phantom.nii.gz'))
roi = read_nifti(os.path.join(phantom, 'mask', 'mask.nii.gz')) == 1
shape = image.shape
data = np.pad(image.copy(), tuple((0, 1 if n % 2 else 0) for n in shape), 'wrap')
bands = pywt.swtn(data, pywt.Wavelet('coif1'), level=1, start_level=0, axes=(2, 1, 0))[0]
trim = tuple(slice(None, -1 if n % 2 else None) for n in shape)
hilum = json.load(open(sys.argv[1]))['features']
worst = 0.0
for name, band in sorted(bands.items()):
    values = band[trim][roi].astype(np.float64)
    key = 'wavelet-' + name.replace('a', 'L').replace('d', 'H')
    for feature, expected in [('Median', np.median(values)), ('Minimum', values.min()), ('Maximum', values.max()),
                              ('10Percentile', np.percentile(values, 10)), ('90Percentile', np.percentile(values, 90))]:
        ours = hilum['%s_firstorder_%s' % (key, feature)]
        rel = abs(ours - expected) / max(abs(expected), 1e-300)
        worst = max(worst, rel)
        if rel > 1e-12:
            print(key, feature, ours, expected, rel)
print('image %s %s, %d ROI voxels; largest relative difference over 8 sub-bands x 5 order statistics: %.3g'
      % (image.dtype, shape, roi.sum(), worst))
