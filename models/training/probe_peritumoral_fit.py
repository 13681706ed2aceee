#!/usr/bin/python3
"""Does a peritumoral shell's radiomics see the phantom's spatial part? (research probe, not the app)

Reads the table of probe_peritumoral.mjs, the cohort's true risk parts (truth.terms of `hilum
phantom`) and a study's predictions.csv (its split and scores), and prints:
  - the features most correlated (Pearson) with the spatial part beyond the clinical part (the
    spatial part's residual after its linear regression on clinical + composition), per centre;
  - a shell score (training z-scores, the 10 features most correlated with the outcome, ridge
    logistic regression, λ = 5; out-of-fold in 5 folds for the training patients) with its AUC per split;
  - the study's combined and clinical scores alone and with the shell score added (logistic
    regression on the training split), AUC on validation and external test.

  /usr/bin/python3 probe_peritumoral_fit.py --cohort COHORT --shell shell.csv --predictions STUDY/predictions.csv
"""
import argparse
import csv
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_backbone import auc  # noqa: E402  (the trainer's Mann-Whitney AUC, called auc(y, s))


def fit_logistic(x, y, ridge=0.0, iterations=50):
    """Newton–Raphson logistic regression with an L2 penalty (not on the intercept)."""
    x = np.c_[np.ones(len(x)), x]
    beta = np.zeros(x.shape[1])
    penalty = ridge * np.eye(len(beta))
    penalty[0, 0] = 0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-x @ beta))
        w = p * (1 - p)
        beta += np.linalg.solve(x.T @ (x * w[:, None]) + penalty + 1e-10 * np.eye(len(beta)), x.T @ (y - p) - penalty @ beta)
    return beta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cohort", required=True)
    ap.add_argument("--shell", required=True)
    ap.add_argument("--predictions", required=True)
    a = ap.parse_args()
    manifest = {r["patient_id"]: r for r in csv.DictReader(open(f"{a.cohort}/manifest.csv"))}
    pred = {r["patient_id"]: r for r in csv.DictReader(open(a.predictions))}
    rows = [r for r in csv.DictReader(open(a.shell)) if r["patient_id"] in pred]
    names = [k for k in rows[0] if k not in ("patient_id", "shell_voxels")]
    x = np.array([[float(r[k]) for k in names] for r in rows])
    ids = [r["patient_id"] for r in rows]
    usable = np.isfinite(x).all(0) & (x.std(0) > 0)
    x = x[:, usable]
    names = [n for n, u in zip(names, usable) if u]
    terms = {k: json.load(open(f"{a.cohort}/{manifest[k]['clinical_path']}"))["truth"]["terms"] for k in ids}
    spatial = np.array([terms[k]["spatial"] for k in ids])
    clinical = np.array([terms[k]["clinical"] + terms[k]["composition"] for k in ids])
    beyond = spatial - np.polyval(np.polyfit(clinical, spatial, 1), clinical)
    y = np.array([int(manifest[k]["label"]) for k in ids])
    split = np.array([pred[k]["split"] for k in ids])
    centre = np.array([manifest[k]["centre"] for k in ids])
    a_, b_ = centre == "A", centre == "B"
    print(f"patients {len(ids)} (A {a_.sum()}, B {b_.sum()}), usable features {len(names)}")
    r = lambda m, j, t: np.corrcoef(x[m, j], t[m])[0, 1]
    top = sorted(range(len(names)), key=lambda j: -abs(r(a_, j, beyond)))[:8]
    print("feature: r with the spatial part beyond clinical, A / B")
    for j in top:
        print(f"  {names[j]:52s} {r(a_, j, beyond):+.2f} / {r(b_, j, beyond):+.2f}")

    training = split == "training"
    z = (x - x[training].mean(0)) / x[training].std(0)

    def shell_score(fit_rows, apply_rows):
        corr = [abs(np.corrcoef(z[fit_rows, j], y[fit_rows])[0, 1]) for j in range(z.shape[1])]
        chosen = np.argsort(corr)[::-1][:10]
        beta = fit_logistic(z[fit_rows][:, chosen], y[fit_rows], ridge=5.0)
        return np.c_[np.ones(apply_rows.sum()), z[apply_rows][:, chosen]] @ beta

    score = np.zeros(len(ids))
    score[~training] = shell_score(training, ~training)
    fold = np.random.default_rng(1).integers(0, 5, len(ids))
    for q in range(5):
        score[training & (fold == q)] = shell_score(training & (fold != q), training & (fold == q))
    cohorts = ["training", "validation", "external"]
    print("shell score AUC:", ", ".join(f"{c} {auc(y[split == c], score[split == c]):.3f}" for c in cohorts))
    print(f"shell score r with the spatial part beyond clinical: A {np.corrcoef(score[a_], beyond[a_])[0, 1]:+.2f}, B {np.corrcoef(score[b_], beyond[b_])[0, 1]:+.2f}")
    for base in ("combined_score", "clinical_score"):
        s = np.array([float(pred[k][base]) for k in ids])
        beta = fit_logistic(np.c_[s, score][training], y[training])
        both = np.c_[np.ones(len(s)), s, score] @ beta
        print(
            f"{base}: " + ", ".join(f"{c} {auc(y[split == c], s[split == c]):.3f} -> {auc(y[split == c], both[split == c]):.3f}" for c in cohorts[1:])
        )


if __name__ == "__main__":
    main()
