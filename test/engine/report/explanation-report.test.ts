import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferBag, occlusionMaps, openBackbone } from '../../../electron/engine/deep/backbone-session.js';
import { loadBackbone } from '../../../electron/engine/deep/model-card.js';
import { explainPrediction } from '../../../electron/engine/pipeline/explanation.js';
import { CAM_LOWERS, CAM_RAISES } from '../../../electron/engine/report/cam-images.js';
import { type KeyImages, renderKeyImages } from '../../../electron/engine/report/key-images.js';
import { renderPatientReportWithInfo } from '../../../electron/engine/report/patient-report.js';
import { REPORT_STRINGS } from '../../../electron/engine/report/report-strings.js';
import type { PredictionRecord } from '../../../electron/engine/signatures/prediction-record.js';
import { demoBundle, phantomCase, sampleRecord } from './sample-record.js';

const hasPoppler = spawnSync('pdftotext', ['-v']).error === undefined;
const SHIPPED = path.resolve(__dirname, '../../../models/hilum-demo-backbone');

describe('the report’s “why” section', () => {
  let dir: string;
  let record: PredictionRecord;
  let images: KeyImages;
  let occlusionRecord: PredictionRecord;
  let occlusionImages: KeyImages;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hilum-why-'));
    const bundle = demoBundle();
    const { ct, mask, bag } = phantomCase();
    const backbone = loadBackbone(SHIPPED);
    const open = await openBackbone(backbone, ['cpu']);
    const inference = await inferBag(open, bag);
    const occlusion = { ...inference, cam: await occlusionMaps(open, bag, inference.logits), camUnavailable: 'CAM_HEAD_UNSUPPORTED: test' };
    await open.session.release();
    const base = sampleRecord(bundle);
    const combinedInputs = Object.fromEntries(base.nomogram.axes.map((a) => [a.name, a.value]));
    const { dlrad_score: _dlrad, ...clinicalEncoded } = combinedInputs;
    const explanation = explainPrediction({ bundle, bag, bagConfig: backbone.bagConfig, inference, clinicalEncoded, combinedInputs });
    record = { ...base, explanation };
    images = renderKeyImages(ct, mask, bag, { bagConfig: backbone.bagConfig, cam: explanation.cam });
    const occluded = explainPrediction({ bundle, bag, bagConfig: backbone.bagConfig, inference: occlusion, clinicalEncoded, combinedInputs });
    occlusionRecord = { ...base, explanation: occluded };
    occlusionImages = renderKeyImages(ct, mask, bag, { bagConfig: backbone.bagConfig, cam: occluded.cam });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws each bag slice with its map in red (raises) and blue (lowers) on one scale', () => {
    expect(images.camBag).toHaveLength(7);
    expect(images.camMaxAbs).toBeGreaterThan(0);
    const tinted = { raises: 0, lowers: 0 };
    for (const b of images.camBag) {
      const png = PNG.sync.read(b.png);
      for (let p = 0; p < png.width * png.height; p++) {
        const [r, g, bl] = [png.data[4 * p], png.data[4 * p + 1], png.data[4 * p + 2]];
        if (r > g + 40 && r > bl + 40) tinted.raises++;
        if (bl > r + 40 && bl > g + 20) tinted.lowers++;
      }
    }
    expect(tinted.raises + tinted.lowers).toBeGreaterThan(500);
    expect(CAM_RAISES[0]).toBeGreaterThan(CAM_RAISES[2]);
    expect(CAM_LOWERS[2]).toBeGreaterThan(CAM_LOWERS[0]);
  });

  it.skipIf(!hasPoppler)('prints the maps, their meaning, the synthetic notice and the contributions largest first, in both languages', () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const S = REPORT_STRINGS[lang];
      const res = renderPatientReportWithInfo({
        record,
        bundle: demoBundle(),
        images,
        lang,
        paper: 'A4',
        reportId: 'R-WHY',
        generatedAt: '2026-12-06T06:00:00.000Z',
      });
      const file = path.join(dir, `why-${lang}.pdf`);
      writeFileSync(file, res.buffer);
      expect(res.pages).toBeLessThanOrEqual(4);
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
      for (const s of [S.sectionWhy, S.camTitle, S.camSyntheticNote, S.camScaleHigh, S.camScaleLow]) expect(text).toContain(s.replace(/\s+/g, ''));
      expect(text).toContain(`+${images.camMaxAbs!.toFixed(2)}`);
      const combined = record.explanation!.contributions.find((c) => c.signature === 'combined')!;
      expect(text).toContain(S.contributionsBaseline(combined.baselineLogOdds.toFixed(3), combined.linearPredictor.toFixed(3)).replace(/\s+/g, ''));
    }
  });

  it.skipIf(!hasPoppler)('prints occlusion sensitivity, with its baseline and why, for a head without class-activation maps', () => {
    const S = REPORT_STRINGS.en;
    expect(occlusionRecord.explanation!.cam!.method).toBe('occlusion');
    expect(occlusionRecord.explanation!.cam!.slices[0].mapLogit).toBeUndefined();
    const res = renderPatientReportWithInfo({
      record: occlusionRecord,
      bundle: demoBundle(),
      images: occlusionImages,
      lang: 'en',
      paper: 'A4',
      reportId: 'R-OCC',
    });
    const file = path.join(dir, 'occlusion.pdf');
    writeFileSync(file, res.buffer);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    for (const s of [S.camUnavailable, S.occlusionTitle, S.occlusionMeaning(occlusionImages.camMaxAbs!.toFixed(2), -1000)])
      expect(text).toContain(s.replace(/\s+/g, ''));
    expect(text).not.toContain(S.camTitle.replace(/\s+/g, ''));
  });
});
