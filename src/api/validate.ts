import type { z } from 'zod';
import { ApiError } from './errors';

/** Parses a body, params or query with `schema`; a failure is a 400 naming each field that failed. */
export function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new ApiError(400, 'invalid_request', details[0]?.message ?? 'Invalid request', details);
}
