import type { Request, RequestHandler } from 'express';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { ApiError, sendError } from './errors';

/**
 * A fixed one-minute window of `perMinute` requests per API key (requireKey runs first and puts
 * the key in res.locals). Over it: 429 with Retry-After. The counts live in this process, so with
 * N API replicas behind a balancer a key gets up to N times the limit.
 */
export function rateLimitPerKey(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (_req, res) => String(res.locals.apiKey),
    handler: (req, res) => {
      const info = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit;
      const resetAt = info?.resetTime?.getTime() ?? Date.now() + 60_000;
      const retryAfter = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
      sendError(
        res,
        new ApiError(429, 'rate_limited', `More than ${perMinute} requests a minute with this key`, undefined, {
          'Retry-After': String(retryAfter),
        }),
      );
    },
  });
}
