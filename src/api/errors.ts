import type { ErrorRequestHandler, Response } from 'express';

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

export function sendError(res: Response, err: ApiError): void {
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
    log(err);
    sendError(res, new ApiError(500, 'internal', 'Something went wrong on our side'));
  };
}
