/**
 * The one entry point of the API for every transport: parse `{id, method, params}`, refuse anything
 * that does not match the contract before a handler runs (logged), call the handler, and turn what
 * it throws into an error payload. A HilumError crosses with its code, message, hint and data; any
 * other error is a bug and crosses as API_INTERNAL_ERROR with its message logged and no stack sent.
 */
import { z } from 'zod';
import { HilumError } from '../engine/core/errors.js';
import { API, type ApiErrorPayload, type ApiMethod, type ApiParams, type ApiResponseMessage, BINARY, isApiMethod } from './contract.js';

/** What a handler returns: the JSON result (before its response schema), or an ArrayBuffer for a binary method. */
export type HandlerResult<M extends ApiMethod> = (typeof API)[M]['response'] extends z.ZodType ? z.input<(typeof API)[M]['response']> : ArrayBuffer;

export type Handlers = { [M in ApiMethod]: (params: ApiParams<M>) => Promise<HandlerResult<M>> };

/** One entry of the API log. */
export interface ApiLogEntry {
  time: string;
  level: 'warn' | 'error';
  event: 'api.invalid-request' | 'api.internal-error' | 'api.invalid-response';
  method: string | null;
  id: string | number | null;
  message: string;
  issues?: { path: (string | number)[]; message: string; code: string }[];
}

export interface HandlerTable {
  handlers: Handlers;
  log: (entry: ApiLogEntry) => void;
  /** Development check: validate every JSON response against its schema (tests turn it on). */
  checkResponses?: boolean;
  /** Releases what the table holds (cached volumes and masks). */
  dispose?: () => void;
}

const envelopeSchema = z.strictObject({
  id: z.union([z.string().min(1).max(100), z.number().int().nonnegative()]),
  method: z.string().min(1).max(100),
  params: z.record(z.string(), z.unknown()),
});

function issuesOf(error: z.ZodError): NonNullable<ApiLogEntry['issues']> {
  return error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message, code: i.code }));
}

function idOf(message: unknown): string | number | null {
  if (message && typeof message === 'object' && 'id' in message) {
    const raw = (message as { id: unknown }).id;
    if ((typeof raw === 'string' && raw.length <= 100) || (typeof raw === 'number' && Number.isFinite(raw))) return raw;
  }
  return null;
}

function invalid(table: HandlerTable, id: string | number | null, method: string | null, message: string, issues: ApiLogEntry['issues']): ApiResponseMessage {
  table.log({ time: new Date().toISOString(), level: 'warn', event: 'api.invalid-request', method, id, message, issues });
  return { id, error: { code: 'API_INVALID_REQUEST', message, data: { issues } } };
}

/** A JSON-safe copy of an error's data (a HilumError's data may hold anything). */
function jsonData(data: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!data) return undefined;
  try {
    return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function errorPayload(error: HilumError): ApiErrorPayload {
  const data = jsonData(error.data);
  return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(data ? { data } : {}) };
}

/** Parses, checks and runs one request; never throws. */
export async function dispatch(table: HandlerTable, message: unknown): Promise<ApiResponseMessage> {
  const envelope = envelopeSchema.safeParse(message);
  if (!envelope.success) {
    const method =
      message && typeof message === 'object' && typeof (message as { method?: unknown }).method === 'string' ? (message as { method: string }).method : null;
    return invalid(table, idOf(message), method?.slice(0, 100) ?? null, 'the request is not {id, method, params}', issuesOf(envelope.error));
  }
  const { id, method, params } = envelope.data;
  if (!isApiMethod(method))
    return invalid(table, id, method, `unknown method '${method}'`, [{ path: ['method'], message: `unknown method '${method}'`, code: 'unknown_method' }]);
  const spec = API[method];
  const parsed = spec.request.safeParse(params);
  if (!parsed.success) return invalid(table, id, method, `invalid parameters for ${method}: ${z.prettifyError(parsed.error)}`, issuesOf(parsed.error));

  let result: unknown;
  try {
    const handler = table.handlers[method] as (p: unknown) => Promise<unknown>;
    result = await handler(parsed.data);
  } catch (error) {
    if (error instanceof HilumError) return { id, error: errorPayload(error) };
    const text = error instanceof Error ? error.message : String(error);
    table.log({ time: new Date().toISOString(), level: 'error', event: 'api.internal-error', method, id, message: text });
    return { id, error: { code: 'API_INTERNAL_ERROR', message: `Hilum failed unexpectedly while running ${method}.`, hint: 'The details are in the log.' } };
  }

  if (spec.response === BINARY) {
    if (!(result instanceof ArrayBuffer)) return internalResponseError(table, id, method, 'a binary method did not return an ArrayBuffer');
    return { id, result, binary: true };
  }
  if (table.checkResponses) {
    const checked = spec.response.safeParse(result);
    if (!checked.success)
      return internalResponseError(table, id, method, `response does not match its schema: ${z.prettifyError(checked.error)}`, issuesOf(checked.error));
  }
  return { id, result };
}

function internalResponseError(table: HandlerTable, id: string | number, method: string, message: string, issues?: ApiLogEntry['issues']): ApiResponseMessage {
  table.log({ time: new Date().toISOString(), level: 'error', event: 'api.invalid-response', method, id, message, issues });
  return { id, error: { code: 'API_INTERNAL_ERROR', message: `Hilum failed unexpectedly while running ${method}.`, hint: 'The details are in the log.' } };
}
