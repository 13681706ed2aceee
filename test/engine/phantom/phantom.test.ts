import path from 'node:path';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCohort, parseCentres, samplePatient, renderPatient, ensureDemoCase, CENTRES } from '../../../electron/engine/phantom/index.js';
import { bodySdf } from '../../../electron/engine/phantom/nodule.js';
import { acquire } from '../../../electron/engine/phantom/scanner.js';
import { scanDicom, loadSeriesVolume } from '../../../electron/engine/imaging/dicom/import.js';
import { readNifti } from '../../../electron/engine/imaging/nifti.js';
import { type Vec3, dot, norm, sub } from '../../../electron/engine/imaging/vec.js';
import { tempDir } from '../../helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function allFiles(root: string): string[] {
  return readdirSync(root)
    .flatMap((name) => {
      const p = path.join(root, name);
      return statSync(p).isDirectory() ? allFiles(p) : [p];
    })
    .sort();
}

describe('phantom cohort generator', () => {
  it('is deterministic: the same seed writes byte-identical files; another seed does not', async () => {
    const centres = parseCentres('A:2,B:1');
    const a = path.join(tmp.dir, 'a');
    const b = path.join(tmp.dir, 'b');
    const c = path.join(tmp.dir, 'c');
    await generateCohort({ outDir: a, centres, seed: 7, jobs: 2 });
    await generateCohort({ outDir: b, centres, seed: 7, jobs: 1 });
    await generateCohort({ outDir: c, centres, seed: 8, jobs: 2, images: false });
    const filesA = allFiles(a).map((f) => path.relative(a, f));
    expect(filesA).toEqual(allFiles(b).map((f) => path.relative(b, f)));
    expect(filesA.filter((f) => f.endsWith('.dcm')).length).toBeGreaterThan(40);
    for (const f of filesA) expect(readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f))), f).toBe(true);
    expect(readFileSync(path.join(a, 'clinical/A0001.json')).equals(readFileSync(path.join(c, 'clinical/A0001.json')))).toBe(false);
  });

  it('writes a readable DICOM series, a mask on its grid, clinical data and a manifest, all marked synthetic', async () => {
    const out = path.join(tmp.dir, 'a');
    const manifest = readFileSync(path.join(out, 'manifest.csv'), 'utf8').trim().split('\n');
    expect(manifest[0].split(',').slice(0, 7)).toEqual(['patient_id', 'centre', 'image_path', 'mask_path', 'clinical_path', 'label', 'latent_probability']);
    expect(manifest.slice(1).map((l) => l.split(',')[0])).toEqual(['A0001', 'A0002', 'B0001']);
    const scan = await scanDicom(path.join(out, 'images/B0001'));
    expect(scan.series[0].description).toContain('SYNTHETIC PHANTOM - NOT A PATIENT');
    expect(scan.series[0].findings.filter((f) => f.severity === 'error')).toEqual([]);
    const ct = await loadSeriesVolume(scan.series[0]);
    expect(ct.volume.spacingMm.map((v) => +v.toFixed(4))).toEqual(CENTRES.B.spacingMm);
    const mask = readNifti(path.join(out, 'masks/B0001.nii.gz')).image;
    expect(mask.dims).toEqual(ct.volume.dims);
    mask.originLps.forEach((v, a) => expect(v).toBeCloseTo(ct.volume.originLps[a], 3));
    const inside = Array.from(mask.voxels).filter((v) => v === 1).length;
    expect(inside).toBeGreaterThan(20);
    const clinical = JSON.parse(readFileSync(path.join(out, 'clinical/B0001.json'), 'utf8'));
    expect(clinical.notice).toBe('SYNTHETIC PHANTOM - NOT A PATIENT');
    expect(clinical.truth.latentProbability).toBeGreaterThan(0);
    expect(clinical.clinical.ceaNgMl).toBeGreaterThan(0);
  });

  it('a 200-patient cohort has the documented prevalence and relations', async () => {
    const { rows, summary } = await generateCohort({ outDir: path.join(tmp.dir, 'stats'), centres: parseCentres('A:140,B:60'), seed: 2026, images: false });
    expect(rows).toHaveLength(200);
    // docs/phantom.md: prevalence about 28 % (20–35 %); the oracle AUC about 0.9.
    expect(summary.prevalence).toBeGreaterThanOrEqual(0.2);
    expect(summary.prevalence).toBeLessThanOrEqual(0.35);
    expect(summary.oracleAuc).toBeGreaterThan(0.8);
    const rate = (subset: typeof rows) => subset.filter((r) => r.label === 1).length / subset.length;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ceaMedian = median(rows.map((r) => r.cea_ng_ml));
    expect(rate(rows.filter((r) => r.cea_ng_ml > ceaMedian))).toBeGreaterThan(rate(rows.filter((r) => r.cea_ng_ml <= ceaMedian)));
    const solidMedian = median(rows.map((r) => r.solid_diameter_mm));
    expect(rate(rows.filter((r) => r.solid_diameter_mm > solidMedian))).toBeGreaterThan(rate(rows.filter((r) => r.solid_diameter_mm <= solidMedian)));
    expect(rate(rows.filter((r) => r.nodule_type === 'ground-glass'))).toBeLessThan(rate(rows.filter((r) => r.nodule_type === 'solid')));
    // The true probability is higher in cases than in controls at both centres.
    for (const centre of ['A', 'B']) {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const c = rows.filter((r) => r.centre === centre);
      expect(mean(c.filter((r) => r.label === 1).map((r) => r.latent_probability))).toBeGreaterThan(
        mean(c.filter((r) => r.label === 0).map((r) => r.latent_probability)),
      );
    }
  });
});

describe('centre profiles', () => {
  const dims: Vec3 = [64, 64, 24];
  const field = (value: number) => new Float32Array(64 * 64 * 24).fill(value);
  const stats = (a: Int16Array) => {
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    return { mean, sd: Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length) };
  };

  it('noise level and calibration differ as documented (A: 20 HU, offset 0; B: 13 HU, offset +6)', () => {
    const a = stats(acquire(field(-850), dims, CENTRES.A, 'noise-test'));
    const b = stats(acquire(field(-850), dims, CENTRES.B, 'noise-test'));
    expect(a.sd).toBeCloseTo(20, 0);
    expect(b.sd).toBeCloseTo(13, 0);
    expect(a.mean).toBeCloseTo(-850, 0);
    expect(b.mean).toBeCloseTo(-844, 0);
  });

  it('the sharp kernel of A resolves an edge faster than the soft kernel of B, with overshoot', () => {
    const edge = (profile: (typeof CENTRES)['A']) => {
      const ideal = new Float32Array(64 * 64 * 24);
      for (let i = 0; i < ideal.length; i++) ideal[i] = i % 64 < 32 ? -850 : 50;
      const noiseless = { ...profile, noiseHu: 0 };
      const out = acquire(ideal, dims, noiseless, 'edge');
      const row = Array.from(out.slice(64 * (32 + 64 * 12), 64 * (33 + 64 * 12)));
      const at = (level: number) => row.findIndex((v) => v >= level);
      return { width: (at(-850 + 0.9 * 900) - at(-850 + 0.1 * 900)) * profile.spacingMm[0], max: Math.max(...row) };
    };
    const a = edge(CENTRES.A);
    const b = edge(CENTRES.B);
    expect(a.width).toBeLessThan(b.width);
    expect(a.max).toBeGreaterThan(50); // edge enhancement
    expect(b.max).toBeLessThanOrEqual(50 + CENTRES.B.huOffset);
  });

  it('contrast timing: enhanced vessels are brighter at A (arterial) than at B (portal-venous)', () => {
    expect(CENTRES.A.contrast.pulmonaryVessel).toBeGreaterThan(CENTRES.B.contrast.pulmonaryVessel + 50);
    expect(CENTRES.B.contrast.tumourEnhancementHu).toBeGreaterThan(CENTRES.A.contrast.tumourEnhancementHu);
    expect(CENTRES.B.spacingMm[2]).toBeGreaterThan(CENTRES.A.spacingMm[2]);
  });
});

describe('patients', () => {
  it('forced phenotypes are honoured and the tumour lies in the requested lobe', () => {
    const p = samplePatient('t', 'X1', 'A', { kind: 'ground-glass', diameterMm: 12, juxtapleural: true });
    expect(p.tumour.kind).toBe('ground-glass');
    expect(p.tumour.ctr).toBe(0);
    expect(p.tumour.diameterMm).toBe(12);
    expect(p.clinical.location).toBe('peripheral');
    expect(p.latent.probability).toBeLessThan(0.2);
  });

  it('the asymmetric halo is ground glass a reader can see: on its side the 1–4 mm shell is far above the lung of the opposite side, at both centres', () => {
    for (const centre of ['A', 'B']) {
      const p = samplePatient('halo', 'H1', centre, {
        kind: 'solid',
        diameterMm: 20,
        haloStrength: 0.8,
        satelliteCount: 0,
        strandCount: 0,
        juxtavascular: false,
        juxtapleural: false,
        location: 'peripheral',
      });
      const halo = p.peritumoral.halo;
      if (!halo) throw new Error('forced halo missing');
      const { grid, hu, mask } = renderPatient(p, { regionMm: [56, 56, 40] });
      const facingSide: number[] = [];
      const oppositeSide: number[] = [];
      const [nx, ny, nz] = grid.dims;
      for (let k = 0, o = 0; k < nz; k++)
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++, o++) {
            if (mask[o]) continue;
            const w = grid.world(i, j, k);
            const d = bodySdf(p.nodule, w);
            if (d < 1 || d > 4) continue;
            const rel = sub(w, p.nodule.centreLps);
            const cos = dot(rel, halo.direction) / norm(rel);
            if (cos > 0.8) facingSide.push(hu[o]);
            else if (cos < -0.8) oppositeSide.push(hu[o]);
          }
      const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
      expect(facingSide.length, centre).toBeGreaterThan(50);
      // Full-strength ground glass is −640 HU; at strength 0.8 and 1–4 mm out the blend is ≈ 100–150 HU above a ≈ −850 HU lung.
      expect(median(facingSide) - median(oppositeSide), centre).toBeGreaterThan(80);
      expect(median(oppositeSide), centre).toBeLessThan(-780);
    }
  });

  it('the demo case is a full field of view, generated once and cached', async () => {
    const root = path.join(tmp.dir, 'cache');
    const t0 = performance.now();
    const demo = await ensureDemoCase(root);
    const first = performance.now() - t0;
    const again = await ensureDemoCase(root);
    expect(again).toEqual(demo);
    expect(performance.now() - t0 - first).toBeLessThan(first);
    const scan = await scanDicom(demo.seriesDir);
    expect(scan.series[0].format.columns).toBe(512);
    expect(scan.series[0].stack?.slices.length).toBe(100);
  });
});
