/**
 * Small value helpers shared by the store's repositories: new ids, timestamps, and the canonical JSON
 * that every JSON column holds (sorted keys, so the same value always gives the same text and a case
 * export hashes the same after a round trip).
 */
import { randomUUID } from 'node:crypto';
import { HilumError } from '../core/errors.js';
import { canonicalJson } from '../signatures/canonical-json.js';

/** A new row id (random UUID). */
export function newId(): string {
  return randomUUID();
}

/** The current time as ISO 8601 UTC text, the form every `*_at` column holds. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** The actor recorded in the audit log when the caller names none. */
export function defaultActor(): string {
  return process.env.USER || process.env.USERNAME || 'hilum';
}

/** Canonical JSON text for a JSON column; a value JSON cannot hold (NaN, Infinity) is refused. */
export function jsonText(value: unknown, what: string): string {
  try {
    return canonicalJson(value);
  } catch (error) {
    throw new HilumError({
      code: 'STORE_INVALID_VALUE',
      message: `${what} cannot be stored: ${(error as Error).message}`,
      hint: 'Store missing or undefined numbers as null.',
    });
  }
}

/** Canonical JSON text, or null for null/undefined. */
export function optionalJsonText(value: unknown, what: string): string | null {
  return value === undefined || value === null ? null : jsonText(value, what);
}

/** Parses a JSON column (null stays null). */
export function parseJsonColumn<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** Throws STORE_INVALID_VALUE unless `value` is a lower-case hex SHA-256. */
export function requireSha256(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value))
    throw new HilumError({ code: 'STORE_INVALID_VALUE', message: `${what} must be a SHA-256 (64 lower-case hex digits), not ${JSON.stringify(value)}` });
  return value;
}

/** Throws STORE_INVALID_VALUE unless `value` is a non-empty string. */
export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new HilumError({ code: 'STORE_INVALID_VALUE', message: `${what} must be a non-empty text, not ${JSON.stringify(value)}` });
  return value;
}
