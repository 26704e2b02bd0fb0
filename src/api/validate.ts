import type { z } from 'zod';
import { ApiError } from './errors';
import { wellFormedIssues, type Issue } from './well-formed';

/** A 400 naming each field that failed. */
export function invalid(details: Issue[]): ApiError {
  const first = details[0];
  return new ApiError(400, 'invalid_request', first ? naming(first) : 'Invalid request', details);
}

/** The issue as a sentence that names its field: `userId must not...`, or zod's own `userId is required`. */
function naming({ path, message }: Issue): string {
  const leaf = path.split('.').pop() ?? '';
  if (!path || message.startsWith(leaf)) return message;
  return /^[a-z]/.test(message) ? `${path} ${message}` : `${path}: ${message}`;
}

/** The input parsed, or the 400 naming each field that failed. */
export type Checked<T> = { ok: true; data: T } | { ok: false; error: ApiError };

/**
 * Checks a body, params or query against `schema`, after checking that every value in it is well
 * formed (no NUL, no lone surrogate, finite numbers, bounded nesting).
 */
export function check<T extends z.ZodType>(schema: T, input: unknown): Checked<z.infer<T>> {
  const malformed = wellFormedIssues(input);
  if (malformed.length > 0) return { ok: false, error: invalid(malformed) };
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    error: invalid(result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))),
  };
}

/** `check`, throwing its 400. */
export function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const checked = check(schema, input);
  if (!checked.ok) throw checked.error;
  return checked.data;
}
