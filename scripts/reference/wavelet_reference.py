"""Reference statistics of PyRadiomics-style wavelet sub-bands for test/fixtures/radiomics/wavelet/.

PyRadiomics (imageoperations._swt3) pads odd axes by wrapping one voxel and applies
pywt.swtn(level=1, start_level=0) once per level to the previous approximation. This script
reproduces that recipe with PyWavelets 1.1.1 on the breast1 test image and records, for every
sub-band, the mean and the mean square of the response over the ROI (label 1), so that Hilum's
wavelets other than coif1 level 1 (checked against PyRadiomics' own outputs) are tested too.

    /usr/bin/python3 scripts/reference/wavelet_reference.py
"""
import gzip
import json
import os
import numpy as np
import pywt

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = os.path.join(root, 'test', 'fixtures', 'radiomics', 'pyradiomics', 'data')


def read_nrrd(path):
    raw = open(path, 'rb').read()
    head, _, body = raw.partition(b'\n\n')
    fields = dict(line.split(': ', 1) for line in head.decode().splitlines()[1:] if ': ' in line)
    sizes = [int(s) for s in fields['sizes'].split()]
    dtype = {'short': '<i2', 'int': '<i4', 'unsigned char': 'u1', 'uchar': 'u1'}[fields['type']]
    if fields.get('encoding') == 'gzip':
        body = gzip.decompress(body)
    return np.frombuffer(body, dtype=dtype).reshape(sizes[::-1])  # (z, y, x)


def swt3(matrix, wavelet, level, start_level, axes=(2, 1, 0)):
    original_shape = matrix.shape
    padding = tuple((0, 1 if dim % 2 != 0 else 0) for dim in original_shape)
    data = np.pad(matrix.copy(), padding, 'wrap')
    w = pywt.Wavelet(wavelet)
    for _ in range(start_level):
        data = pywt.swtn(data, w, level=1, start_level=0, axes=axes)[0]['a' * len(axes)].copy()
    out = {}
    trim = tuple(slice(None, -1 if dim % 2 != 0 else None) for dim in original_shape)
    for k in range(start_level, start_level + level):
        dec = pywt.swtn(data, w, level=1, start_level=0, axes=axes)[0]
        data = dec['a' * len(axes)].copy()
        prefix = 'wavelet' if k == start_level else 'wavelet%d' % (k - start_level + 1)
        for name, band in dec.items():
            if name == 'a' * len(axes):
                continue
            out[prefix + '-' + name.replace('a', 'L').replace('d', 'H')] = band[trim]
    out[prefix + '-' + 'L' * len(axes)] = data[trim]
    return out


if __name__ == '__main__':
    image = read_nrrd(os.path.join(data, 'breast1_image.nrrd'))
    label = read_nrrd(os.path.join(data, 'breast1_label.nrrd')) == 1
    result = {'pywavelets': pywt.__version__, 'case': 'breast1', 'cases': []}
    for wavelet, level, start_level in [('haar', 2, 1), ('sym4', 1, 0), ('bior2.2', 1, 0)]:
        bands = swt3(image, wavelet, level, start_level)
        result['cases'].append({
            'wavelet': wavelet, 'level': level, 'start_level': start_level,
            'bands': {name: {'mean': float(b[label].mean()), 'meanSquare': float((b[label] ** 2).mean())} for name, b in bands.items()},
        })
    out = os.path.join(root, 'test', 'fixtures', 'radiomics', 'wavelet', 'breast1_wavelets.json')
    with open(out, 'w') as f:
        json.dump(result, f, indent=1)
    print('wrote', out)
