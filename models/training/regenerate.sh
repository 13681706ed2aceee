#!/usr/bin/env bash
# Regenerates the shipped demonstration models from scratch, in one command:
#   1. the paper-sized synthetic cohort (1,099 patients, centres A 781 / B 318, seed 1);
#   2. the study split (hilum study --split-only: centre A 70/30 stratified, seed 1; B external);
#   3. the 2.5D bags, cut by Hilum's own sampler;
#   4. the shipped backbone (the bedside's default and the starting point of `init: shipped`),
#      trained with PyTorch on the study's training split only, exported to ONNX with its card and
#      reference outputs (models/hilum-demo-backbone), and its MIL evaluation;
#   5. second-reader masks for 40 patients (click-to-segment at the nodule centre) for the ICC filter;
#   6. the cohort study with models/training/demo-protocol.yaml: it trains its own 2.5D backbone on
#      the training split (cross-fitted folds, then the final model; docs/deep.md), fits the five
#      signatures with out-of-fold stacking, and its model bundle (backbone embedded) becomes
#      models/hilum-demo.bundle.json and its table models/hilum-demo-study/.
# Needs Debian's python3-torch and python3-onnx (apt-get install -y python3-torch python3-onnx).
#   npm run model:train            (WORK=dir keeps the cohort and caches elsewhere; default build/model-training)
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${WORK:-build/model-training}
OUT=${OUT:-models/hilum-demo-backbone}
PYTHON=${PYTHON:-/usr/bin/python3}
PROTOCOL=models/training/demo-protocol.yaml
npm run --silent build:engine
if [ ! -f "$WORK/cohort/manifest.csv" ]; then
  node bin/hilum.js phantom --out "$WORK/cohort" --n 1099 --centres A:781,B:318 --seed 1
fi
node bin/hilum.js study --manifest "$WORK/cohort/manifest.csv" --out "$WORK/study" --protocol "$PROTOCOL" --split-only
if [ ! -f "$WORK/bags/index.json" ]; then
  node bin/hilum.js deep-bags --manifest "$WORK/cohort/manifest.csv" --out "$WORK/bags"
fi
"$PYTHON" models/training/train_backbone.py --bags "$WORK/bags" --out "$OUT" --split "$WORK/study/split.csv" "$@"
node models/training/fit_mil.mjs --bags "$WORK/bags" --model "$OUT" --cohort "$WORK/cohort" --split "$WORK/study/split.csv"
if [ ! -f "$WORK/cohort/manifest-with-repeat.csv" ]; then
  node models/training/repeat-masks.mjs --cohort "$WORK/cohort" --n 40
fi
node bin/hilum.js study --manifest "$WORK/cohort/manifest-with-repeat.csv" --out "$WORK/study" --protocol "$PROTOCOL" --jobs "${JOBS:-2}"
cp "$WORK/study/model-bundle.hilum.json" models/hilum-demo.bundle.json
mkdir -p models/hilum-demo-study/plots
cp "$WORK/study/table.md" "$WORK/study/table.csv" "$WORK/study/delong.csv" "$WORK/study/calibration.csv" "$WORK/study/signatures.md" models/hilum-demo-study/
cp "$WORK/study/plots/"*.svg models/hilum-demo-study/plots/
echo "models/hilum-demo.bundle.json: $(node -e 'console.log(JSON.parse(require("fs").readFileSync("models/hilum-demo.bundle.json","utf8")).contentSha256)')"
