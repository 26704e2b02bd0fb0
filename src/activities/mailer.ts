import nodemailer, { type Transporter } from 'nodemailer';
import { SMTP_STEP_TIMEOUT_MS } from '../shared/sending';

/**
 * A pooled SMTP transport from an smtp:// or smtps:// URL (SMTP_URL; its own parameters, such as
 * pool=false, win). Its timeouts keep every hand-off well inside one send attempt.
 */
export function createMailer(smtpUrl: string): Transporter {
  return nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    connectionTimeout: SMTP_STEP_TIMEOUT_MS,
    greetingTimeout: SMTP_STEP_TIMEOUT_MS,
    socketTimeout: SMTP_STEP_TIMEOUT_MS,
  });
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
