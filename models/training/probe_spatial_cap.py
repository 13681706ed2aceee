#!/usr/bin/python3
"""How far a perfect detector of the peritumoral findings would lift a study (a research probe, not the app).

Reads a study's predictions.csv and the phantom cohort's clinical/<id>.json, and fits on the
training split an unpenalised logistic regression (Newton–Raphson, probe_peritumoral_fit.py) of
the label on the study's combined score plus the phantom's *true* peritumoral findings (satellite count, halo
strength, strand count), which no method sees exactly. Prints the AUC (Mann–Whitney) on each split
for each set of predictors, as one JSON line per set: the ceiling an ideal satellite counter or halo
meter added to the study's combined model could reach on that cohort. Then the same with satellite
count and halo strength measured with noise (Gaussian, SD chosen so that each measure correlates r
with the truth; 30 seeded draws per r, mean AUC): how exact a real detector must be.

  /usr/bin/python3 probe_spatial_cap.py --cohort COHORT --predictions STUDY/predictions.csv
"""
import argparse
import csv
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_backbone import auc  # noqa: E402  (Mann-Whitney AUC, called auc(y, s))
from probe_peritumoral_fit import fit_logistic  # noqa: E402  (Newton-Raphson, intercept first)

SETS = (
    ("combined_score",),
    ("combined_score", "satelliteCount"),
    ("combined_score", "haloStrength"),
    ("combined_score", "satelliteCount", "haloStrength"),
    ("combined_score", "satelliteCount", "haloStrength", "strandCount"),
)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cohort", required=True)
    ap.add_argument("--predictions", required=True)
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.predictions)))
    tumour = {r["patient_id"]: json.load(open(f"{a.cohort}/clinical/{r['patient_id']}.json"))["tumour"] for r in rows}

    def column(name, chosen):
        return np.array([float(r[name]) if name in r else float(tumour[r["patient_id"]][name]) for r in chosen])

    splits = {s: [r for r in rows if r["split"] == s] for s in ("training", "validation", "external")}
    labels = {s: np.array([int(r["label"]) for r in chosen]) for s, chosen in splits.items()}
    for predictors in SETS:
        x = {s: np.column_stack([column(p, chosen) for p in predictors]) for s, chosen in splits.items() if chosen}
        beta = fit_logistic(x["training"], labels["training"])
        out = {"predictors": list(predictors)}
        for s in x:
            out[s] = round(float(auc(labels[s], beta[0] + x[s] @ beta[1:])), 3)
        print(json.dumps(out))

    rows_split = np.array([r["split"] for r in rows])
    y = np.array([int(r["label"]) for r in rows])
    combined = column("combined_score", rows)
    truth = [column("satelliteCount", rows), column("haloStrength", rows)]
    rng = np.random.default_rng(0)
    for r in (0.9, 0.8, 0.7, 0.5):
        draws = []
        for _ in range(30):
            measured = [v + rng.normal(0, v.std() * np.sqrt(1 / r**2 - 1), len(v)) for v in truth]
            x = np.column_stack([combined, *measured])
            beta = fit_logistic(x[rows_split == "training"], y[rows_split == "training"])
            draws.append([auc(y[rows_split == s], beta[0] + x[rows_split == s] @ beta[1:]) for s in ("validation", "external")])
        mean = np.mean(draws, axis=0)
        print(json.dumps({"predictors": ["combined_score", "satellite count and halo strength measured with r"], "r": r, "validation": round(float(mean[0]), 3), "external": round(float(mean[1]), 3)}))


if __name__ == "__main__":
    main()
