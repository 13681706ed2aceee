#!/usr/bin/python3
"""What a 2.5D backbone learns on a phantom cohort (a research probe, not part of the app).

Trains the final model of Hilum's in-study recipe (resources/training/hilum_train.py: same
architecture, augmentation and optimiser) on the training split's bags, scores every patient, and
prints one JSON line: the AUC of the patient's mean slice probability per split, and the Pearson
correlation of the patient's mean slice logit with each part of the phantom's true risk (truth.terms
of `hilum phantom`): r_clinical (clinical + composition), r_radiomic, r_spatial, and
r_spatial_beyond_clinical (with the spatial part's linear regression on the clinical part removed).
`--target spatial` trains on a phantom part (standardised, squared error) instead of the label: an
oracle target no real study has, to ask whether the input shows that part at all.

  /usr/bin/python3 probe_backbone.py --bags BAGS --cohort COHORT --split split.csv [--epochs 12]
      [--scanner 2] [--pooling average|average+max] [--width 12] [--seed 1] [--target label|spatial|radiomic|clinical]
      [--offset STUDY/predictions.csv]

`--offset` trains on the label with the study's clinical score as a fixed per-patient offset of the
slice logit (residual learning: the network is asked only for what the clinical model misses) and
adds the AUC of offset + mean slice logit and r with the radiomic part beyond clinical.

BAGS: `hilum deep-bags --manifest COHORT/manifest.csv --out BAGS [--config bag.json]` (every patient);
split.csv: a study's (patient_id, split); external = centre B.
"""
import argparse
import csv
import importlib.util
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("hilum_train", os.path.join(here, "..", "..", "resources", "training", "hilum_train.py"))
ht = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ht)


def auc(y, s):
    """Mann-Whitney AUC with mid-ranks."""
    return ht.auc(s, y)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bags", required=True)
    p.add_argument("--cohort", required=True)
    p.add_argument("--split", required=True)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--scanner", type=float, default=2)
    p.add_argument("--pooling", default="average", choices=["average", "average+max"])
    p.add_argument("--width", type=int, default=12)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--target", default="label", choices=["label", "spatial", "radiomic", "clinical"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--offset", help="a study's predictions.csv: train with its clinical_score as a fixed per-patient offset on the logit (residual learning)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    manifest = {r["patient_id"]: r for r in csv.DictReader(open(os.path.join(a.cohort, "manifest.csv")))}
    split = {}
    for r in csv.DictReader(open(a.split)):
        split[r["patient_id"]] = "external" if manifest[r["patient_id"]]["centre"] == "B" else r["split"]
    terms = {k: json.load(open(os.path.join(a.cohort, m["clinical_path"])))["truth"]["terms"] for k, m in manifest.items()}
    train_ids = [k for k, s in split.items() if s == "training"]
    job = {
        "bags": a.bags,
        "out": "/nonexistent",
        "trainIds": train_ids,
        "key": "probe",
        "recipe": {
            "architecture": {"family": "CompactResNet", "width": a.width, "pooling": a.pooling},
            "epochs": a.epochs,
            "batch": 64,
            "learningRate": 2e-3,
            "folds": 1,
            "seed": a.seed,
            "augmentation": {"flipRotate": True, "scanner": a.scanner},
            "device": "cpu",
            "threads": a.threads,
        },
    }
    ht.emit = lambda **m: None
    if a.target != "label":
        part = lambda k: terms[k][a.target] + (terms[k]["composition"] if a.target == "clinical" else 0)
        values = np.array([part(k) for k in train_ids])
        mu, sd = values.mean(), values.std()
        plain_stack = ht.Trainer.stack

        def stack(self, keep):
            x, _ = plain_stack(self, keep)
            y = np.concatenate([np.full(len(self.blocks[k]), (part(self.cases[k]["id"]) - mu) / sd, "f4") for k in keep])
            return x, torch.from_numpy(y)

        class SquaredError(nn.Module):
            def __init__(self, pos_weight=None):
                super().__init__()

            def forward(self, prediction, target):
                return ((prediction - target) ** 2).mean()

        ht.Trainer.stack = stack
        ht.nn.BCEWithLogitsLoss = SquaredError
    offset = {}
    if a.offset:
        offset = {r["patient_id"]: float(r["clinical_score"]) for r in csv.DictReader(open(a.offset))}
        plain_stack_o = ht.Trainer.stack

        def stack_o(self, keep):
            x, y = plain_stack_o(self, keep)
            o = np.concatenate([np.full(len(self.blocks[k]), offset[self.cases[k]["id"]], "f4") for k in keep])
            return x, torch.stack([y, torch.from_numpy(o)], 1)

        class OffsetBCE(nn.Module):
            def __init__(self, pos_weight=None):
                super().__init__()

            def forward(self, prediction, target):
                return nn.functional.binary_cross_entropy_with_logits(prediction + target[:, 1], target[:, 0])

        ht.Trainer.stack = stack_o
        ht.nn.BCEWithLogitsLoss = OffsetBCE
    started = time.time()
    trainer = ht.Trainer(job)
    model = trainer.train_model(list(range(len(trainer.cases))), a.seed, "final")
    seconds = time.time() - started
    index = json.load(open(os.path.join(a.bags, "index.json")))
    data = np.fromfile(os.path.join(a.bags, "bags.f32"), dtype="<f4")
    logit = {}
    for c in index["cases"]:
        n, ch, h, w = c["shape"]
        x = data[c["offset"] : c["offset"] + n * ch * h * w].reshape(n, ch, h, w)
        with torch.no_grad():
            logit[c["id"]] = model(torch.from_numpy(np.ascontiguousarray(x)))[0].numpy().astype("f8")
    out = {"target": a.target, "pooling": a.pooling, "epochs": a.epochs, "scanner": a.scanner, "seed": a.seed, "bagChannels": int(index["cases"][0]["shape"][1]), "seconds": round(seconds)}
    for s in ["training", "validation", "external"]:
        ids = [k for k, v in split.items() if v == s]
        y = np.array([int(manifest[k]["label"]) for k in ids])
        mean_p = np.array([np.mean(1 / (1 + np.exp(-logit[k]))) for k in ids])
        mean_logit = np.array([logit[k].mean() for k in ids])
        clinical = np.array([terms[k]["clinical"] + terms[k]["composition"] for k in ids])
        spatial = np.array([terms[k]["spatial"] for k in ids])
        radiomic = np.array([terms[k]["radiomic"] for k in ids])
        beyond = spatial - np.polyval(np.polyfit(clinical, spatial, 1), clinical)
        r = lambda v: round(float(np.corrcoef(mean_logit, v)[0, 1]), 2)
        if offset:
            o = np.array([offset[k] for k in ids])
            rr = lambda v: round(float(np.corrcoef(mean_logit - np.polyval(np.polyfit(clinical, mean_logit, 1), clinical), v - np.polyval(np.polyfit(clinical, v, 1), clinical))[0, 1]), 2)
            extra = {"auc_offset_plus_mean_logit": round(float(auc(y, o + mean_logit)), 3), "auc_offset": round(float(auc(y, o)), 3), "r_radiomic_beyond_clinical": rr(radiomic)}
        else:
            extra = {}
        out[s] = extra | {"patients": len(ids), "auc_mean_p": round(float(auc(y, mean_p)), 3), "r_clinical": r(clinical), "r_radiomic": r(radiomic), "r_spatial": r(spatial), "r_spatial_beyond_clinical": r(beyond)}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
