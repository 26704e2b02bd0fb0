import { decodeHTMLAttribute } from 'entities';
import { httpLink } from '../shared/http-link';
import { signToken } from './tokens';

// Every link in an email goes through us: clicks and opens are recorded, then the reader goes on.
// Tokens carry the message id (and the destination), signed, never an address.

export interface LinkSettings {
  publicUrl: string;
  signingSecret: string;
}

export interface MessageLinks {
  unsubscribe: string;
  preferences: string;
  pause: string;
  fewer: string;
  /** Double opt-in: confirms the address (the welcome series waits for it). */
  confirm: string;
}

export function messageLinks(messageId: number, s: LinkSettings): MessageLinks {
  const token = signToken({ m: messageId }, s.signingSecret);
  const unsubscribe = `${s.publicUrl}/u/${token}`;
  return {
    unsubscribe,
    preferences: unsubscribe,
    pause: `${unsubscribe}?action=pause`,
    fewer: `${unsubscribe}?action=fewer`,
    confirm: `${s.publicUrl}/c/${token}`,
  };
}

/**
 * Rewrites the http(s) links of a rendered email to our click tracker (leaving our own links alone)
 * and adds the open pixel. A link or image whose URL is not http(s) (javascript:, data:...) is
 * neutralised: no template data can put one in front of a reader. The tracker redirects to exactly
 * the URL the template produced: the attribute's HTML entities (`&amp;`, `&#39;`...) are decoded.
 */
export function trackHtml(html: string, messageId: number, s: LinkSettings): string {
  const ours = `${s.publicUrl}/`;
  const tracked = html.replace(/\b(href|src)="([^"]*)"/g, (whole, attribute: string, raw: string) => {
    const url = decodeHTMLAttribute(raw);
    if (attribute === 'href' && (url.startsWith('#') || /^(mailto|tel):/i.test(url))) return whole;
    if (!httpLink(url)) return `${attribute}="#"`;
    if (attribute === 'src' || url.startsWith(ours)) return whole;
    return `href="${s.publicUrl}/t/c/${signToken({ m: messageId, u: url }, s.signingSecret)}"`;
  });
  const pixel = `<img src="${s.publicUrl}/t/o/${signToken({ m: messageId }, s.signingSecret)}.gif" width="1" height="1" alt="" style="display:block;border:0">`;
  return tracked.includes('</body>') ? tracked.replace('</body>', `${pixel}</body>`) : tracked + pixel;
}

/** An http(s) URL in plain text, up to whitespace; trailing sentence punctuation is not part of it. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]'’”]+$/;

/**
 * Rewrites the http(s) links of a text message to short links on our own domain (/s/<token>),
 * which count clicks as email links do; our own links stay. `tokensFor` gives each URL's token.
 */
export async function shortenLinks(
  text: string,
  s: Pick<LinkSettings, 'publicUrl'>,
  tokensFor: (urls: string[]) => Promise<Map<string, string>>,
): Promise<string> {
  const ours = `${s.publicUrl}/`;
  const urls = [...text.matchAll(URL_IN_TEXT)]
    .map((m) => m[0].replace(TRAILING_PUNCTUATION, ''))
    .filter((url) => httpLink(url) && !url.startsWith(ours));
  if (urls.length === 0) return text;
  const tokens = await tokensFor(urls);
  return text.replace(URL_IN_TEXT, (found) => {
    const url = found.replace(TRAILING_PUNCTUATION, '');
    const token = tokens.get(url);
    return token ? `${s.publicUrl}/s/${token}${found.slice(url.length)}` : found;
  });
}
