import { createHash, randomUUID } from 'node:crypto';

/**
 * DICOM UIDs under the 2.25 root (ISO/IEC 9834-8: a UUID as one decimal integer), which needs no
 * registered organisation root. Seeded UIDs make generated data reproducible.
 */
export function newUid(): string {
  return '2.25.' + BigInt('0x' + randomUUID().replace(/-/g, '')).toString();
}

/** A UID derived from a seed string: same seed, same UID. */
export function uidFromSeed(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex').slice(0, 32);
  // Mark as a version-4-like UUID so it stays within the 2.25 rules (128-bit integer).
  return '2.25.' + BigInt('0x' + hex).toString();
}
