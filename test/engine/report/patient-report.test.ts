import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyImages, renderKeyImages } from '../../../electron/engine/report/key-images.js';
import { categoryLabel, formatPercent, renderPatientReport, writePatientReport } from '../../../electron/engine/report/patient-report.js';
import { REPORT_STRINGS, type ReportLang } from '../../../electron/engine/report/report-strings.js';
import { nomogramSignNote, riskWording } from '../../../electron/engine/report/risk-wording.js';
import type { ModelBundle } from '../../../electron/engine/signatures/bundle.js';
import type { PredictionRecord } from '../../../electron/engine/signatures/prediction-record.js';
import { demoBundle, phantomCase, sampleRecord } from './sample-record.js';

const hasPoppler = spawnSync('pdftoppm', ['-v']).error === undefined;
const GENERATED_AT = '2026-11-28T10:05:00.000Z';
const LANGS: ReportLang[] = ['en', 'zh-CN'];

function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

function pdfInfo(file: string): Record<string, string> {
  const out = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

/** Rasterises at 50 dpi; per page: the fraction of pixels that are not near-white, and the grey standard deviation. */
function pageStats(file: string, dir: string): { inked: number; std: number; width: number; height: number }[] {
  const prefix = path.join(dir, path.basename(file, '.pdf'));
  execFileSync('pdftoppm', ['-r', '50', '-png', file, prefix]);
  return readdirSync(dir)
    .filter((f) => f.startsWith(path.basename(prefix) + '-') && f.endsWith('.png'))
    .sort()
    .map((f) => {
      const png = PNG.sync.read(readFileSync(path.join(dir, f)));
      let inked = 0;
      let sum = 0;
      let sum2 = 0;
      const n = png.width * png.height;
      for (let p = 0; p < n; p++) {
        const g = (png.data[p * 4] + png.data[p * 4 + 1] + png.data[p * 4 + 2]) / 3;
        if (g < 235) inked++;
        sum += g;
        sum2 += g * g;
      }
      const mean = sum / n;
      return { inked: inked / n, std: Math.sqrt(sum2 / n - mean * mean), width: png.width, height: png.height };
    });
}

describe('per-patient PDF report', () => {
  let dir: string;
  let bundle: ModelBundle;
  let record: PredictionRecord;
  let images: KeyImages;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hilum-report-'));
    bundle = demoBundle();
    record = sampleRecord(bundle);
    const { ct, mask, bag } = phantomCase();
    images = renderKeyImages(ct, mask, bag, { bagConfig: bundle.backbone.card.bagConfig });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders key images as small PNGs with the outline and the physical aspect ratio', () => {
    const all = [images.lungCrop, images.mediastinalCrop, images.fullSlice, images.fullSliceMediastinal, images.axial, images.coronal, images.sagittal];
    for (const img of all) {
      const png = PNG.sync.read(img.png);
      expect([png.width, png.height]).toEqual([img.widthPx, img.heightPx]);
      expect(Math.max(png.width, png.height)).toBeLessThanOrEqual(384);
      // Square pixels in mm: the image's aspect is the field's.
      expect(img.widthPx / img.heightPx).toBeCloseTo(img.widthMm / img.heightMm, 1);
      // The outline colour (saturated yellow) is present, and the image is not mostly yellow (an outline, not a fill).
      let yellow = 0;
      for (let p = 0; p < png.width * png.height; p++) if (png.data[p * 4] === 255 && png.data[p * 4 + 1] === 214 && png.data[p * 4 + 2] === 0) yellow++;
      expect(yellow).toBeGreaterThan(10);
      expect(yellow / (png.width * png.height)).toBeLessThan(0.1);
    }
    // The phantom is 124.8 × 99.8 mm in x × y: the full slice keeps that aspect.
    expect(images.fullSlice.widthPx / images.fullSlice.heightPx).toBeCloseTo(160 / 128, 1);
    expect(images.bag).toHaveLength(7);
    expect(images.bag.map((b) => b.offsetMm)).toEqual([-4, -2, -1, 0, 1, 2, 4]);
    // The nodule is at z = 2 mm; with 1.5 mm slices the largest section is the slice nearest to it.
    expect(Math.abs(images.centroidLps[2] - 2)).toBeLessThan(1);
  });

  for (const lang of LANGS)
    for (const paper of ['A4', 'Letter'] as const)
      it.skipIf(!hasPoppler)(`${lang} on ${paper}: text extracts, pages are non-blank and sized right (needs poppler-utils)`, () => {
        const S = REPORT_STRINGS[lang];
        const file = path.join(dir, `${lang}-${paper}.pdf`);
        const res = writePatientReport(file, { record, bundle, images, lang, paper, reportId: 'RPT-TEST-0001', generatedAt: GENERATED_AT });
        expect(res.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(res.bytes).toBeLessThan(3_000_000);
        expect(res.pages).toBeGreaterThanOrEqual(2);
        expect(res.pages).toBeLessThanOrEqual(3);

        const text = pdfText(file);
        const flat = text.replace(/\s+/g, ' ');
        expect(flat).toContain(formatPercent(record.result!.probability));
        expect(flat).toContain(categoryLabel(record.result!.category, lang));
        // One cut-off system, worded as the result panel words it (risk-wording.ts): category, cut-offs, meaning.
        const bare = text.replace(/\s+/g, '');
        const wording = riskWording(record.result!, lang);
        for (const part of [wording.category, wording.cutoffs, wording.meaning]) expect(bare).toContain(part.replace(/\s+/g, ''));
        const signs = nomogramSignNote(bundle.nomogram.axes, lang, (n, l) => S.nomogramAxes[n] ?? l);
        expect(signs).not.toBe(''); // the demonstration model's diameter, CTR and vascular convergence axes
        expect(bare).toContain(signs.replace(/\s+/g, ''));
        if (lang === 'zh-CN') expect(bare).toContain(S.knownTexts[bundle.intendedUse].replace(/\s+/g, '')); // the intended use in Chinese
        expect(text).toContain(bundle.contentSha256);
        expect(flat).toContain(S.disclaimer);
        expect(flat).toContain(S.syntheticBanner);
        expect(flat).toContain(bundle.notice);
        expect(flat).toContain(S.pageOf(res.pages, res.pages));
        if (lang === 'zh-CN') {
          // Chinese extracts as Chinese characters (a ToUnicode map is embedded), not as boxes or Latin.
          for (const term of ['隐匿性淋巴结转移', '肺腺癌', '列线图', '影像组学', '多示例学习', '中风险', '不能替代淋巴结病理分期'])
            expect(flat).toContain(term);
        } else {
          expect(flat).toContain('Occult lymph node metastasis');
          expect(flat).toContain('Intermediate');
        }

        const info = pdfInfo(file);
        expect(Number(info.Pages)).toBe(res.pages);
        if (paper === 'A4') expect(info['Page size']).toMatch(/^595\.2\d* x 841\.8\d* pts/);
        else expect(info['Page size']).toMatch(/^612 x 792 pts/);

        const stats = pageStats(file, dir);
        expect(stats).toHaveLength(res.pages);
        for (const p of stats) {
          expect(p.inked).toBeGreaterThan(0.03);
          expect(p.std).toBeGreaterThan(20);
          if (paper === 'A4') expect(p.height / p.width).toBeCloseTo(841.89 / 595.28, 2);
          else expect(p.height / p.width).toBeCloseTo(792 / 612, 2);
        }
      });

  it('gives the same bytes for the same inputs, and different bytes for another generation time', () => {
    const input = { record, bundle, images, lang: 'zh-CN' as const, paper: 'A4' as const, reportId: 'RPT-TEST-0002', generatedAt: GENERATED_AT };
    const a = renderPatientReport(input);
    const b = renderPatientReport({ ...input, record: sampleRecord(bundle) });
    expect(a.equals(b)).toBe(true);
    const file = path.join(dir, 'determinism.pdf');
    const res = writePatientReport(file, input);
    expect(readFileSync(file).equals(a)).toBe(true);
    const c = renderPatientReport({ ...input, generatedAt: '2026-11-28T10:06:00.000Z' });
    expect(c.equals(a)).toBe(false);
    expect(res.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(dir).some((f) => f.includes('.partial-'))).toBe(false);
  });

  it.skipIf(!hasPoppler)('prints the refusal reasons, and no probability, when the case was refused (needs poppler-utils)', () => {
    const refused = sampleRecord(bundle, { refused: true });
    for (const lang of LANGS) {
      const file = path.join(dir, `refused-${lang}.pdf`);
      writeFileSync(file, renderPatientReport({ record: refused, bundle, images, lang, paper: 'A4', reportId: 'RPT-TEST-0003', generatedAt: GENERATED_AT }));
      const flat = pdfText(file).replace(/\s+/g, ' ');
      expect(flat).toContain(REPORT_STRINGS[lang].refusedHeadline);
      expect(flat).toContain('OUT_OF_RANGE_DIAMETER');
      expect(flat).not.toContain(formatPercent(record.result!.probability));
      expect(flat).toContain(REPORT_STRINGS[lang].disclaimer);
    }
  });

  it('refuses a record made with another bundle', () => {
    const other = { ...record, bundle: { ...record.bundle, contentSha256: '0'.repeat(64) } };
    expect(() => renderPatientReport({ record: other, bundle, images, lang: 'en', paper: 'A4', reportId: 'X', generatedAt: GENERATED_AT })).toThrow(
      /not with the bundle/,
    );
  });

  it('has every string in both languages', () => {
    expect(Object.keys(REPORT_STRINGS.en).sort()).toEqual(Object.keys(REPORT_STRINGS['zh-CN']).sort());
  });
});
