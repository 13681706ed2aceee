#!/usr/bin/env bash
# Regenerates resources/fonts/NotoSansCJKsc-{Regular,Bold}-subset.otf: the Simplified Chinese face
# (font number 2 of the collection) of Noto Sans CJK 2.004 (Debian fonts-noto-cjk 20220127),
# subset to Latin, punctuation, the symbols the report uses, CJK punctuation, GB 2312 level 1
# (3,755 most common hanzi) and every character of electron/engine/report/report-strings.ts and
# risk-wording.ts.
# Needs python3 with fontTools (Debian: python3-fonttools) and fonts-noto-cjk.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC_DIR=${NOTO_CJK_DIR:-/usr/share/fonts/opentype/noto}
OUT=resources/fonts
PY=${PYTHON:-/usr/bin/python3}
mkdir -p "$OUT"

# The font number of "Noto Sans CJK SC" in the collection (2 in 2.004), checked rather than assumed.
for face in Regular Bold; do
  "$PY" - "$SRC_DIR/NotoSansCJK-$face.ttc" <<'PYEOF'
import sys
from fontTools.ttLib import TTCollection
fonts = TTCollection(sys.argv[1]).fonts
family = fonts[2]['name'].getDebugName(1)
if family != 'Noto Sans CJK SC':
    sys.exit(f'{sys.argv[1]}: font number 2 is {family!r}, not Noto Sans CJK SC')
PYEOF
done

# Character list: GB 2312 level 1 (rows 0xB0-0xD7, 0xD7FA-0xD7FE unassigned) plus the report's strings.
"$PY" - electron/engine/report/report-strings.ts electron/engine/report/risk-wording.ts > "$OUT/.chars.txt" <<'PYEOF'
import sys
chars = set()
for hi in range(0xB0, 0xD8):
    for lo in range(0xA1, 0xFF):
        if hi == 0xD7 and lo > 0xF9:
            continue
        chars.add(bytes([hi, lo]).decode('gb2312'))
for name in sys.argv[1:]:
    with open(name, encoding='utf-8') as f:
        chars.update(c for c in f.read() if ord(c) > 0x7E)
sys.stdout.write(''.join(sorted(chars)))
PYEOF

# Basic Latin, Latin-1, general punctuation, super/subscripts, letterlike (℃ №), arrows, math operators,
# geometric shapes (▲ ● ■), CJK symbols and punctuation, full-width forms; µ ± × · – — ≥ ≤ are inside these.
UNICODES="U+0020-007E,U+00A0-00FF,U+0394,U+03B1-03C9,U+2000-206F,U+2070-209F,U+2100-214F,U+2190-21FF,U+2200-22FF,U+25A0-25FF,U+3000-303F,U+FF01-FF5E"

for face in Regular Bold; do
  "$PY" -m fontTools.subset "$SRC_DIR/NotoSansCJK-$face.ttc" \
    --font-number=2 \
    --unicodes="$UNICODES" \
    --text-file="$OUT/.chars.txt" \
    --layout-features='kern,liga,locl,palt,halt,ccmp' \
    --no-hinting \
    --desubroutinize \
    --name-IDs='*' --name-languages='*' \
    --output-file="$OUT/NotoSansCJKsc-$face-subset.otf"
done
rm -f "$OUT/.chars.txt"
ls -l "$OUT"/*.otf
