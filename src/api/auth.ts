import type { RequestHandler } from 'express';
import { ApiError, sendError } from './errors';

/**
 * Write keys, Segment's way: HTTP Basic with the key as user name and no password, or a Bearer
 * token; with `inBody`, also the body's `writeKey` (as Segment's libraries may send it). A missing
 * or unknown key answers 401 with WWW-Authenticate.
 */
export function requireKey(keys: string[], realm: string, options: { inBody?: boolean } = {}): RequestHandler {
  const known = new Set(keys);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const [scheme, value = ''] = header.split(' ');
    let key: string | undefined;
    if (/^basic$/i.test(scheme)) key = Buffer.from(value, 'base64').toString('utf8').split(':')[0];
    else if (/^bearer$/i.test(scheme)) key = value;
    else if (options.inBody && typeof req.body?.writeKey === 'string') key = req.body.writeKey;
    if (key && known.has(key)) {
      res.locals.apiKey = key;
      return next();
    }
    sendError(
      res,
      new ApiError(
        401,
        'unauthorized',
        key ? 'Unknown key' : 'A key is required (Basic with the key as user name, or Bearer)',
        undefined,
        {
          'WWW-Authenticate': `Basic realm="${realm}", Bearer realm="${realm}"`,
        },
      ),
    );
  };
}
