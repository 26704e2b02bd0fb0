import nodemailer, { type Transporter } from 'nodemailer';

/** A pooled SMTP transport from an smtp:// or smtps:// URL (SMTP_URL). */
export function createMailer(smtpUrl: string): Transporter {
  return nodemailer.createTransport(smtpUrl.includes('pool=') ? smtpUrl : withParam(smtpUrl, 'pool', 'true'));
}

function withParam(url: string, key: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${key}=${value}`;
}

/**
 * Whether an SMTP failure is permanent: a 5xx reply (mailbox unknown, policy rejection) or an
 * address nodemailer refuses outright. Everything else (4xx, connection trouble) is worth a retry.
 */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500;
  return e.code === 'EENVELOPE';
}
