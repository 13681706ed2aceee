/**
 * The renderer's shipped CJK web font (scripts/subset-ui-font.sh) holds a glyph for every Chinese
 * character the UI can show: every non-ASCII character of zh-CN.ts, of the renderer's sources and of
 * the risk wording shared with the PDF that falls in the font's unicode-range (style.css). A character
 * missing here would fall back to whatever the machine has — an empty box on a plain Linux install.
 * The font's cmap is read straight from the WOFF2 file (node:zlib has Brotli).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const FONT_DIR = 'renderer/src/assets/fonts';
const FACES = ['NotoSansCJKsc-ui-Regular.woff2', 'NotoSansCJKsc-ui-Bold.woff2'];
/** The @font-face unicode-range of style.css: the code points the browser takes from this font. */
const IN_RANGE = (cp: number) =>
  (cp >= 0x2e80 && cp <= 0x2fdf) ||
  (cp >= 0x3000 && cp <= 0x303f) ||
  (cp >= 0x3400 && cp <= 0x4dbf) ||
  (cp >= 0x4e00 && cp <= 0x9fff) ||
  (cp >= 0xff00 && cp <= 0xffef);

const KNOWN_TAGS = [
  'cmap',
  'head',
  'hhea',
  'hmtx',
  'maxp',
  'name',
  'OS/2',
  'post',
  'cvt ',
  'fpgm',
  'glyf',
  'loca',
  'prep',
  'CFF ',
  'VORG',
  'EBDT',
  'EBLC',
  'gasp',
  'hdmx',
  'kern',
  'LTSH',
  'PCLT',
  'VDMX',
  'vhea',
  'vmtx',
  'BASE',
  'GDEF',
  'GPOS',
  'GSUB',
  'EBSC',
  'JSTF',
  'MATH',
  'CBDT',
  'CBLC',
  'COLR',
  'CPAL',
  'SVG ',
  'sbix',
  'acnt',
  'avar',
  'bdat',
  'bloc',
  'bsln',
  'cvar',
  'fdsc',
  'feat',
  'fmtx',
  'fvar',
  'gvar',
  'hsty',
  'just',
  'lcar',
  'mort',
  'morx',
  'opbd',
  'prop',
  'trak',
  'Zapf',
  'Silf',
  'Glat',
  'Gloc',
  'Feat',
  'Sill',
];

/** The code points a WOFF2 font maps (cmap formats 4 and 12). */
export function woff2CodePoints(file: string): Set<number> {
  const buf = readFileSync(file);
  expect(buf.toString('latin1', 0, 4)).toBe('wOF2');
  const numTables = buf.readUInt16BE(12);
  let pos = 48;
  const base128 = () => {
    let v = 0;
    for (let i = 0; i < 5; i++) {
      const b = buf[pos++];
      v = v * 128 + (b & 0x7f);
      if (!(b & 0x80)) return v;
    }
    throw new Error('bad UIntBase128');
  };
  const tables: { tag: string; length: number }[] = [];
  for (let i = 0; i < numTables; i++) {
    const flags = buf[pos++];
    let tag = KNOWN_TAGS[flags & 0x3f];
    if ((flags & 0x3f) === 63) {
      tag = buf.toString('latin1', pos, pos + 4);
      pos += 4;
    }
    const transform = flags >> 6;
    const origLength = base128();
    const transformed = tag === 'glyf' || tag === 'loca' ? transform === 0 : transform !== 0;
    tables.push({ tag, length: transformed ? base128() : origLength });
  }
  const data = brotliDecompressSync(buf.subarray(pos, pos + buf.readUInt32BE(20)));
  let offset = 0;
  for (const t of tables) {
    if (t.tag === 'cmap') return cmapCodePoints(data.subarray(offset, offset + t.length));
    offset += t.length;
  }
  throw new Error(`${file}: no cmap`);
}

function cmapCodePoints(cmap: Buffer): Set<number> {
  const out = new Set<number>();
  const n = cmap.readUInt16BE(2);
  for (let i = 0; i < n; i++) {
    const sub = cmap.readUInt32BE(4 + i * 8 + 4);
    const format = cmap.readUInt16BE(sub);
    if (format === 12) {
      const groups = cmap.readUInt32BE(sub + 12);
      for (let g = 0; g < groups; g++) {
        const start = cmap.readUInt32BE(sub + 16 + g * 12);
        const end = cmap.readUInt32BE(sub + 20 + g * 12);
        for (let c = start; c <= end; c++) out.add(c);
      }
    } else if (format === 4) {
      const segX2 = cmap.readUInt16BE(sub + 6);
      for (let s = 0; s < segX2; s += 2) {
        const end = cmap.readUInt16BE(sub + 14 + s);
        const start = cmap.readUInt16BE(sub + 16 + segX2 + s);
        for (let c = start; c <= end && c !== 0xffff; c++) out.add(c);
      }
    }
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|vue)$/.test(f) ? [p] : [];
  });
}

describe('shipped CJK UI font', () => {
  const wanted = new Set<number>();
  for (const file of [...sources('renderer/src'), 'electron/engine/report/risk-wording.ts'])
    for (const ch of readFileSync(file, 'utf8')) if (IN_RANGE(ch.codePointAt(0) as number)) wanted.add(ch.codePointAt(0) as number);

  it('is declared from the app itself, for CJK only', () => {
    const css = readFileSync('renderer/src/style.css', 'utf8');
    for (const face of FACES) expect(css).toContain(`./assets/fonts/${face}`);
    expect(css).toMatch(/unicode-range:\s*U\+2E80-2FDF,\s*U\+3000-303F,\s*U\+3400-4DBF,\s*U\+4E00-9FFF,\s*U\+FF00-FFEF/);
    expect(css).not.toMatch(/url\(['"]?(https?:|data:)/);
  });

  it.each(FACES)('%s maps every Chinese character of the UI', (face) => {
    expect(wanted.size).toBeGreaterThan(400);
    const mapped = woff2CodePoints(path.join(FONT_DIR, face));
    const missing = [...wanted].filter((c) => !mapped.has(c)).map((c) => String.fromCodePoint(c));
    expect(missing.join('')).toBe('');
    expect(statSync(path.join(FONT_DIR, face)).size).toBeLessThan(1_500_000);
  });

  it('ships the licence beside the font', () => {
    expect(readFileSync(path.join(FONT_DIR, 'OFL.txt'), 'utf8')).toContain('SIL OPEN FONT LICENSE');
  });
});
