import type { ErrorRequestHandler, Response } from 'express';
import { isDatabaseUnreachable } from '../db/errors';
import { isTemporalUnavailable } from '../temporal/errors';

/** Which backend an error says is down, if it says so: such a failure is a 503, not a 500. */
function downBackend(err: unknown): 'postgres' | 'temporal' | undefined {
  if (isTemporalUnavailable(err)) return 'temporal';
  if (isDatabaseUnreachable(err)) return 'postgres';
  return undefined;
}

/** Codes for the client errors Express and body-parser raise themselves, by their `type`. */
const CLIENT_ERROR_CODES: Record<string, string> = {
  'entity.parse.failed': 'malformed_json',
  'entity.too.large': 'payload_too_large',
  'encoding.unsupported': 'unsupported_encoding',
  'charset.unsupported': 'unsupported_charset',
  'request.aborted': 'request_aborted',
  'request.size.invalid': 'bad_request',
  'parameters.too.many': 'payload_too_large',
};

const CLIENT_ERROR_MESSAGES: Record<string, string> = {
  malformed_json: 'The body is not valid JSON',
  payload_too_large: 'The body is larger than this endpoint accepts',
};

/**
 * A client error raised before our handlers ran (body-parser: bad JSON, an unsupported charset or
 * Content-Encoding, too large; the router: a path that is not valid percent-encoding), as the
 * 4xx it is. Undefined for anything else.
 */
function clientError(err: unknown): ApiError | undefined {
  const { status, type, expose, message } = err as {
    status?: unknown;
    type?: string;
    expose?: boolean;
    message?: string;
  };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const code = CLIENT_ERROR_CODES[type ?? ''] ?? 'bad_request';
  const text = CLIENT_ERROR_MESSAGES[code] ?? (expose && message ? message : 'The request is malformed');
  return new ApiError(status, code, text);
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

/**
 * Turns our own errors, client errors and unreachable backends into JSON with their status;
 * anything else is a bug: logged, and a 500 with no internals.
 */
export function errorHandler(log: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof ApiError) return sendError(res, err);
    const client = clientError(err);
    if (client) return sendError(res, client);
    const down = downBackend(err);
    if (down) return sendError(res, unavailable(down));
    log(err);
    sendError(res, new ApiError(500, 'internal', 'Something went wrong on our side'));
  };
}
