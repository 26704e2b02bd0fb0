import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import { HTTP_CALL_TIMEOUT_MS } from '../shared/sending';

// Texts go out through Twilio's Messages API with Twilio's own client. SMS_URL points it elsewhere
// (a local stand-in, a test double speaking the same API): the client's requests to
// https://api.twilio.com are sent there instead.

export interface SmsProviderSettings {
  /** Twilio's API base (https://api.twilio.com) or a stand-in's. */
  url: string;
  accountSid: string;
  authToken: string;
}

export interface OutgoingText {
  to: string;
  /** A number in E.164 or a Messaging Service SID. */
  from: string;
  body: string;
  /** Where the provider reports delivery. */
  statusCallback: string;
}

export interface SmsProvider {
  /** Hands the text over; the provider's id for it (Twilio's Message SID). */
  send(text: OutgoingText): Promise<{ providerId: string }>;
}

/** The provider's refusal: its HTTP status and error code (https://www.twilio.com/docs/api/errors). */
export interface ProviderRefusal {
  status: number;
  code?: number;
  message: string;
}

const TWILIO_API = 'https://api.twilio.com';

/** Twilio's request client, sending to `base` what it would send to api.twilio.com. */
class RedirectingClient extends RequestClient {
  constructor(private readonly base: string) {
    // Retries are Temporal's: one attempt per call, bounded in time.
    super({ timeout: HTTP_CALL_TIMEOUT_MS, autoRetry: false });
  }

  override request<T>(opts: RequestClient.RequestOptions<T>) {
    return super.request<T>({ ...opts, uri: opts.uri.replace(TWILIO_API, this.base) });
  }
}

export function createSmsProvider(settings: SmsProviderSettings): SmsProvider {
  const base = settings.url.replace(/\/+$/, '');
  const client = twilio(settings.accountSid, settings.authToken, {
    ...(base === TWILIO_API ? {} : { httpClient: new RedirectingClient(base) }),
  });
  return {
    async send(text) {
      const sender = text.from.startsWith('MG') ? { messagingServiceSid: text.from } : { from: text.from };
      const message = await client.messages.create({
        to: text.to,
        ...sender,
        body: text.body,
        statusCallback: text.statusCallback,
      });
      return { providerId: message.sid };
    },
  };
}

/** The provider's refusal in `err`, or undefined when the call failed otherwise (network, timeout). */
export function providerRefusal(err: unknown): ProviderRefusal | undefined {
  const e = err as { status?: unknown; code?: unknown; message?: string };
  if (typeof e?.status !== 'number') return undefined;
  return { status: e.status, code: typeof e.code === 'number' ? e.code : undefined, message: e.message ?? '' };
}
