import type { IdentifyCall, TrackCall } from '../../src/api/segment-calls';
import type { JourneyStats } from '../../src/db/stats/journey-stats';
import type { RecipientMessage } from '../../src/db/stats/recipient-history';
import type { Product } from './catalogue';

// The Journeys HTTP API as the demo uses it: Segment-style ingestion with the write key, the
// admin endpoints with the admin key, and our own email links, the way a mail client hits them.

/** An expected failure: printed as one clear message, never as a stack trace. */
export class DemoError extends Error {}

/** One Segment call, as /v1/batch takes it. */
export type Call = (IdentifyCall & { type: 'identify' }) | (TrackCall & { type: 'track' });

export interface ApiSettings {
  baseUrl: string;
  writeKey: string;
  adminKey: string;
}

export type Readiness =
  { state: 'ready' } | { state: 'unreachable'; reason: string } | { state: 'not-ready'; body: string };

const TIMEOUT_MS = 30_000;
/** 429 and 503 say "later": try again, this many times, waiting what Retry-After says (at most 10 s). */
const RETRIES = 5;

/** fetch with a timeout, a DemoError naming the URL when nothing answers, and retries on 429/503. */
export async function request(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new DemoError(`${init.method ?? 'GET'} ${url}: no answer (${reason(err)})`);
    }
    if ((res.status !== 429 && res.status !== 503) || attempt > RETRIES) return res;
    const wait = Math.min(Number(res.headers.get('retry-after')) || 1, 10);
    await res.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

const HINTS: Record<number, string> = {
  401: 'Check WRITE_KEY and ADMIN_KEY: they must be keys the API accepts (API_KEYS, ADMIN_API_KEYS).',
  404: 'Is the API at JOURNEYS_URL this version of Journeys?',
};

/** The status and body of an unexpected answer, as the error message. */
export async function failure(what: string, res: Response): Promise<DemoError> {
  const body = (await res.text().catch(() => '')).trim();
  const shown = body.length > 500 ? `${body.slice(0, 500)}...` : body;
  const hint = HINTS[res.status] ? `\n  ${HINTS[res.status]}` : '';
  return new DemoError(`${what} failed: HTTP ${res.status} ${res.statusText}${shown ? `\n  ${shown}` : ''}${hint}`);
}

/** Why fetch threw: ECONNREFUSED, a timeout... rather than "fetch failed". */
export function reason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

export class JourneysApi {
  constructor(readonly settings: ApiSettings) {}

  private url(path: string): string {
    return `${this.settings.baseUrl}${path}`;
  }

  private async json<T>(method: string, path: string, auth: string, body?: unknown): Promise<T> {
    const res = await request(this.url(path), {
      method,
      headers: { Authorization: auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw await failure(`${method} ${path}`, res);
    return (await res.json()) as T;
  }

  private get writeAuth(): string {
    return `Basic ${Buffer.from(`${this.settings.writeKey}:`).toString('base64')}`;
  }

  private get adminAuth(): string {
    return `Bearer ${this.settings.adminKey}`;
  }

  /** GET /readyz: whether the API answers, and can reach PostgreSQL and Temporal. */
  async readiness(): Promise<Readiness> {
    let res: Response;
    try {
      res = await fetch(this.url('/readyz'), { signal: AbortSignal.timeout(5000) });
    } catch (err) {
      return { state: 'unreachable', reason: reason(err) };
    }
    if (res.ok) return { state: 'ready' };
    return { state: 'not-ready', body: `HTTP ${res.status}: ${(await res.text()).trim()}` };
  }

  /** POST /v1/products (admin): creates or updates products, with their related products. */
  async putProducts(products: Product[]): Promise<number> {
    const answer = await this.json<{ products?: number }>('POST', '/v1/products', this.adminAuth, { products });
    return answer.products ?? products.length;
  }

  /** One call to /v1/identify or /v1/track, several to /v1/batch. */
  async send(calls: Call[]): Promise<void> {
    if (calls.length === 0) return;
    if (calls.length > 1) {
      await this.json('POST', '/v1/batch', this.writeAuth, { batch: calls });
      return;
    }
    const { type, ...call } = calls[0];
    await this.json('POST', `/v1/${type}`, this.writeAuth, call);
  }

  /** GET /v1/customers/:id/messages (admin): what the customer was sent, newest first. */
  async messages(customerId: string, limit = 100): Promise<RecipientMessage[]> {
    const path = `/v1/customers/${encodeURIComponent(customerId)}/messages?limit=${limit}`;
    return (await this.json<{ messages: RecipientMessage[] }>('GET', path, this.adminAuth)).messages;
  }

  /** GET /v1/stats/journeys (admin): one row per journey. */
  async journeyStats(): Promise<JourneyStats[]> {
    return (await this.json<{ journeys: JourneyStats[] }>('GET', '/v1/stats/journeys', this.adminAuth)).journeys;
  }

  /** GETs one of our links from an email, as a mail client does: no redirect followed. Returns the status. */
  async follow(link: string): Promise<number> {
    const res = await request(link, { redirect: 'manual' });
    await res.body?.cancel();
    return res.status;
  }
}
