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

/**
 * Parses a body, params or query with `schema`, after checking that every value in it is well
 * formed (no NUL, no lone surrogate, finite numbers, bounded nesting); a failure is a 400 naming
 * each field that failed.
 */
export function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const malformed = wellFormedIssues(input);
  if (malformed.length > 0) throw invalid(malformed);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}
