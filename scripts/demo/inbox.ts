import { failure, reason, request } from './api-client';

// The development inbox: MailDev's REST API (web UI on the same port). The demo reads the emails
// Journeys sent, as their recipients would, to find the links inside them.

export interface InboxEmail {
  id: string;
  subject: string;
  to: { address: string; name?: string }[];
  html?: string;
  headers?: Record<string, string | string[]>;
  messageId?: string;
}

export type InboxConnection = { inbox: Inbox; emails: number } | { inbox: undefined; reason: string };

export class Inbox {
  private constructor(readonly baseUrl: string) {}

  /** The inbox if MailDev answers at `baseUrl`, else why not. */
  static async connect(baseUrl: string): Promise<InboxConnection> {
    const inbox = new Inbox(baseUrl.replace(/\/+$/, ''));
    try {
      const res = await fetch(`${inbox.baseUrl}/api/email/summary?limit=1`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return { inbox, emails: ((await res.json()) as { total?: number }).total ?? 0 };
      return { inbox: undefined, reason: `HTTP ${res.status} from ${inbox.baseUrl}/api/email/summary` };
    } catch (err) {
      return { inbox: undefined, reason: `${inbox.baseUrl}: ${reason(err)}` };
    }
  }

  /** Every email to `address`, with its HTML. */
  async emailsTo(address: string): Promise<InboxEmail[]> {
    const url = `${this.baseUrl}/api/email?${new URLSearchParams({ 'to.address': address })}`;
    const res = await request(url);
    if (!res.ok) throw await failure(`GET ${url}`, res);
    return (await res.json()) as InboxEmail[];
  }

  /** The email's HTML: from the listing, else from /api/email/:id/html. */
  async html(email: InboxEmail): Promise<string> {
    if (email.html) return email.html;
    const url = `${this.baseUrl}/api/email/${encodeURIComponent(email.id)}/html`;
    const res = await request(url);
    if (res.status === 404) return '';
    if (!res.ok) throw await failure(`GET ${url}`, res);
    return res.text();
  }
}

export interface EmailLinks {
  /** The open pixel, /t/o/<token>.gif. */
  open?: string;
  /** Tracked links, /t/c/<token>: each records a click and redirects to the shop. */
  clicks: string[];
  /** The double opt-in link, /c/<token>. */
  confirm?: string;
}

/** Our links in an email's HTML (entities decoded), by what they do. */
export function linksIn(html: string): EmailLinks {
  const urls = (pattern: RegExp): string[] =>
    [...html.matchAll(pattern)].map((m) => m[1].replace(/&amp;/g, '&')).filter((u) => /^https?:\/\//.test(u));
  return {
    open: urls(/src="([^"]*\/t\/o[/?][^"]*)"/g)[0],
    clicks: [...new Set(urls(/href="([^"]*\/t\/c[/?][^"]*)"/g))],
    confirm: urls(/href="([^"]*(?<!\/t)\/c\/[^"]+)"/g)[0],
  };
}

/**
 * The messages.id Journeys gave the email, from its Message-ID `<id.journey@journeys>`; undefined
 * when the inbox does not show it.
 */
export function journeysMessageId(email: InboxEmail): number | undefined {
  const header = email.messageId ?? headerValue(email, 'message-id');
  const match = header && /^<?(\d+)\.[^@]*@journeys>?$/.exec(header.trim());
  return match ? Number(match[1]) : undefined;
}

export function headerValue(email: InboxEmail, name: string): string | undefined {
  const entry = Object.entries(email.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  return Array.isArray(value) ? value[0] : value;
}
