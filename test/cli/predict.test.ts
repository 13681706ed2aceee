import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoCase, demoClinicalInput, type DemoCase } from '../../electron/engine/phantom/demo-case.js';
import { str } from '../../electron/engine/imaging/dicom/dataset.js';
import { readDicomFile } from '../../electron/engine/imaging/dicom/parse.js';
import { TAG } from '../../electron/engine/imaging/dicom/tags.js';
import { countRows, closeDatabase, integrityCheck, openDatabase, readCase } from '../../electron/engine/store/index.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCli } from './run-cli.js';

const BUNDLE = path.join(ROOT, 'models', 'hilum-demo.bundle.json');
const hasPoppler = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface PredictJson {
  record: {
    id: string;
    inputsSha256: string;
    bundle: { contentSha256: string; synthetic: boolean };
    result: { probability: number; interval95: [number, number]; category: string; threshold: number } | null;
    signatures: { name: string; score: number; scorePercentile: number }[];
    clinical: { field: string; source: string }[];
    nomogram: { totalPoints: number };
    warnings: { code: string }[];
  };
  report: { file: string; sha256: string; pages: number; reportId: string };
  stored: { db: string; patientId: string; predictionId: string; reportId: string } | null;
  dicom: { reportFile: string; segFile: string; srFile?: string; studyInstanceUid: string } | null;
}

describe('hilum predict (the bedside pipeline end to end)', () => {
  const tmp = tempDir('hilum-predict-');
  let demo: DemoCase;
  let clinicalFile: string;
  const db = () => path.join(tmp.dir, 'cases.sqlite');

  beforeAll(async () => {
    demo = await ensureDemoCase();
    clinicalFile = path.join(tmp.dir, 'clinical.json');
    writeFileSync(clinicalFile, JSON.stringify(demoClinicalInput(demo)));
  }, 180_000);
  afterAll(() => tmp.cleanup());

  const predict = async (extra: string[], out = path.join(tmp.dir, 'report.pdf')) => {
    const seed = demo.noduleCentreLps.join(',');
    return runCli(['predict', '--image', demo.seriesDir, '--seed', seed, '--clinical', clinicalFile, '--out', out, '--json', ...extra]);
  };

  it('predicts, stores, reports and exports: the same case twice gives the same probability to the last bit and the same inputs hash', async () => {
    const first = await predict(['--db', db(), '--model', BUNDLE, '--dicom-out', path.join(tmp.dir, 'dicom')], path.join(tmp.dir, 'first.pdf'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as PredictJson;
    const second = JSON.parse((await predict(['--db', db()], path.join(tmp.dir, 'second.pdf'))).stdout) as PredictJson;
    const b = second;
    expect(a.record.result).not.toBeNull();
    expect(Object.is(a.record.result!.probability, b.record.result!.probability)).toBe(true);
    expect(a.record.result!.interval95).toEqual(b.record.result!.interval95);
    expect(a.record.signatures.map((s) => s.score)).toEqual(b.record.signatures.map((s) => s.score));
    expect(a.record.inputsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.record.inputsSha256).toBe(a.record.inputsSha256);
    expect(b.record.id).not.toBe(a.record.id);
    const bundleSha = (JSON.parse(readFileSync(BUNDLE, 'utf8')) as { contentSha256: string }).contentSha256;
    expect(a.record.bundle.contentSha256).toBe(bundleSha);
    expect(a.record.bundle.synthetic).toBe(true);

    const r = a.record.result!;
    expect(r.interval95[0]).toBeLessThan(r.probability);
    expect(r.interval95[1]).toBeGreaterThan(r.probability);
    expect(['low', 'intermediate', 'high']).toContain(r.category);
    expect(a.record.signatures.map((s) => s.name)).toEqual(['clinical', 'radiomics', 'mil', 'dlrad', 'combined']);
    // The nomogram's total points map back to the combined model's linear predictor.
    const bundle = JSON.parse(readFileSync(BUNDLE, 'utf8')) as { nomogram: { pointsPerUnitXbeta: number; lpAtZeroPoints: number } };
    const combined = a.record.signatures.find((s) => s.name === 'combined')!;
    expect(a.record.nomogram.totalPoints / bundle.nomogram.pointsPerUnitXbeta + bundle.nomogram.lpAtZeroPoints).toBeCloseTo(combined.score, 10);
    expect(a.record.clinical.find((c) => c.field === 'diameter_mm')?.source).toBe('measured');

    // Stored: one patient, series, segmentation and clinical version; two predictions with their reports.
    const store = openDatabase(db(), { readonly: true });
    try {
      expect(integrityCheck(store)).toEqual(['ok']);
      const counts = countRows(store);
      expect(counts).toMatchObject({ patients: 1, series: 1, segmentations: 1, clinical_records: 1, predictions: 2, reports: 2, dicom_exports: 3 });
      const c = readCase(store, a.stored!.patientId);
      const stored = c.predictions.find((p) => p.id === a.stored!.predictionId)!;
      expect(Object.is(stored.probability, r.probability)).toBe(true);
      expect(stored.bundleSha256).toBe(bundleSha);
      expect(stored.inputsSha256).toBe(a.record.inputsSha256);
      expect(c.reports.map((x) => x.fileSha256)).toContain(a.report.sha256);
    } finally {
      closeDatabase(store);
    }

    // DICOM for PACS, read back with dcmjs and with Hilum's reader: same study as the source.
    const files = readdirSync(path.join(tmp.dir, 'dicom'));
    expect(files.filter((f) => f.endsWith('.dcm'))).toHaveLength(3);
    expect(files.filter((f) => f.startsWith('sr-'))).toEqual([path.basename(a.dicom!.srFile!)]);
    const pdfObject = dcmjs.data.DicomMetaDictionary.naturalizeDataset(
      dcmjs.data.DicomMessage.readFile(readFileSync(a.dicom!.reportFile).buffer).dict,
    ) as Record<string, unknown>;
    expect(pdfObject.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.104.1');
    expect(pdfObject.MIMETypeOfEncapsulatedDocument).toBe('application/pdf');
    const source = readDicomFile(path.join(demo.seriesDir, readdirSync(demo.seriesDir).sort()[0]));
    const seg = readDicomFile(a.dicom!.segFile);
    expect(pdfObject.StudyInstanceUID).toBe(a.dicom!.studyInstanceUid);
    expect(str(seg, TAG.StudyInstanceUID)).toBe(str(source, TAG.StudyInstanceUID));
    expect(pdfObject.StudyInstanceUID).toBe(str(source, TAG.StudyInstanceUID));
    expect(pdfObject.PatientID).toBe(str(source, TAG.PatientID));
    expect(str(seg, TAG.SOPClassUID)).toBe('1.2.840.10008.5.1.4.1.1.66.4');
    // The TID 1500 measurement report: same study, the SEG's segment, the probability in percent.
    const sr = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(readFileSync(a.dicom!.srFile!).buffer).dict) as Record<
      string,
      unknown
    >;
    expect(sr.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.88.33');
    expect(sr.StudyInstanceUID).toBe(str(source, TAG.StudyInstanceUID));
    const srText = JSON.stringify(sr);
    expect(srText).toContain(str(seg, TAG.SOPInstanceUID));
    const percent = String(Math.round(r.probability * 1000) / 10).replace('.', '\\.');
    expect(srText).toMatch(new RegExp(`"NumericValue":\\[?"?${percent}"?\\]?[,}]`));
    expect(srText).toContain(a.record.bundle.contentSha256);
  }, 180_000);

  it.skipIf(!hasPoppler)(
    'prints a report whose text carries the probability, category, bundle hash, disclaimer and synthetic notice, in English and Chinese',
    async () => {
      for (const lang of ['en', 'zh-CN']) {
        const out = path.join(tmp.dir, `report-${lang}.pdf`);
        const run = await predict(['--lang', lang, '--paper', lang === 'en' ? 'Letter' : 'A4'], out);
        expect(run.code).toBe(0);
        const j = JSON.parse(run.stdout) as PredictJson;
        const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
        const compact = text.replace(/\s+/g, '');
        expect(text).toContain(`${(j.record.result!.probability * 100).toFixed(1)} %`); // "12.3 %", as on screen
        expect(compact).toContain(j.record.bundle.contentSha256);
        expect(text).toContain(j.report.reportId);
        if (lang === 'en') {
          expect(text).toMatch(new RegExp(`\\b${j.record.result!.category}\\b`, 'i'));
          expect(compact).toContain('Decisionsupport;doesnotreplacepathologicalnodalstaging.');
          expect(text).toContain('DEMONSTRATION MODEL TRAINED ON SYNTHETIC DATA');
        } else {
          expect(text).toContain({ low: '低风险', intermediate: '中风险', high: '高风险' }[j.record.result!.category]);
          expect(compact).toContain('本结果仅供临床决策支持，不能替代淋巴结病理分期');
          expect(text).toContain('演示模型');
        }
        const pages = execFileSync('pdfinfo', [out], { encoding: 'utf8' });
        expect(pages).toMatch(new RegExp(`Pages:\\s+${j.report.pages}\\b`));
        expect(pages).toMatch(lang === 'en' ? /Page size:\s+612 x 792/ : /Page size:\s+595\.(2|28) x 841\.(8|89)/);
        const prefix = path.join(tmp.dir, `page-${lang}`);
        execFileSync('pdftoppm', ['-r', '40', '-png', out, prefix]);
        expect(readdirSync(tmp.dir).filter((f) => f.startsWith(`page-${lang}`) && f.endsWith('.png'))).toHaveLength(j.report.pages);
      }
    },
    180_000,
  );

  it('copies the images into the store’s managed folder when asked, and records them as managed', async () => {
    const storeFile = path.join(tmp.dir, 'managed', 'cases.sqlite');
    const r = await predict(['--db', storeFile, '--copy-images'], path.join(tmp.dir, 'managed.pdf'));
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as PredictJson;
    const s = openDatabase(storeFile, { readonly: true });
    try {
      const series = readCase(s, j.stored!.patientId).series;
      expect(series).toHaveLength(1);
      expect(series[0].storage).toBe('managed');
      expect(series[0].imagePath.startsWith(path.join(tmp.dir, 'managed', 'hilum-images'))).toBe(true);
      expect(readdirSync(series[0].imagePath).sort()).toEqual(readdirSync(demo.seriesDir).sort());
    } finally {
      closeDatabase(s);
    }
  }, 60_000);

  it('refuses a changed bundle file, and writes nothing', async () => {
    const bundle = JSON.parse(readFileSync(BUNDLE, 'utf8')) as { signatures: { combined: { coefficients: number[] } } };
    bundle.signatures.combined.coefficients[0] += 0.01;
    const changed = path.join(tmp.dir, 'changed.bundle.json');
    writeFileSync(changed, JSON.stringify(bundle));
    const out = path.join(tmp.dir, 'tampered.pdf');
    const storeFile = path.join(tmp.dir, 'tampered.sqlite');
    const r = await predict(['--model', changed, '--db', storeFile], out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[BUNDLE_TAMPERED\].*changed since it was made/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(storeFile)).toBe(false);
  }, 60_000);

  it.each([
    ['CEA of -3', { cea_ng_ml: -3 }, 'CLINICAL_VALUE_OUT_OF_RANGE', 'cea_ng_ml'],
    ['age 400', { age_years: 400 }, 'CLINICAL_VALUE_OUT_OF_RANGE', 'age_years'],
    ['a missing required field', { smoker: undefined }, 'CLINICAL_VALUE_MISSING', 'smoker'],
    ['a wrong unit', { cea_ng_ml: { value: 1.86, unit: 'mg/dL' } }, 'CLINICAL_UNIT_INVALID', 'cea_ng_ml'],
  ])(
    'refuses %s with a field-specific error, and writes nothing',
    async (_label, change, code, field) => {
      const input = demoClinicalInput(demo) as { values: Record<string, unknown> };
      for (const [k, v] of Object.entries(change))
        if (v === undefined) delete input.values[k];
        else input.values[k] = v;
      const bad = path.join(tmp.dir, `bad-${field}-${code}.json`);
      writeFileSync(bad, JSON.stringify(input));
      const before = existsSync(db()) ? countRowsOf(db()) : null;
      const out = path.join(tmp.dir, `bad-${field}.pdf`);
      const r = await runCli(['predict', '--image', demo.seriesDir, '--seed', demo.noduleCentreLps.join(','), '--clinical', bad, '--db', db(), '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error \\[${code}\\]: clinical data: .*\\(${field}\\)`));
      expect(existsSync(out)).toBe(false);
      if (before) expect(countRowsOf(db())).toEqual(before);
    },
    60_000,
  );
});

function countRowsOf(file: string) {
  const s = openDatabase(file, { readonly: true });
  try {
    return countRows(s);
  } finally {
    closeDatabase(s);
  }
}
