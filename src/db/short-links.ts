import { randomBytes } from 'node:crypto';
import type { Queryable } from './queryable';

// Short links in text messages (/s/<token>): a text has no room for a signed token, so the token
// is random (48 bits, 8 characters) and the destination is kept here, with the message it is in.

export interface ShortLink {
  messageId: number;
  url: string;
}

/**
 * The token for each of `urls` in message `messageId`: the ones an earlier attempt at the message
 * made are used again, so a retried send texts the same links.
 */
export async function shortLinksFor(db: Queryable, messageId: number, urls: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ url: string; token: string }>(
    'SELECT url, token FROM short_links WHERE message_id = $1',
    [messageId],
  );
  const tokens = new Map(rows.map((r) => [r.url, r.token]));
  for (const url of new Set(urls)) {
    if (tokens.has(url)) continue;
    const token = randomBytes(6).toString('base64url');
    await db.query('INSERT INTO short_links (token, message_id, url) VALUES ($1, $2, $3)', [token, messageId, url]);
    tokens.set(url, token);
  }
  return tokens;
}

/** The message and destination of a short link; undefined for a token we never issued. */
export async function findShortLink(db: Queryable, token: string): Promise<ShortLink | undefined> {
  const { rows } = await db.query<{ message_id: string; url: string }>(
    'SELECT message_id, url FROM short_links WHERE token = $1',
    [token],
  );
  return rows[0] && { messageId: Number(rows[0].message_id), url: rows[0].url };
}
