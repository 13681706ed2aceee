/**
 * The requests of the desktop-only channel (`hilum:shell`), validated in the main process before
 * anything runs: native save and print of one of the app's own reports, and a native file or
 * folder chooser (which returns a path the page then hands to the validated API). Free of
 * 'electron' imports, so it is tested without the binary.
 */
import { z } from 'zod';

export const shellRequestSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('save-report'), reportFile: z.string().min(1).max(4096) }),
  z.strictObject({ action: z.literal('print-report'), reportFile: z.string().min(1).max(4096) }),
  z.strictObject({
    action: z.literal('choose-path'),
    kind: z.enum(['folder', 'file']),
    /** What the path is for: sets the dialog's title and, for files, its filter. */
    purpose: z.enum(['ct', 'mask', 'manifest', 'protocol', 'study-folder', 'bundle', 'export-folder']),
  }),
]);
export type ShellRequest = z.infer<typeof shellRequestSchema>;

/** Title and file filters of the chooser for each purpose. */
export const CHOOSER: Record<Extract<ShellRequest, { action: 'choose-path' }>['purpose'], { title: string; extensions?: string[] }> = {
  ct: { title: 'Open a CT series (folder of a CD or PACS export, or a NIfTI/NRRD file)', extensions: ['nii', 'gz', 'nrrd', 'dcm'] },
  mask: { title: 'Import a nodule mask (NIfTI, NRRD or DICOM-SEG)', extensions: ['nii', 'gz', 'nrrd', 'dcm'] },
  manifest: { title: 'Choose the cohort manifest', extensions: ['csv'] },
  protocol: { title: 'Choose the study protocol', extensions: ['yaml', 'yml', 'json'] },
  'study-folder': { title: 'Choose the study folder' },
  bundle: { title: 'Choose a model bundle', extensions: ['json'] },
  'export-folder': { title: 'Choose the folder to export to' },
};
