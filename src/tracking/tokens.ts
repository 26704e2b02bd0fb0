import { createHmac, timingSafeEqual } from 'node:crypto';

// Tracking and unsubscribe links carry a signed token instead of anything personal: the message
// id (and, for clicks, the destination), HMAC-SHA256-signed with SIGNING_SECRET. A token that was
// tampered with, or signed with another secret, does not verify.

export interface TokenPayload {
  /** messages.id of the email the link is in. */
  m: number;
  /** For click links: the original URL. */
  u?: string;
}

const b64url = (buf: Buffer): string => buf.toString('base64url');

function sign(body: string, secret: string): string {
  return b64url(createHmac('sha256', secret).update(body).digest());
}

export function signToken(payload: TokenPayload, secret: string): string {
  const body = b64url(Buffer.from(JSON.stringify(payload)));
  return `${body}.${sign(body, secret)}`;
}

/** The payload, or null for anything that is not a token we signed. */
export function verifyToken(token: string, secret: string): TokenPayload | null {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return null;
  const expected = Buffer.from(sign(body, secret));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    if (!Number.isSafeInteger(payload.m) || (payload.u !== undefined && typeof payload.u !== 'string')) return null;
    return payload;
  } catch {
    return null;
  }
}
