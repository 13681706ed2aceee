#!/usr/bin/python3
"""Train Hilum's 2.5D slice backbone and export it as ONNX with its model card.

Input: the bags written by `hilum deep-bags` (bags.f32 + index.json), so the slices are cut by the
same TypeScript code that cuts them at the bedside. Every slice carries its patient's label (the
multi-instance setting of the method: slice results are aggregated per patient afterwards).

Split: with --split (the split.csv that `hilum study --split-only` writes), the study's own split:
its training patients train the backbone, its validation and external patients are held out, so the
signatures fitted later on the same split never see a patient the backbone was trained on. Without
it, centre A's patients are split 70/30 by a hash of the patient id; every other centre is external.

Output (in --out): backbone.onnx (opset 17, dynamic batch; input `bag` [N, C, H, W]; outputs
`logit` [N] and `features` [N, F]), card.json (architecture, input spec, preprocessing, training
data, metrics, SHA-256 of the ONNX file), reference-input.f32 and reference-output.json (a few
slices and the PyTorch outputs for them, which ONNX Runtime must reproduce).

Use Debian's interpreter: /usr/bin/python3 models/training/train_backbone.py --bags DIR --out DIR
"""
import argparse
import hashlib
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn


def stable_fraction(text):
    """A number in [0, 1) from a string, the same on every machine."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 2**32


def gaussian_blur(xb, sigma):
    """Separable Gaussian blur of every channel (sigma in pixels), reflecting at the borders."""
    c = xb.shape[1]
    r = max(1, int(3 * sigma + 0.5))
    t = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-(t**2) / (2 * sigma**2))
    k = k / k.sum()
    xb = nn.functional.pad(xb, (r, r, r, r), mode="reflect")
    xb = nn.functional.conv2d(xb, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return nn.functional.conv2d(xb, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def scanner_augment(xb, generator, windows, mean, sd):
    """Scanner and protocol variation a second centre brings, applied in HU so every window channel
    sees the same change. The HU image is recovered from the widest window; then (1) contrast timing:
    everything above 0 HU (enhancing tumour, vessels) scaled by 0.55-1.15; (2) reconstruction kernel:
    unsharp masking of random sign (edge enhancement up to 0.5, or softening), and a Gaussian blur
    (sigma 0.3-1.5 px) in half the batches; (3) noise of random level (SD up to 15 HU) and a
    calibration offset (up to +-15 HU); the three windows are then cut again."""
    n = xb.shape[0]
    wide = max(range(len(windows)), key=lambda c: windows[c][1] - windows[c][0])
    lo, hi = windows[wide]
    hu = lo + (xb[:, wide : wide + 1] * sd[wide] + mean[wide]) * (hi - lo)
    scale = 0.55 + 0.6 * torch.rand((n, 1, 1, 1), generator=generator)
    hu = torch.where(hu > 0, hu * scale, hu)
    gain = -0.3 + 0.8 * torch.rand((n, 1, 1, 1), generator=generator)
    hu = hu + gain * (hu - gaussian_blur(hu, 1.2))
    if torch.rand(1, generator=generator).item() < 0.5:
        hu = gaussian_blur(hu, 0.3 + 1.2 * torch.rand(1, generator=generator).item())
    hu = hu + 15.0 * torch.rand((n, 1, 1, 1), generator=generator) * torch.randn(hu.shape, generator=generator)
    hu = hu + 30.0 * (torch.rand((n, 1, 1, 1), generator=generator) - 0.5)
    channels = [((hu - w[0]) / (w[1] - w[0])).clamp(0, 1) for w in windows]
    return torch.cat([(ch - m) / s for ch, m, s in zip(channels, mean, sd)], dim=1)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class CompactResNet(nn.Module):
    """A small ResNet: 3×3 stem, one basic block per stage (widths w, 2w, 4w, 8w; stride 2 from the
    second), global average pooling to the feature vector, a linear layer to the slice logit."""

    def __init__(self, channels, width):
        super().__init__()
        widths = [width, 2 * width, 4 * width, 8 * width]
        self.stem = nn.Sequential(nn.Conv2d(channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True))
        stages = []
        cin = width
        for i, w in enumerate(widths):
            stages.append(BasicBlock(cin, w, 1 if i == 0 else 2))
            cin = w
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(cin, 1)
        self.feature_length = cin

    def forward(self, x):
        features = torch.flatten(self.pool(self.stages(self.stem(x))), 1)
        return self.head(features).squeeze(1), features


def auc(scores, labels):
    """Mann-Whitney AUC with mid-ranks for ties."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = labels == 1
    n1, n0 = pos.sum(), (~pos).sum()
    if n1 == 0 or n0 == 0:
        return float("nan")
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def rounded(value):
    """4 decimals, or None (JSON null) when undefined, e.g. an AUC with one class."""
    return None if value != value else round(value, 4)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bags", required=True, help="folder written by `hilum deep-bags`")
    parser.add_argument("--out", required=True, help="model folder to write")
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--width", type=int, default=12, help="channels of the first stage")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train-centre", default="A")
    parser.add_argument("--oof-folds", type=int, default=5, help="folds for the out-of-fold training-patient outputs (oof.json); 0 or 1: none")
    parser.add_argument("--no-scanner-augmentation", dest="scanner_augmentation", action="store_false", help="only flips and turns")
    parser.add_argument("--split", help="split.csv (patient_id,split with training/validation/external) from `hilum study --split-only`")
    parser.add_argument("--threads", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--data-description", default="SYNTHETIC phantom cohort generated by `hilum phantom` (not patients)")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    index = json.load(open(os.path.join(args.bags, "index.json")))
    data = np.fromfile(os.path.join(args.bags, "bags.f32"), dtype="<f4")
    cases = index["cases"]
    shape = cases[0]["shape"]
    channels, height, width_px = shape[1], shape[2], shape[3]
    per_slice = channels * height * width_px

    study_split = None
    if args.split:
        import csv

        names = {"training": "train", "validation": "heldout", "external": "external"}
        with open(args.split, newline="") as f:
            study_split = {row["patient_id"]: names[row["split"]] for row in csv.DictReader(f)}
        unknown = [c["id"] for c in cases if c["id"] not in study_split]
        if unknown:
            raise SystemExit("the split file does not name %d patient(s) of the bags, e.g. %s" % (len(unknown), unknown[:3]))

    def split_of(case):
        if study_split is not None:
            return study_split[case["id"]]
        if case["centre"] != args.train_centre:
            return "external"
        return "train" if stable_fraction(case["id"]) < 0.7 else "heldout"

    slices = {"train": [], "heldout": [], "external": []}
    for case in cases:
        n = case["shape"][0]
        block = data[case["offset"] : case["offset"] + n * per_slice].reshape(n, channels, height, width_px)
        slices[split_of(case)].append((case, block))

    def stack(split):
        x = np.concatenate([b for _, b in slices[split]]) if slices[split] else np.zeros((0, channels, height, width_px), "f4")
        y = np.concatenate([np.full(len(b), c["label"], "f4") for c, b in slices[split]]) if slices[split] else np.zeros(0, "f4")
        return torch.from_numpy(x), torch.from_numpy(y)

    x_train, y_train = stack("train")
    config = index["config"]
    def train_model(x_tr, y_tr, seed, label):
        torch.manual_seed(seed)
        model = CompactResNet(channels, args.width)
        positives = float(y_tr.sum())
        pos_weight = torch.tensor((len(y_tr) - positives) / max(1.0, positives))
        loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
        optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=args.lr, total_steps=args.epochs * ((len(y_tr) + args.batch - 1) // args.batch))
        generator = torch.Generator().manual_seed(seed)
        for epoch in range(args.epochs):
            model.train()
            order = torch.randperm(len(y_tr), generator=generator)
            total = 0.0
            for start in range(0, len(order), args.batch):
                idx = order[start : start + args.batch]
                xb = x_tr[idx]
                # Augmentation in the plane: flips and quarter turns (a tumour has no preferred orientation).
                if torch.rand(1, generator=generator).item() < 0.5:
                    xb = torch.flip(xb, dims=[3])
                xb = torch.rot90(xb, int(torch.randint(0, 4, (1,), generator=generator)), dims=[2, 3])
                if args.scanner_augmentation:
                    xb = scanner_augment(xb, generator, config["windows"], config["channelMean"], config["channelStd"])
                logits, _ = model(xb)
                loss = loss_fn(logits, y_tr[idx])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                total += float(loss) * len(idx)
            print(f"{label} epoch {epoch + 1}/{args.epochs}  loss {total / len(y_tr):.4f}  ({time.time() - started:.0f} s)", flush=True)
        model.eval()
        return model

    started = time.time()
    pos_weight = torch.tensor((len(y_train) - float(y_train.sum())) / max(1.0, float(y_train.sum())))
    model = train_model(x_train, y_train, args.seed, "final")

    # Out-of-fold slice probabilities of the training patients (cross-fitting): each fold's patients
    # are scored by a model trained without them, so the signatures fitted on the training split see
    # deep outputs as honest as those of new patients.
    oof = {}
    if args.oof_folds > 1:
        train_cases = slices["train"]
        order = sorted(range(len(train_cases)), key=lambda k: (train_cases[k][0]["label"], stable_fraction("fold:" + train_cases[k][0]["id"])))
        fold_of = {k: i % args.oof_folds for i, k in enumerate(order)}
        for f in range(args.oof_folds):
            keep = [k for k in range(len(train_cases)) if fold_of[k] != f]
            x_tr = torch.from_numpy(np.concatenate([train_cases[k][1] for k in keep]))
            y_tr = torch.from_numpy(np.concatenate([np.full(len(train_cases[k][1]), train_cases[k][0]["label"], "f4") for k in keep]))
            fold_model = train_model(x_tr, y_tr, args.seed + 1000 * (f + 1), f"fold {f + 1}/{args.oof_folds}")
            with torch.no_grad():
                for k in range(len(train_cases)):
                    if fold_of[k] == f:
                        case, block = train_cases[k]
                        logits = fold_model(torch.from_numpy(block))[0].numpy()
                        oof[case["id"]] = {
                            # The bag's identity: SHA-256 of its float32 little-endian values, as Hilum computes it.
                            "bag": hashlib.sha256(np.ascontiguousarray(block, dtype="<f4").tobytes()).hexdigest(),
                            "p": [float(v) for v in 1 / (1 + np.exp(-logits.astype("f8")))],
                        }

    model.eval()
    metrics = {}
    with torch.no_grad():
        for split in ("train", "heldout", "external"):
            x, y = stack(split)
            if len(y) == 0:
                continue
            logits = torch.cat([model(x[s : s + 256])[0] for s in range(0, len(x), 256)]).numpy()
            patient_scores, patient_labels, start = [], [], 0
            for case, block in slices[split]:
                patient_scores.append(float(np.mean(1 / (1 + np.exp(-logits[start : start + len(block)])))))
                patient_labels.append(case["label"])
                start += len(block)
            metrics[split] = {
                "patients": len(slices[split]),
                "slices": int(len(y)),
                "sliceAuc": rounded(auc(logits, y.numpy())),
                "meanProbabilityAuc": rounded(auc(patient_scores, patient_labels)),
            }
            print(split, metrics[split], flush=True)

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "backbone.onnx")
    dummy = torch.zeros(2, channels, height, width_px)
    torch.onnx.export(
        model,
        dummy,
        onnx_path,
        opset_version=17,
        input_names=["bag"],
        output_names=["logit", "features"],
        dynamic_axes={"bag": {0: "slices"}, "logit": {0: "slices"}, "features": {0: "slices"}},
        do_constant_folding=True,
    )
    digest = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()

    # Reference: the first held-out (or external) patient's first three slices through PyTorch.
    source = slices["heldout"] or slices["external"] or slices["train"]
    reference = torch.from_numpy(np.ascontiguousarray(source[0][1][:3]))
    with torch.no_grad():
        ref_logit, ref_features = model(reference)
    reference.numpy().astype("<f4").tofile(os.path.join(args.out, "reference-input.f32"))
    json.dump(
        {
            "case": source[0][0]["id"],
            "shape": list(reference.shape),
            "logit": [float(v) for v in ref_logit],
            "features": [[float(v) for v in row] for row in ref_features],
        },
        open(os.path.join(args.out, "reference-output.json"), "w"),
        indent=1,
    )

    card = {
        "name": "hilum-demo-backbone",
        "notice": "SYNTHETIC: trained on generated phantom data, not on patients. A demonstration, not for clinical use.",
        "architecture": {
            "family": "CompactResNet",
            "stageWidths": [args.width, 2 * args.width, 4 * args.width, 8 * args.width],
            "parameters": int(sum(p.numel() for p in model.parameters())),
            "featureLength": model.feature_length,
        },
        "onnx": {"file": "backbone.onnx", "sha256": digest, "opset": 17, "input": "bag", "outputs": ["logit", "features"]},
        "input": {"channels": channels, "height": height, "width": width_px, "dtype": "float32", "layout": "NCHW"},
        "bagConfig": index["config"],
        "bagEngineVersion": index["engineVersion"],
        "training": {
            "data": args.data_description,
            "trainCentre": args.train_centre,
            "split": (
                "the study split in %s (training patients train the backbone; validation and external held out)" % os.path.basename(args.split)
                if args.split
                else "centre %s: 70 %% training / 30 %% held out by SHA-256 of the patient id; other centres external" % args.train_centre
            ),
            "trainIds": [c["id"] for c, _ in slices["train"]],
            "epochs": args.epochs,
            "batch": args.batch,
            "learningRate": args.lr,
            "seed": args.seed,
            "loss": "BCE with logits, positive weight %.3f; every slice labelled with its patient" % float(pos_weight),
            "augmentation": "in-plane flips and quarter turns"
            + (
                "; scanner variation in HU: enhancement above 0 HU scaled 0.55-1.15, unsharp mask gain -0.3-0.5, "
                "Gaussian blur (sigma 0.3-1.5 px, half the batches), noise (SD up to 15 HU), offset (+-15 HU)"
                if args.scanner_augmentation
                else ""
            ),
            "torch": torch.__version__,
            "seconds": round(time.time() - started, 1),
        },
        "metrics": metrics,
        "reference": {"input": "reference-input.f32", "output": "reference-output.json"},
    }
    if oof:
        ids = [c["id"] for c, _ in slices["train"]]
        labels = {c["id"]: c["label"] for c, _ in slices["train"]}
        mean_oof = [float(np.mean(oof[i]["p"])) for i in ids]
        card["outOfFold"] = {
            "file": "oof.json",
            "folds": args.oof_folds,
            "patients": len(oof),
            "meanProbabilityAuc": rounded(auc(mean_oof, [labels[i] for i in ids])),
            "description": "slice probabilities of every training patient from a model trained without its fold (same recipe, seed + 1000 x fold), with the SHA-256 of the bag they were computed from",
        }
        json.dump(
            {"folds": args.oof_folds, "patients": {i: {"bag": oof[i]["bag"], "p": [round(v, 7) for v in oof[i]["p"]]} for i in ids}},
            open(os.path.join(args.out, "oof.json"), "w"),
        )
        print("out-of-fold", card["outOfFold"], flush=True)
    json.dump(card, open(os.path.join(args.out, "card.json"), "w"), indent=1)
    print(f"wrote {onnx_path} (sha256 {digest}) and card.json", flush=True)


if __name__ == "__main__":
    main()
