#!/usr/bin/python3
"""In-study training of Hilum's 2.5D slice backbone (the `train` stage of `hilum study`).

Run by the engine as a child process (electron/engine/deep/trainer-process.ts), never at the
bedside:  /usr/bin/python3 hilum_train.py JOB.json

JOB.json names the bags (bags.f32 + index.json, cut by Hilum's own sampler from the study's
training patients only), the output folder and the recipe (architecture, epochs, batch, learning
rate, seed, folds, augmentation, device, threads) and a key: a hash, computed by the engine, of
everything the result depends on.

Cross-fitting: the training patients are dealt into `folds` folds (stratified by label, by a hash
of the patient id); for each fold a model is trained on the other folds and scores the fold's
patients (their out-of-fold slice probabilities). Then the final model is trained on every training
patient and exported to ONNX with its card. Each fold's result (fold-K.json with the key, and the
fold model fold-K.pt) and the final model (final.pt) are written when they finish: a run that
is stopped and started again with the same key skips them, so at most one model's work is lost.

stdout carries one JSON object per line:
  {"type": "start", "torch": ..., "device": ..., "threads": ...}
  {"type": "progress", "model": "fold 1/3" | "final", "epoch": e, "epochs": E, "step": s, "total": S, "loss": l}
  {"type": "fold-done", "model": ..., "seconds": t, "reused": bool}
  {"type": "done", "card": "card.json", "seconds": t, "peakRssMiB": m, "outOfFoldAuc": a, "trainAuc": a}
  {"type": "error", "code": "PYTORCH_MISSING" | "TRAINING_INPUT_INVALID" | "TRAINING_INIT_MISMATCH" | "TRAINING_FAILED", "message": ...}
"""
import hashlib
import json
import math
import os
import sys
import time


def emit(**message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def fail(code, message, status=2):
    emit(type="error", code=code, message=message)
    sys.exit(status)


try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as missing:  # the engine turns this into PYTORCH_MISSING with the install command
    fail("PYTORCH_MISSING", "%s cannot import %s (%s)" % (sys.executable, missing.name, missing), 3)


def stable_fraction(text):
    """A number in [0, 1) from a string, the same on every machine."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 2**32


def fold_assignment(cases, folds):
    """Fold of every case: sorted by label, then by a hash of the id, dealt round-robin (stratified)."""
    order = sorted(range(len(cases)), key=lambda k: (cases[k]["label"], stable_fraction("fold:" + cases[k]["id"])))
    return {k: i % folds for i, k in enumerate(order)}


def gaussian_blur(xb, sigma):
    """Separable Gaussian blur of every channel (sigma in pixels), reflecting at the borders."""
    c = xb.shape[1]
    r = max(1, int(3 * sigma + 0.5))
    t = torch.arange(-r, r + 1, dtype=torch.float32, device=xb.device)
    k = torch.exp(-(t**2) / (2 * sigma**2))
    k = k / k.sum()
    xb = nn.functional.pad(xb, (r, r, r, r), mode="reflect")
    xb = nn.functional.conv2d(xb, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return nn.functional.conv2d(xb, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def hounsfield(xb, windows, mean, sd):
    """The HU image behind the window channels: each pixel from the narrowest window that does not
    clip it (a vessel at 300 HU is clipped by a lung window but not by a wider mediastinal one)."""
    best = None
    for c in sorted(range(len(windows)), key=lambda c: windows[c][0] - windows[c][1]):
        lo, hi = windows[c]
        v = xb[:, c : c + 1] * sd[c] + mean[c]
        hu = lo + v * (hi - lo)
        inside = (v > 1e-4) & (v < 1 - 1e-4)
        best = hu if best is None else torch.where(inside, hu, best)
    return best


def scanner_augment(xb, generator, windows, mean, sd, strength):
    """Scanner and protocol variation a second centre brings, applied in HU so every window channel
    sees the same change (each draw per slice, `strength` scales every range):
      contrast timing: HU above 100 (vessels, blood) scaled by 0.45-1.15 about 100 HU, and the
        enhancement of soft tissue (-100..150 HU, e.g. the tumour) shifted by -10..+20 HU;
      reconstruction kernel: hu + g * (hu - blur_1.2px(hu)), g in -0.8..0.6 (softening to edge
        enhancement);
      noise: white noise smoothed by a Gaussian of 0-1.2 px (grain), SD 0-15 HU;
      calibration: an offset of -10..+10 HU.
    The windows are then cut again and normalised as the sampler does. A slice with neighbouring
    planes as channels (bag config sliceChannels: plane-major groups of the windows) gets the same
    draws on every plane (one scanner), each plane its own noise."""
    n = xb.shape[0]
    dev = xb.device
    w = len(windows)
    planes = xb.shape[1] // w

    def uniform(lo, hi):
        return (lo + (hi - lo) * torch.rand((n, 1, 1, 1), generator=generator)).to(dev)

    s = strength
    # Drawn in the order of the one-plane version, so a one-plane bag gets the same numbers.
    vessel = uniform(1 - 0.55 * s, 1 + 0.15 * s)
    enhancement = uniform(-10 * s, 20 * s)
    kernel = uniform(-0.8 * s, 0.6 * s)
    grain = 1.2 * torch.rand(1, generator=generator).item()
    noise = torch.randn((n, planes) + tuple(xb.shape[2:]), generator=generator).to(dev)
    if grain > 0.2:
        noise = gaussian_blur(noise, grain)
        noise = noise / noise.std().clamp_min(1e-6)
    noise_sd = uniform(0, 15 * s)
    offset = uniform(-10 * s, 10 * s)
    out = []
    for q in range(planes):
        hu = hounsfield(xb[:, q * w : (q + 1) * w], windows, mean, sd)
        hu = torch.where(hu > 100, 100 + (hu - 100) * vessel, hu)
        soft = ((hu + 100) / 60).clamp(0, 1) * ((150 - hu) / 60).clamp(0, 1)
        hu = hu + soft * enhancement
        hu = hu + kernel * (hu - gaussian_blur(hu, 1.2))
        hu = hu + noise_sd * noise[:, q : q + 1] + offset
        channels = [((hu - win[0]) / (win[1] - win[0])).clamp(0, 1) for win in windows]
        out.extend((ch - m) / d for ch, m, d in zip(channels, mean, sd))
    return torch.cat(out, dim=1)


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
    """A small ResNet: 3x3 stem, one basic block per stage (widths w, 2w, 4w, 8w; stride 2 from the
    second), global pooling of the last feature maps to the feature vector, a linear layer to the
    slice logit. Pooling "average" (the class-activation-map head), or "average+max": the average
    and the maximum of every map side by side (2 x 8w features), so one small bright finding in a
    corner of the crop is not averaged away; such a head has no class-activation map (occlusion
    sensitivity stands in)."""

    def __init__(self, channels, width, pooling="average"):
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
        self.with_max = pooling == "average+max"
        self.feature_length = 2 * cin if self.with_max else cin
        self.head = nn.Linear(self.feature_length, 1)
        self.stage_widths = widths

    def forward(self, x):
        maps = self.stages(self.stem(x))
        features = torch.flatten(self.pool(maps), 1)
        if self.with_max:
            features = torch.cat([features, torch.amax(maps, dim=(2, 3))], 1)
        return self.head(features).squeeze(1), features


ARCHITECTURES = {"CompactResNet": CompactResNet}


def auc(scores, labels):
    """Mann-Whitney AUC with mid-ranks for ties; NaN with one class."""
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


def peak_rss_mib():
    """This process's peak resident memory (MiB; Linux reports KiB, macOS bytes)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024))


def conv_bn_pairs(model):
    """The CompactResNet's (convolution, batch norm) pairs in the order its ONNX export lists the Conv nodes."""
    pairs = [(model.stem[0], model.stem[1])]
    for block in model.stages:
        pairs += [(block.conv1, block.bn1), (block.conv2, block.bn2)]
        if block.shortcut is not None:
            pairs.append((block.shortcut[0], block.shortcut[1]))
    return pairs


def load_onnx_weights(model, folder):
    """Starts `model` from a backbone exported by this trainer (fine-tuning). The export folded every
    batch norm into its convolution (W' = W * g / sqrt(v + eps), b' = beta + (b - m) * g / sqrt(v + eps)),
    so each convolution takes W' and its batch norm becomes y = x + b' (weight 1, bias b', running mean
    0, running variance 1 - eps): the same function. Checked on the folder's reference slices."""
    import onnx
    from onnx import numpy_helper

    card = read_json(os.path.join(folder, "card.json"))
    graph = onnx.load(os.path.join(folder, card["onnx"]["file"])).graph
    weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    convs = [n for n in graph.node if n.op_type == "Conv"]
    pairs = conv_bn_pairs(model)
    if len(convs) != len(pairs):
        fail("TRAINING_INIT_MISMATCH", "%s has %d convolutions, the architecture %d" % (folder, len(convs), len(pairs)))
    with torch.no_grad():
        for node, (conv, bn) in zip(convs, pairs):
            w, b = weights[node.input[1]], weights[node.input[2]]
            if tuple(w.shape) != tuple(conv.weight.shape):
                fail("TRAINING_INIT_MISMATCH", "%s: a convolution of shape %s where the architecture has %s" % (folder, tuple(w.shape), tuple(conv.weight.shape)))
            conv.weight.copy_(torch.from_numpy(w.copy()))
            bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(b.copy()))
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
        model.head.weight.copy_(torch.from_numpy(weights["head.weight"].copy()))
        model.head.bias.copy_(torch.from_numpy(weights["head.bias"].copy()))
    reference = read_json(os.path.join(folder, card["reference"]["output"]))
    x = np.fromfile(os.path.join(folder, card["reference"]["input"]), dtype="<f4").reshape(reference["shape"])
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x))[0].numpy()
    difference = float(np.max(np.abs(logits - np.asarray(reference["logit"]))))
    if not difference <= 1e-3:
        fail("TRAINING_INIT_MISMATCH", "the weights read from %s reproduce its reference logits only to %.2g" % (folder, difference))


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write_json(path, value):
    """Written under a temporary name and renamed: a killed run never leaves half a file."""
    partial = "%s.partial-%d" % (path, os.getpid())
    with open(partial, "w") as f:
        json.dump(value, f)
    os.replace(partial, path)


def save_state(model, path):
    partial = "%s.partial-%d" % (path, os.getpid())
    torch.save(model.state_dict(), partial)
    os.replace(partial, path)


class Trainer:
    def __init__(self, job):
        self.job = job
        self.recipe = job["recipe"]
        self.out = job["out"]
        index = read_json(os.path.join(job["bags"], "index.json"))
        if index is None:
            fail("TRAINING_INPUT_INVALID", "no readable index.json in %s" % job["bags"])
        data = np.fromfile(os.path.join(job["bags"], "bags.f32"), dtype="<f4")
        self.config = index["config"]
        wanted = set(job["trainIds"])
        self.cases = [c for c in index["cases"] if c["id"] in wanted]
        if len(self.cases) != len(wanted):
            fail("TRAINING_INPUT_INVALID", "the bags hold %d of the %d training patients" % (len(self.cases), len(wanted)))
        shape = self.cases[0]["shape"]
        self.channels, self.height, self.width_px = shape[1], shape[2], shape[3]
        per_slice = self.channels * self.height * self.width_px
        self.blocks = []
        for c in self.cases:
            n = c["shape"][0]
            self.blocks.append(data[c["offset"] : c["offset"] + n * per_slice].reshape(n, self.channels, self.height, self.width_px))
        labels = {c["label"] for c in self.cases}
        if labels != {0, 1}:
            fail("TRAINING_INPUT_INVALID", "the training patients need both outcome classes (found %s)" % sorted(labels))
        self.device = self.pick_device(self.recipe.get("device", "auto"))
        self.device_used = str(self.device)
        self.started = time.time()
        self.folds = self.recipe["folds"]
        self.fold_of = fold_assignment(self.cases, self.folds) if self.folds > 1 else {}
        sizes = [sum(1 for k in range(len(self.cases)) if self.folds <= 1 or self.fold_of[k] != f) for f in range(self.folds if self.folds > 1 else 0)]
        slices = [sum(len(self.blocks[k]) for k in range(len(self.cases)) if self.fold_of.get(k, -1) != f) for f in range(len(sizes))]
        slices.append(sum(len(b) for b in self.blocks))
        batch = self.recipe["batch"]
        self.steps_of = [self.recipe["epochs"] * math.ceil(n / batch) for n in slices]
        self.total_steps = sum(self.steps_of)
        self.steps_done = 0

    def pick_device(self, wanted):
        if wanted == "cuda" and not torch.cuda.is_available():
            fail("TRAINING_DEVICE_UNAVAILABLE", "the protocol asks for device cuda, but this PyTorch (%s) sees no CUDA device" % torch.__version__)
        return torch.device("cuda" if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()) else "cpu")

    def stack(self, keep):
        x = np.concatenate([self.blocks[k] for k in keep])
        y = np.concatenate([np.full(len(self.blocks[k]), self.cases[k]["label"], "f4") for k in keep])
        return torch.from_numpy(x), torch.from_numpy(y)

    def new_model(self):
        arch = self.recipe["architecture"]
        model = ARCHITECTURES[arch["family"]](self.channels, arch["width"], arch.get("pooling", "average"))
        if self.job.get("initModel"):
            load_onnx_weights(model, self.job["initModel"])
        return model

    def train_model(self, keep, seed, name):
        """One model on the given cases' slices (every slice labelled with its patient)."""
        r = self.recipe
        torch.manual_seed(seed)
        np.random.seed(seed % 2**32)
        x_tr, y_tr = self.stack(keep)
        model = self.new_model().to(self.device)
        positives = float(y_tr.sum())
        loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(y_tr) - positives) / max(1.0, positives), device=self.device))
        optimiser = torch.optim.AdamW(model.parameters(), lr=r["learningRate"], weight_decay=1e-4)
        per_epoch = math.ceil(len(y_tr) / r["batch"])
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=r["learningRate"], total_steps=r["epochs"] * per_epoch)
        generator = torch.Generator().manual_seed(seed)
        aug = r["augmentation"]
        last = 0.0
        for epoch in range(r["epochs"]):
            model.train()
            order = torch.randperm(len(y_tr), generator=generator)
            total = 0.0
            for step, start in enumerate(range(0, len(order), r["batch"])):
                idx = order[start : start + r["batch"]]
                xb = x_tr[idx]
                if aug["flipRotate"]:
                    # In the plane a tumour has no preferred orientation: flips and quarter turns.
                    if torch.rand(1, generator=generator).item() < 0.5:
                        xb = torch.flip(xb, dims=[3])
                    xb = torch.rot90(xb, int(torch.randint(0, 4, (1,), generator=generator)), dims=[2, 3])
                xb = xb.to(self.device)
                if aug["scanner"] > 0:
                    xb = scanner_augment(xb, generator, self.config["windows"], self.config["channelMean"], self.config["channelStd"], aug["scanner"])
                logits, _ = model(xb)
                loss = loss_fn(logits, y_tr[idx].to(self.device))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                total += float(loss) * len(idx)
                self.steps_done += 1
                now = time.time()
                if now - last >= 0.5 or step + 1 == per_epoch:
                    last = now
                    emit(type="progress", model=name, epoch=epoch + 1, epochs=r["epochs"], step=self.steps_done, total=self.total_steps, loss=round(total / min(len(y_tr), start + len(idx)), 5))
        model.eval()
        return model

    def probabilities(self, model, keep):
        """Slice probabilities of the given cases, one list per case, from batched forward passes."""
        x = np.concatenate([self.blocks[k] for k in keep])
        with torch.no_grad():
            logits = torch.cat([model(torch.from_numpy(np.ascontiguousarray(x[s : s + 256])).to(self.device))[0].cpu() for s in range(0, len(x), 256)])
        p = 1 / (1 + np.exp(-logits.numpy().astype("f8")))
        out, start = [], 0
        for k in keep:
            out.append([float(v) for v in p[start : start + len(self.blocks[k])]])
            start += len(self.blocks[k])
        return out

    def run_fold(self, f):
        name = "fold %d/%d" % (f + 1, self.folds)
        result_path = os.path.join(self.out, "fold-%d.json" % (f + 1))
        previous = read_json(result_path)
        if previous is not None and previous.get("key") == self.job["key"] and os.path.exists(os.path.join(self.out, "fold-%d.pt" % (f + 1))):
            self.steps_done += self.steps_of[f]
            emit(type="fold-done", model=name, seconds=previous.get("seconds"), reused=True)
            return previous["patients"]
        t = time.time()
        keep = [k for k in range(len(self.cases)) if self.fold_of[k] != f]
        model = self.train_model(keep, self.recipe["seed"] + 1000 * (f + 1), name)
        held_out = [k for k in range(len(self.cases)) if self.fold_of[k] == f]
        patients = {}
        for k, p in zip(held_out, self.probabilities(model, held_out)):
            patients[self.cases[k]["id"]] = {
                # The bag's identity: SHA-256 of its float32 little-endian values, as Hilum computes it.
                "bag": hashlib.sha256(np.ascontiguousarray(self.blocks[k], dtype="<f4").tobytes()).hexdigest(),
                "p": [round(v, 7) for v in p],
            }
        save_state(model, os.path.join(self.out, "fold-%d.pt" % (f + 1)))
        seconds = round(time.time() - t, 1)
        write_json(result_path, {"key": self.job["key"], "fold": f + 1, "folds": self.folds, "device": str(self.device), "seconds": seconds, "patients": patients})
        emit(type="fold-done", model=name, seconds=seconds, reused=False)
        return patients

    def run_final(self):
        state_path = os.path.join(self.out, "final.pt")
        meta_path = os.path.join(self.out, "final.json")
        meta = read_json(meta_path)
        model = self.new_model()
        if meta is not None and meta.get("key") == self.job["key"] and os.path.exists(state_path):
            model.load_state_dict(torch.load(state_path, map_location="cpu"))
            model.eval()
            self.steps_done += self.steps_of[-1]
            emit(type="fold-done", model="final", seconds=meta.get("seconds"), reused=True)
            return model.to(self.device), meta["seconds"]
        t = time.time()
        model = self.train_model(list(range(len(self.cases))), self.recipe["seed"], "final")
        save_state(model, state_path)
        seconds = round(time.time() - t, 1)
        write_json(meta_path, {"key": self.job["key"], "device": str(self.device), "seconds": seconds})
        emit(type="fold-done", model="final", seconds=seconds, reused=False)
        return model, seconds

    def run(self):
        r = self.recipe
        os.makedirs(self.out, exist_ok=True)
        emit(type="start", torch=torch.__version__, device=str(self.device), threads=torch.get_num_threads(), patients=len(self.cases), total=self.total_steps)
        oof = {}
        for f in range(self.folds if self.folds > 1 else 0):
            oof.update(self.run_fold(f))
        model, final_seconds = self.run_final()
        model = model.cpu().eval()
        self.device = torch.device("cpu")

        onnx_path = os.path.join(self.out, "backbone.onnx")
        partial = onnx_path + ".partial-%d" % os.getpid()
        torch.onnx.export(
            model,
            torch.zeros(2, self.channels, self.height, self.width_px),
            partial,
            opset_version=17,
            input_names=["bag"],
            output_names=["logit", "features"],
            dynamic_axes={"bag": {0: "slices"}, "logit": {0: "slices"}, "features": {0: "slices"}},
            do_constant_folding=True,
        )
        os.replace(partial, onnx_path)
        with open(onnx_path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()

        # Reference: the first training patient's first three slices through PyTorch, which ONNX Runtime must reproduce.
        reference = torch.from_numpy(np.ascontiguousarray(self.blocks[0][:3]))
        with torch.no_grad():
            ref_logit, ref_features = model(reference)
        reference.numpy().astype("<f4").tofile(os.path.join(self.out, "reference-input.f32"))
        write_json(
            os.path.join(self.out, "reference-output.json"),
            {"case": self.cases[0]["id"], "shape": list(reference.shape), "logit": [float(v) for v in ref_logit], "features": [[float(v) for v in row] for row in ref_features]},
        )

        ids = [c["id"] for c in self.cases]
        labels = [c["label"] for c in self.cases]
        final_p = self.probabilities(model, list(range(len(self.cases))))
        final_mean = [float(np.mean(p)) for p in final_p]
        slice_p = np.concatenate(final_p)
        slice_y = np.concatenate([np.full(len(b), c["label"]) for c, b in zip(self.cases, self.blocks)])
        aug = r["augmentation"]
        card = {
            "name": self.job.get("name", "hilum-study-backbone"),
            "notice": self.job.get("notice", "Trained in a Hilum cohort study on its training split."),
            "architecture": {
                "family": r["architecture"]["family"],
                "pooling": r["architecture"].get("pooling", "average"),
                "stageWidths": model.stage_widths,
                "parameters": int(sum(p.numel() for p in model.parameters())),
                "featureLength": model.feature_length,
            },
            "onnx": {"file": "backbone.onnx", "sha256": digest, "opset": 17, "input": "bag", "outputs": ["logit", "features"]},
            "input": {"channels": self.channels, "height": self.height, "width": self.width_px, "dtype": "float32", "layout": "NCHW"},
            "bagConfig": self.config,
            "bagEngineVersion": self.job["bagEngineVersion"],
            "training": {
                "data": self.job.get("data", "the training split of a Hilum cohort study"),
                "split": "the study's training split (validation and external patients held out)",
                "trainIds": ids,
                "key": self.job["key"],
                "epochs": r["epochs"],
                "batch": r["batch"],
                "learningRate": r["learningRate"],
                "seed": r["seed"],
                "folds": self.folds,
                "init": ("fine-tuned from %s" % self.job["initModelSha256"]) if self.job.get("initModel") else "scratch",
                "loss": "BCE with logits, positive class weighted by negatives/positives; every slice labelled with its patient",
                "augmentation": ("in-plane flips and quarter turns" if aug["flipRotate"] else "none")
                + (
                    "; scanner and contrast variation in HU (strength %g): vessels above 100 HU scaled, soft-tissue enhancement shifted, kernel softening/edge enhancement, grained noise, calibration offset" % aug["scanner"]
                    if aug["scanner"] > 0
                    else ""
                ),
                "torch": torch.__version__,
                "python": sys.version.split()[0],
                "device": self.device_used + (" (%s)" % torch.cuda.get_device_name(0) if self.device_used == "cuda" else ""),
                "threads": torch.get_num_threads(),
                "seconds": round(time.time() - self.started, 1),
                "finalModelSeconds": final_seconds,
            },
            "metrics": {"train": {"patients": len(ids), "slices": int(len(slice_y)), "sliceAuc": rounded(auc(slice_p, slice_y)), "meanProbabilityAuc": rounded(auc(final_mean, labels))}},
            "reference": {"input": "reference-input.f32", "output": "reference-output.json"},
        }
        if oof:
            card["outOfFold"] = {
                "file": "oof.json",
                "folds": self.folds,
                "patients": len(oof),
                "meanProbabilityAuc": rounded(auc([float(np.mean(oof[i]["p"])) for i in ids], labels)),
                "description": "slice probabilities of every training patient from a model trained without its fold (same recipe, seed + 1000 x fold), with the SHA-256 of the bag they were computed from",
            }
            write_json(os.path.join(self.out, "oof.json"), {"folds": self.folds, "patients": {i: oof[i] for i in ids}})
        write_json(os.path.join(self.out, "card.json"), card)
        emit(type="done", card="card.json", seconds=round(time.time() - self.started, 1), peakRssMiB=peak_rss_mib(), outOfFoldAuc=card.get("outOfFold", {}).get("meanProbabilityAuc"), trainAuc=card["metrics"]["train"]["meanProbabilityAuc"])


def main():
    if len(sys.argv) != 2:
        fail("TRAINING_INPUT_INVALID", "usage: hilum_train.py JOB.json")
    job = read_json(sys.argv[1])
    if job is None:
        fail("TRAINING_INPUT_INVALID", "%s is not a readable JSON job" % sys.argv[1])
    torch.set_num_threads(max(1, int(job["recipe"].get("threads", 2))))
    try:
        Trainer(job).run()
    except SystemExit:
        raise
    except Exception as error:  # reported as a line the engine can name, with the Python traceback on stderr
        import traceback

        traceback.print_exc()
        fail("TRAINING_FAILED", "%s: %s" % (type(error).__name__, error))


if __name__ == "__main__":
    main()
