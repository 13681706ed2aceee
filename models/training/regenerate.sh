#!/usr/bin/env bash
# Regenerates the shipped backbone (models/hilum-demo-backbone) from scratch: the paper-sized
# synthetic cohort, its 2.5D bags (cut by Hilum's own sampler), the PyTorch training on centre A's
# training split, ONNX export with card and reference outputs, then the MIL fit and evaluation.
# Needs Debian's python3-torch and python3-onnx (apt-get install -y python3-torch python3-torchvision python3-onnx).
#   npm run model:train            (WORK=dir to keep the cohort elsewhere; default build/model-training)
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${WORK:-build/model-training}
OUT=${OUT:-models/hilum-demo-backbone}
PYTHON=${PYTHON:-/usr/bin/python3}
npm run --silent build:engine
if [ ! -f "$WORK/cohort/manifest.csv" ]; then
  node bin/hilum.js phantom --out "$WORK/cohort" --n 1099 --centres A:781,B:318 --seed 1
fi
if [ ! -f "$WORK/bags/index.json" ]; then
  node bin/hilum.js deep-bags --manifest "$WORK/cohort/manifest.csv" --out "$WORK/bags"
fi
"$PYTHON" models/training/train_backbone.py --bags "$WORK/bags" --out "$OUT" "$@"
node models/training/fit_mil.mjs --bags "$WORK/bags" --model "$OUT" --cohort "$WORK/cohort"
