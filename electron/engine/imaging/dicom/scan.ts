import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { HilumError, describeError, isHilumError } from '../../core/errors.js';
import { type DicomInstanceHeader, describeInstance } from './instance.js';
import { readDicomHeader } from './parse.js';

/** A file that was looked at and left out, with the reason. */
export interface SkippedFile {
  path: string;
  code: string;
  message: string;
}

export interface HeaderScan {
  headers: DicomInstanceHeader[];
  skipped: SkippedFile[];
}

/** Names that are never images: OS litter and DICOMDIR indexes are skipped without reading. */
const IGNORED_NAMES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/** All regular files under `root` (recursively), sorted, hidden folders skipped. */
export function listFiles(root: string): string[] {
  let st;
  try {
    st = statSync(root);
  } catch (error) {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${root} does not exist or cannot be read (${describeError(error)})`, data: { path: root } });
  }
  if (st.isFile()) return [root];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || IGNORED_NAMES.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  walk(root);
  return out.sort();
}

/** Reads the headers of the given files; files that are not DICOM or are damaged are listed as skipped. */
export function scanHeaders(files: string[]): HeaderScan {
  const headers: DicomInstanceHeader[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    try {
      const { dataSet, fileSize } = readDicomHeader(file);
      headers.push(describeInstance(dataSet, file, fileSize));
    } catch (error) {
      skipped.push({
        path: file,
        code: isHilumError(error) ? error.code : 'UNREADABLE_FILE',
        message: isHilumError(error) ? error.message : `${path.basename(file)} could not be read: ${describeError(error)}`,
      });
    }
  }
  return { headers, skipped };
}
