import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HilumError } from '../core/errors.js';

/**
 * An application entity title: 1–16 characters of the default character repertoire, no backslash
 * and no control characters, not all spaces (PS3.5 6.2, VR AE).
 */
const AeTitleSchema = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[\x20-\x5b\x5d-\x7e]+$/, 'an AE title has printable ASCII characters and no backslash')
  .refine((s) => s.trim().length > 0, 'an AE title cannot be blank');

/** One PACS as Hilum talks to it: DIMSE (PS3.7, PS3.8) and, where offered, DICOMweb (PS3.18). */
export const PacsNodeSchema = z
  .object({
    /** A name the user recognises ("Radiology PACS"). */
    name: z.string().min(1).max(64),
    /** The PACS's own AE title (the called AE). */
    aeTitle: AeTitleSchema,
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
    /** Hilum's AE title as the PACS knows it (the calling AE). */
    callingAeTitle: AeTitleSchema.default('HILUM'),
    /** DICOM TLS (PS3.15 B.1): CA, and optional client certificate and key, as PEM file paths. */
    tls: z
      .object({
        caFile: z.string().min(1).optional(),
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** DICOMweb root (QIDO-RS, WADO-RS, STOW-RS), where the PACS offers it. */
    dicomWebUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Connection and per-PDU timeout (ms). */
    timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  })
  .strict();

export type PacsNode = z.infer<typeof PacsNodeSchema>;
export type PacsNodeInput = z.input<typeof PacsNodeSchema>;

/** Validates a PACS node; a bad field is a PACS_CONFIG_INVALID error naming it. */
export function parsePacsNode(value: unknown): PacsNode {
  const parsed = PacsNodeSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(node)'}: ${i.message}`);
  throw new HilumError({
    code: 'PACS_CONFIG_INVALID',
    message: `The PACS node is not valid: ${issues.join('; ')}`,
    hint: 'A PACS node needs name, aeTitle, host and port; callingAeTitle defaults to HILUM.',
    data: { issues },
  });
}

/** Node's TLS options from the node's PEM files (undefined without TLS). */
export function tlsOptions(node: PacsNode): { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } | undefined {
  if (!node.tls) return undefined;
  const read = (file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new HilumError({ code: 'PACS_CONFIG_INVALID', message: `Cannot read the TLS file ${file}`, data: { file }, cause: error });
    }
  };
  const ca = read(node.tls.caFile);
  const cert = read(node.tls.certFile);
  const key = read(node.tls.keyFile);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), rejectUnauthorized: true };
}
