import dcmjs from 'dcmjs';
import { writeFileSync } from 'node:fs';
import { engineVersion } from '../../core/version.js';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

/** Hilum's implementation class UID (under the 2.25 root) and version name, written in every file meta header. */
export const IMPLEMENTATION_CLASS_UID = '2.25.187236450934856349285912036711593728715';

/** Writes a naturalized dataset (dcmjs keywords) as a DICOM Part 10 file. */
export function writeDataset(filePath: string, dataset: Record<string, unknown>, transferSyntaxUid: string): void {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: transferSyntaxUid,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: `HILUM_${engineVersion()}`.slice(0, 16),
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  writeFileSync(filePath, new Uint8Array(dict.write({ fragmentMultiframe: false })));
}

/** DICOM DA and TM strings for a date. */
export function dicomDateTime(date: Date): { date: string; time: string } {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    date: `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}`,
    time: `${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`,
  };
}

/**
 * A Decimal String value (VR DS) of at most 16 characters, as PS3.5 6.2 requires, with as many
 * significant digits as fit (so dcmjs never has to truncate it).
 */
export function decimalString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`DS value must be finite, got ${x}`);
  for (let digits = 15; digits >= 1; digits--) {
    const s = String(Number(x.toPrecision(digits)));
    if (s.length <= 16) return s;
  }
  return x.toExponential(8);
}
