/**
 * Errors and findings as values: a stable code, a plain-language message, an optional hint
 * that says what the user can do, and the data that caused them. The CLI and the UI show
 * the same message.
 */

export type Severity = 'error' | 'warning' | 'info';

/** One thing Hilum noticed about an input: a geometry problem, a skipped file, a dropped localizer. */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  data?: Record<string, unknown>;
}

export interface HilumErrorInit {
  code: string;
  message: string;
  hint?: string;
  data?: Record<string, unknown>;
  findings?: Finding[];
  cause?: unknown;
}

/** The one error type the engine throws for bad input; anything else is a bug. */
export class HilumError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown> | undefined;
  readonly findings: Finding[];

  constructor(init: HilumErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HilumError';
    this.code = init.code;
    this.hint = init.hint;
    this.data = init.data;
    this.findings = init.findings ?? [];
  }

  /** A plain object that crosses process and worker boundaries intact. */
  toJSON(): HilumErrorInit {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.data ? { data: this.data } : {}),
      ...(this.findings.length ? { findings: this.findings } : {}),
    };
  }

  static fromJSON(value: HilumErrorInit): HilumError {
    return new HilumError(value);
  }
}

export function isHilumError(value: unknown): value is HilumError {
  return value instanceof HilumError;
}

/** The error findings of a list, in order. */
export function errorsOf(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error');
}

/** Turns a finding of severity 'error' into a thrown error with the finding attached. */
export function findingToError(finding: Finding, extra: Finding[] = []): HilumError {
  return new HilumError({
    code: finding.code,
    message: finding.message,
    ...(finding.hint ? { hint: finding.hint } : {}),
    ...(finding.data ? { data: finding.data } : {}),
    findings: [finding, ...extra.filter((f) => f !== finding)],
  });
}

/** Message text for anything thrown, without a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return String(error);
}
