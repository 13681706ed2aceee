#!/usr/bin/env bash
# Regenerates the renderer's CJK web font (renderer/src/assets/fonts/NotoSansCJKsc-ui-{Regular,Bold}.woff2):
# the Simplified Chinese face (font number 2) of Noto Sans CJK 2.004 (Debian fonts-noto-cjk 20220127),
# subset to CJK punctuation, full-width forms and every non-ASCII character of the renderer's sources
# (renderer/src/**/*.{ts,vue}: the zh-CN strings, the language menu) and of the risk wording the
# result panel shares with the PDF (electron/engine/report/risk-wording.ts). style.css declares it with
# a CJK-only unicode-range, so Latin text keeps the system UI font.
# Needs python3 with fontTools and brotli (Debian: python3-fonttools python3-brotli) and the
# fonts-noto-cjk files (installed, or unpacked from its .deb: NOTO_CJK_DIR=…/usr/share/fonts/opentype/noto).
# Run it again whenever a Chinese string is added; test/renderer/ui-font.test.ts fails until then.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC_DIR=${NOTO_CJK_DIR:-/usr/share/fonts/opentype/noto}
OUT=renderer/src/assets/fonts
PY=${PYTHON:-/usr/bin/python3}
mkdir -p "$OUT"
CHARS=$(mktemp)
trap 'rm -f "$CHARS"' EXIT

# Every character above U+007E in the renderer's sources and the shared risk wording.
find renderer/src -name '*.ts' -o -name '*.vue' | sort | "$PY" -c '
import sys
chars = set()
for name in [l.strip() for l in sys.stdin] + ["electron/engine/report/risk-wording.ts"]:
    with open(name, encoding="utf-8") as f:
        chars.update(c for c in f.read() if ord(c) > 0x7E)
sys.stdout.write("".join(sorted(chars)))
' > "$CHARS"

# CJK symbols and punctuation, full-width forms (the text file adds the hanzi).
UNICODES="U+3000-303F,U+FF01-FF5E"

for face in Regular Bold; do
  "$PY" - "$SRC_DIR/NotoSansCJK-$face.ttc" <<'PYEOF'
import sys
from fontTools.ttLib import TTCollection
family = TTCollection(sys.argv[1]).fonts[2]['name'].getDebugName(1)
if family != 'Noto Sans CJK SC':
    sys.exit(f'{sys.argv[1]}: font number 2 is {family!r}, not Noto Sans CJK SC')
PYEOF
  "$PY" -m fontTools.subset "$SRC_DIR/NotoSansCJK-$face.ttc" \
    --font-number=2 \
    --unicodes="$UNICODES" \
    --text-file="$CHARS" \
    --layout-features='kern,liga,locl,palt,halt,ccmp,vert' \
    --flavor=woff2 \
    --name-IDs='*' --name-languages='*' \
    --output-file="$OUT/NotoSansCJKsc-ui-$face.woff2"
done
ls -l "$OUT"/*.woff2
