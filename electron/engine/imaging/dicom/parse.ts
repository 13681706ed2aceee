import dicomParser, { type DataSet } from 'dicom-parser';
import { closeSync, openSync, readSync, fstatSync, readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import path from 'node:path';
import { HilumError, describeError } from '../../core/errors.js';
import { TAG, TS } from './tags.js';

/** How a file looks at first glance. */
export type DicomSniff = 'part10' | 'raw-dataset' | 'not-dicom';

/**
 * Part 10 files carry 'DICM' at byte 128. Some old exports are bare implicit-VR datasets with no
 * preamble; they start with a group 0x0008 (or 0x0002) tag. Everything else is not DICOM.
 */
export function sniffDicom(head: Uint8Array): DicomSniff {
  if (head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d) return 'part10';
  if (head.length >= 8) {
    const group = head[0] | (head[1] << 8);
    const element = head[2] | (head[3] << 8);
    // A bare dataset opens with (0008,00xx) and a small even length; anything else is noise.
    if (group === 0x0008 && element < 0x0100) {
      const length = head[4] | (head[5] << 8) | (head[6] << 16) | (head[7] << 24);
      if (length >= 0 && length < 1024 && length % 2 === 0) return 'raw-dataset';
    }
  }
  return 'not-dicom';
}

/** Inflates a Deflated Explicit VR Little Endian dataset in place of the compressed bytes. */
function inflater(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = inflateRawSync(bytes.subarray(position));
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position));
  full.set(inflated, position);
  return full;
}

export interface ParseOptions {
  /** Stop at the pixel data element (its header is parsed, its value is not read). */
  headerOnly?: boolean;
}

/** Parses DICOM bytes. Throws HilumError NOT_DICOM or MALFORMED_DICOM with the file named. */
export function parseDicomBytes(bytes: Uint8Array, fileLabel: string, options: ParseOptions = {}): DataSet {
  const kind = sniffDicom(bytes);
  if (kind === 'not-dicom')
    throw new HilumError({
      code: 'NOT_DICOM',
      message: `${fileLabel} is not a DICOM file (no 'DICM' marker at byte 128 and no DICOM dataset at its start)`,
      hint: 'Remove it from the folder or pick the DICOM files only.',
      data: { file: fileLabel },
    });
  try {
    return dicomParser.parseDicom(bytes, {
      ...(kind === 'raw-dataset' ? { TransferSyntaxUID: TS.ImplicitLittle } : {}),
      ...(options.headerOnly ? { untilTag: TAG.PixelData } : {}),
      inflater,
    } as dicomParser.ParseDicomOptions);
  } catch (error) {
    throw new HilumError({
      code: 'MALFORMED_DICOM',
      message: `${fileLabel} could not be read as DICOM: ${describeError(error)}`,
      hint: 'The file may be truncated or damaged; copy it again from the source (CD, PACS).',
      data: { file: fileLabel },
      cause: error,
    });
  }
}

/** Bytes read for a header scan; enough for almost every CT header (the rest retries with the whole file). */
const HEAD_BYTES = 64 * 1024;

export interface HeaderRead {
  dataSet: DataSet;
  fileSize: number;
  /** True when the whole file had to be read (deflated datasets, very long headers). */
  wholeFile: boolean;
}

/** Reads and parses a file's header without loading its pixel data where possible. */
export function readDicomHeader(filePath: string): HeaderRead {
  const label = path.basename(filePath);
  const fd = openSync(filePath, 'r');
  let head: Uint8Array;
  let fileSize: number;
  try {
    fileSize = fstatSync(fd).size;
    head = new Uint8Array(Math.min(fileSize, HEAD_BYTES));
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (fileSize > head.length && sniffDicom(head) !== 'not-dicom') {
    try {
      const ds = parseDicomBytes(head, label, { headerOnly: true });
      if (ds.elements[TAG.PixelData] && ds.string(TAG.TransferSyntaxUID) !== TS.DeflatedExplicitLittle) return { dataSet: ds, fileSize, wholeFile: false };
    } catch {
      // the header runs past the first block, or the dataset is deflated: read it all
    }
  }
  const bytes = new Uint8Array(readFileSync(filePath));
  return { dataSet: parseDicomBytes(bytes, label, { headerOnly: true }), fileSize, wholeFile: true };
}

/** Reads and fully parses a file. */
export function readDicomFile(filePath: string): DataSet {
  return parseDicomBytes(new Uint8Array(readFileSync(filePath)), path.basename(filePath));
}
