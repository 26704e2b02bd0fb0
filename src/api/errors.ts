import type { ErrorRequestHandler, Response } from 'express';
import { ServiceUnavailable } from '../ingest/errors';
import { isUnavailable } from '../ingest/ingest';

/** Socket and PostgreSQL codes that mean the database cannot be reached, not that the query was wrong. */
const POSTGRES_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P03']);

/** Which backend an error says is down, if it says so: such a failure is a 503, not a 500. */
function downBackend(err: unknown): 'postgres' | 'temporal' | undefined {
  if (err instanceof ServiceUnavailable) return err.service;
  if (isUnavailable(err)) return 'temporal';
  const code = String((err as { code?: unknown })?.code ?? '');
  const message = (err as Error)?.message ?? '';
  if (POSTGRES_DOWN.has(code) || code.startsWith('08') || /Connection terminated|trying to connect/.test(message)) {
    return 'postgres';
  }
  return undefined;
}

/** Every rejection the API makes: `{ error: { code, message, details } }` with the right status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 503 with Retry-After: a backend is down; what the request did was not applied, so retrying is safe. */
export function unavailable(service: 'postgres' | 'temporal'): ApiError {
  const what = service === 'postgres' ? 'The database' : 'Temporal';
  return new ApiError(503, 'unavailable', `${what} is unavailable; retry later`, undefined, { 'Retry-After': '5' });
}

export function sendError(res: Response, err: ApiError): void {
  res.locals.errorCode = err.code; // for the metrics: rejections by reason
  res
    .status(err.status)
    .set(err.headers)
    .json({
      error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) },
    });
}

/** Turns body-parser's and our own errors into JSON; anything else is a 500 with no internals. */
export function errorHandler(log: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof ApiError) return sendError(res, err);
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed')
      return sendError(res, new ApiError(400, 'malformed_json', 'The body is not valid JSON'));
    if (type === 'entity.too.large') {
      return sendError(res, new ApiError(413, 'payload_too_large', 'The body is larger than this endpoint accepts'));
    }
    const down = downBackend(err);
    if (down) return sendError(res, unavailable(down));
    log(err);
    sendError(res, new ApiError(500, 'internal', 'Something went wrong on our side'));
  };
}
