import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDicomOutputs, type DicomOutputs } from '../../dicom-outputs.js';
import { tempDir } from '../../helpers.js';
import { indexVolume } from '../../synthetic.js';

/** dciodvfy (dicom3tools) checks an object against its IOD (PS3.3) and the data dictionary (PS3.6). */
const available = spawnSync('sh', ['-c', 'command -v dciodvfy']).status === 0;
if (!available) console.warn('dciodvfy tests skipped: dciodvfy is not installed (Debian package "dicom3tools")');

function verify(file: string): { errors: string[]; warnings: string[]; output: string } {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  const lines = output.split('\n');
  return { errors: lines.filter((l) => l.startsWith('Error')), warnings: lines.filter((l) => l.startsWith('Warning')), output };
}

const tmp = tempDir('hilum-dciodvfy-');
let outputs: DicomOutputs;

beforeAll(async () => {
  outputs = await writeDicomOutputs(tmp.dir, indexVolume([24, 20, 9]), { patientId: 'DCIODVFY-01', patientName: 'TEST^VALIDATOR' });
});
afterAll(() => tmp.cleanup());

describe.skipIf(!available)('dciodvfy on every object Hilum writes', () => {
  it('the Encapsulated PDF has no errors', () => {
    const r = verify(outputs.pdfFile);
    expect(r.output).toMatch(/EncapsulatedPDF/);
    expect(r.errors).toEqual([]);
  });

  it('the DICOM-SEG has no errors', () => {
    const r = verify(outputs.segFile);
    expect(r.output).toMatch(/Segmentation/);
    expect(r.errors).toEqual([]);
  });

  it('the TID 1500 structured report has no errors; its only warnings are Hilum’s private coding scheme', () => {
    const r = verify(outputs.srFile);
    expect(r.output).toMatch(/ComprehensiveSR/);
    expect(r.errors).toEqual([]);
    expect(r.warnings.length).toBeGreaterThan(0);
    for (const w of r.warnings) expect(w).toMatch(/99HILUM/);
  });
});
