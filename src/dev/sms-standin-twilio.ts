import crypto from 'node:crypto';
import { decodeXML } from 'entities';
import type { Response as ExpressResponse } from 'express';
import { SegmentedMessage } from 'sms-segments-calculator';
import type { SmsStandinSettings, StandinSms } from './sms-standin';

// Twilio's wire format, as the stand-in speaks it: errors, credentials, the Message resource, the
// fields of status callbacks and inbound texts, and TwiML answers.

export const API_VERSION = '2010-04-01';
export const E164 = /^\+[1-9]\d{6,14}$/;

/** An error's message, with its cause's: fetch says only "fetch failed", its cause why (ECONNREFUSED…). */
export function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}

export function twilioError(res: ExpressResponse, status: number, code: number, message: string): void {
  res.status(status).json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** HTTP Basic with the account's SID and auth token, for that same account's path. */
export function authorized(header: string | undefined, pathAccountSid: string, settings: SmsStandinSettings): boolean {
  const [scheme, encoded] = (header ?? '').split(' ');
  if (scheme !== 'Basic' || !encoded) return false;
  const credentials = Buffer.from(encoded, 'base64').toString();
  return credentials === `${settings.accountSid}:${settings.authToken}` && pathAccountSid === settings.accountSid;
}

/** A form field's value; a field given twice counts once, as its first value. */
export function formField(form: Record<string, unknown>, name: string): string | undefined {
  const value = form[name];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/** The number in E.164, as typed on the page with spaces or dashes too; undefined if it is none. */
export function phoneNumber(typed: string): string | undefined {
  const number = typed.replace(/[\s()-]/g, '');
  return E164.test(number) ? number : undefined;
}

export function newSid(): string {
  return `SM${crypto.randomBytes(16).toString('hex')}`;
}

export function segmentsOf(body: string): number {
  return new SegmentedMessage(body).segmentsCount;
}

export function preview(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}

/** RFC 2822 as Twilio writes it (the client parses exactly '+0000', not 'GMT'). */
export function rfc2822(iso: string): string {
  return new Date(iso).toUTCString().replace('GMT', '+0000');
}

/** The Message resource as Twilio answers a create: snake_case, counts as strings. */
export function messageResource(text: StandinSms, accountSid: string) {
  const path = `/${API_VERSION}/Accounts/${accountSid}/Messages/${text.sid}`;
  const created = rfc2822(text.createdAt);
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    body: text.body,
    date_created: created,
    date_sent: null,
    date_updated: created,
    direction: text.direction,
    error_code: null,
    error_message: null,
    from: text.from,
    messaging_service_sid: text.messagingServiceSid ?? null,
    num_media: '0',
    num_segments: String(text.numSegments),
    price: null,
    price_unit: 'USD',
    sid: text.sid,
    status: text.status,
    subresource_uris: { media: `${path}/Media.json` },
    to: text.to,
    uri: `${path}.json`,
  };
}

export function statusParams(text: StandinSms, accountSid: string): Record<string, string> {
  return {
    MessageSid: text.sid,
    SmsSid: text.sid,
    AccountSid: accountSid,
    ...(text.messagingServiceSid ? { MessagingServiceSid: text.messagingServiceSid } : {}),
    From: text.from,
    To: text.to,
    MessageStatus: text.status,
    SmsStatus: text.status,
    ApiVersion: API_VERSION,
    ...(text.errorCode ? { ErrorCode: String(text.errorCode) } : {}),
  };
}

export function inboundParams(text: StandinSms, accountSid: string): Record<string, string> {
  return {
    MessageSid: text.sid,
    SmsMessageSid: text.sid,
    SmsSid: text.sid,
    AccountSid: accountSid,
    From: text.from,
    To: text.to,
    Body: text.body,
    NumMedia: '0',
    NumSegments: String(text.numSegments),
    SmsStatus: 'received',
    ApiVersion: API_VERSION,
  };
}

/** The texts a TwiML answer sends back: `<Message>text</Message>` or `<Message><Body>text</Body></Message>`. */
export function twimlMessages(twiml: string): string[] {
  if (!/<Response[\s>]/.test(twiml)) return [];
  return [...twiml.matchAll(/<Message\b[^>]*>([\s\S]*?)<\/Message>/g)]
    .map(([, inner]) => /<Body>([\s\S]*?)<\/Body>/.exec(inner)?.[1] ?? inner.replace(/<[^>]*>/g, ''))
    .map((text) => decodeXML(text).trim())
    .filter((text) => text !== '');
}
