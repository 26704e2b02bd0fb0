import { signToken } from '../tracking/tokens';

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

/** Rewrites http(s) links to our click tracker (leaving our own links alone) and adds the open pixel. */
export function trackHtml(html: string, messageId: number, s: LinkSettings): string {
  const ours = `${s.publicUrl}/`;
  const tracked = html.replace(/href="(https?:\/\/[^"]+)"/g, (whole, url: string) => {
    if (url.startsWith(ours)) return whole;
    return `href="${s.publicUrl}/t/c/${signToken({ m: messageId, u: decodeEntities(url) }, s.signingSecret)}"`;
  });
  const pixel = `<img src="${s.publicUrl}/t/o/${signToken({ m: messageId }, s.signingSecret)}.gif" width="1" height="1" alt="" style="display:block;border:0">`;
  return tracked.includes('</body>') ? tracked.replace('</body>', `${pixel}</body>`) : tracked + pixel;
}

function decodeEntities(url: string): string {
  return url.replace(/&amp;/g, '&');
}
