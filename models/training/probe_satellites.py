#!/usr/bin/python3
"""Satellite-counter probe, step 2 (research, not part of the app).

Counts satellite micronodules around each tumour in the crops probe_satellites_dump.mjs wrote, and
asks what the count would add to a study. A satellite is a connected component (26-neighbourhood)
of voxels above LOW_HU outside the tumour (distance ≥ 1.5 mm, exact Euclidean distance transform on
the voxel grid) that peaks above PEAK_HU, does not touch the crop's edge, holds 2–80 mm³, lies 2–13
mm from the tumour and is compact: the square root of the ratio of its largest to smallest
principal second moment (voxel extent included) at most ELONGATION — vessels are tubes and fail it.

Prints, per centre, Pearson's r of the count with the phantom's true satellite count and true
spatial (peritumoral) risk part, then the AUC (training / validation / external) of a logistic
regression fitted on the training split of the label on the study's combined score with and
without the count.

  /usr/bin/python3 probe_satellites.py --crops DIR --cohort COHORT --predictions STUDY/predictions.csv
"""
import argparse
import csv
import glob
import json
import os

import numpy as np
from scipy import ndimage

from probe_spatial_cap import auc, fit_logistic

LOW_HU, PEAK_HU, ELONGATION = -650.0, -300.0, 2.2
MIN_MM3, MAX_MM3, NEAR_MM, FAR_MM, TUMOUR_GAP_MM = 2.0, 80.0, 2.0, 13.0, 1.5


def read_crop(file):
    """HU (z, y, x), mask (z, y, x) and the spacing (z, y, x) in mm."""
    raw = open(file, "rb").read()
    head = json.loads(raw[:512].decode().strip())
    nx, ny, nz = head["dims"]
    n = nx * ny * nz
    hu = np.frombuffer(raw[512 : 512 + 2 * n], np.int16).reshape(nz, ny, nx).astype(np.float32)
    mask = np.frombuffer(raw[512 + 2 * n : 512 + 3 * n], np.uint8).reshape(nz, ny, nx)
    return hu, mask, np.array(head["spacing"][::-1], float)


def count_satellites(hu, mask, spacing):
    distance = ndimage.distance_transform_edt(mask == 0, sampling=spacing)
    labels, _ = ndimage.label((hu > LOW_HU) & (distance >= TUMOUR_GAP_MM), structure=np.ones((3, 3, 3)))
    grid = np.stack(np.indices(mask.shape), -1) * spacing
    count = 0
    for k, box in enumerate(ndimage.find_objects(labels), 1):
        if any(s.start == 0 or s.stop == size for s, size in zip(box, mask.shape)):
            continue
        part = labels[box] == k
        if hu[box][part].max() < PEAK_HU:
            continue
        volume = part.sum() * spacing.prod()
        near = distance[box][part]
        if not (MIN_MM3 <= volume <= MAX_MM3) or near.min() < NEAR_MM or near.max() > FAR_MM:
            continue
        points = grid[box][part]
        moments = np.linalg.eigvalsh(np.cov(points.T) + np.diag(spacing**2 / 12))
        if np.sqrt(moments[2] / moments[0]) <= ELONGATION:
            count += 1
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crops", required=True)
    ap.add_argument("--cohort", required=True)
    ap.add_argument("--predictions", required=True)
    a = ap.parse_args()
    counts = {os.path.basename(f)[:-4]: count_satellites(*read_crop(f)) for f in sorted(glob.glob(f"{a.crops}/*.bin"))}
    rows = [r for r in csv.DictReader(open(a.predictions)) if r["patient_id"] in counts]
    truth = {r["patient_id"]: json.load(open(f"{a.cohort}/clinical/{r['patient_id']}.json")) for r in rows}
    for centre in sorted({r["centre"] for r in rows}):
        chosen = [r["patient_id"] for r in rows if r["centre"] == centre]
        found = np.array([counts[p] for p in chosen], float)
        true_count = np.array([truth[p]["tumour"]["satelliteCount"] for p in chosen], float)
        spatial = np.array([truth[p]["truth"]["terms"]["spatial"] for p in chosen], float)
        print(json.dumps({"centre": centre, "patients": len(chosen), "mean count": round(found.mean(), 2),
                          "mean true count": round(true_count.mean(), 2),
                          "r true count": round(float(np.corrcoef(found, true_count)[0, 1]), 2),
                          "r spatial part": round(float(np.corrcoef(found, spatial)[0, 1]), 2)}))
    split = np.array([r["split"] for r in rows])
    label = np.array([int(r["label"]) for r in rows])
    combined = np.array([float(r["combined_score"]) for r in rows])
    found = np.array([counts[r["patient_id"]] for r in rows], float)
    for name, x in (("combined score", combined[:, None]), ("combined score + satellite count", np.column_stack([combined, found]))):
        beta = fit_logistic(x[split == "training"], label[split == "training"])
        scores = {s: round(float(auc(label[split == s], beta[0] + x[split == s] @ beta[1:])), 3) for s in ("training", "validation", "external")}
        print(json.dumps({"predictors": name, **scores}))


if __name__ == "__main__":
    main()
