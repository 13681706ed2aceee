#!/usr/bin/python3
"""What a study's signatures see of the phantom's true risk parts (a research probe, not the app).

Reads a study's predictions.csv (split and each signature's score) and the cohort's truth.terms
(`hilum phantom`), and prints one JSON line per split: for each signature score, the Pearson
correlation with the clinical part (clinical + composition), the radiomic part, the spatial
(peritumoral) part, and the spatial part beyond clinical — the spatial part less its linear
regression on the clinical part within the split, as probe_backbone.py defines it.

  /usr/bin/python3 probe_study_parts.py --cohort COHORT --predictions STUDY/predictions.csv
"""
import argparse
import csv
import json

import numpy as np

SCORES = ("clinical_score", "radiomics_score", "mil_score", "dlrad_score", "combined_score")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cohort", required=True)
    ap.add_argument("--predictions", required=True)
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.predictions)))
    terms = {r["patient_id"]: json.load(open(f"{a.cohort}/clinical/{r['patient_id']}.json"))["truth"]["terms"] for r in rows}
    for split in ("training", "validation", "external"):
        chosen = [r for r in rows if r["split"] == split]
        if not chosen:
            continue
        part = lambda *names: np.array([sum(terms[r["patient_id"]][n] for n in names) for r in chosen])  # noqa: E731
        clinical, radiomic, spatial = part("clinical", "composition"), part("radiomic"), part("spatial")
        beyond = spatial - np.polyval(np.polyfit(clinical, spatial, 1), clinical)
        out = {"split": split, "patients": len(chosen)}
        for name in SCORES:
            score = np.array([float(r[name]) for r in chosen])
            r = lambda x: round(float(np.corrcoef(score, x)[0, 1]), 3)  # noqa: E731
            out[name] = {"r_clinical": r(clinical), "r_radiomic": r(radiomic), "r_spatial": r(spatial), "r_spatial_beyond_clinical": r(beyond)}
        print(json.dumps(out))


if __name__ == "__main__":
    main()
