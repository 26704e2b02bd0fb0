import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { Transporter } from 'nodemailer';
import type { JourneysConfig } from '../config/schema';
import { senderAddress } from '../config/sender';
import type { SendOutcome, SendRequest } from '../shared/journey';
import { reserveSendSlot } from '../db/send-rate';
import { suppress } from '../db/suppression';
import { templateData } from '../templates/context';
import { currentAttempt, whileHeartbeating } from './heartbeat';
import { messageLinks, trackHtml, type LinkSettings } from './links';
import { isPermanentSmtpFailure } from './mailer';
import { decide, type Recipient } from './send-decision';

/** The send-rate schedule email draws from (SMS and webhooks will have their own). */
const SMTP_PROVIDER = 'smtp';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  locale: string;
}

export interface Renderer {
  render(template: string, locale: string | undefined, data: Record<string, unknown>): Promise<RenderedEmail>;
}

export interface EmailDeps {
  pool: Pool;
  mailer: Transporter;
  clock: () => Date;
  config: () => JourneysConfig;
  renderer: Renderer;
  links: LinkSettings;
  /** Test hook: runs right after SMTP accepted a message, before it is marked sent. */
  afterSmtpAccepted?: (messageId: number) => Promise<void> | void;
}

/**
 * The send activity, in the order that makes a retry safe: decide and write the outbox row in one
 * transaction; render; mark it `sending` with its Message-ID; hand it to SMTP; mark it `sent`.
 * A retry finds the row: `sent` is not sent again, and `sending` (the worker died during the
 * hand-off) is sent again with the same Message-ID, which mailbox providers collapse. So a message
 * is never lost, and goes out twice only when a worker dies inside the hand-off (docs/architecture.md, decision 4).
 */
export function createSendEmail(deps: EmailDeps): (req: SendRequest) => Promise<SendOutcome> {
  return (req) => whileHeartbeating(() => sendMessage(deps, req));
}

/** One message, decided, rendered, handed off and recorded (the send activity's and a batch's). */
export async function sendMessage(deps: EmailDeps, req: SendRequest): Promise<SendOutcome> {
  const config = deps.config();
  const sender = senderAddress(config.messaging.from)!; // the configuration schema checked it
  const client = await deps.pool.connect();
  let decision;
  try {
    decision = await decide(client, req, config.messaging, deps.clock(), currentAttempt());
  } finally {
    client.release();
  }
  if (decision.kind === 'done') return decision.outcome;
  if (decision.kind === 'busy') throw new Error('another attempt is sending this message right now; retrying later');

  const { messageId, recipient } = decision;
  const messageIdHeader = decision.messageIdHeader ?? `<${messageId}.${req.journey}@${sender.domain}>`;
  const email = await render(deps, req, messageId, recipient, config);
  // The provider's rate, shared by every worker: wait for this message's slot before the hand-off.
  const perSecond = config.messaging.maxEmailsPerSecond;
  if (perSecond) await sleep(await reserveSendSlot(deps.pool, SMTP_PROVIDER, perSecond));
  await deps.pool.query(
    `UPDATE messages SET status = 'sending', subject = $2, locale = $3, smtp_message_id = $4 WHERE id = $1`,
    [messageId, email.subject, email.locale, messageIdHeader],
  );
  try {
    const unsubscribe = messageLinks(messageId, deps.links).unsubscribe;
    await deps.mailer.sendMail({
      from: { name: sender.name, address: sender.address },
      // One recipient, given as an address object (never parsed from text) and as the envelope:
      // no stored value can add a second recipient or a header.
      to: { name: '', address: recipient.email },
      envelope: { from: sender.address, to: [recipient.email] },
      subject: email.subject,
      html: email.html,
      text: email.text,
      messageId: messageIdHeader,
      headers: {
        'X-Journey': req.journey,
        'X-Journey-Step': req.step,
        // RFC 8058 one-click unsubscribe; transactional mail carries it too, harmlessly.
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
  } catch (err) {
    if (isPermanentSmtpFailure(err)) {
      await mark(deps.pool, messageId, 'failed', `SMTP: ${(err as Error).message}`);
      await suppress(deps.pool, recipient.email, 'hard-bounce');
      throw ApplicationFailure.nonRetryable(
        `permanent SMTP failure: ${(err as Error).message}`,
        'SmtpPermanentFailure',
      );
    }
    // Not accepted: back to queued and unclaimed, so the retry sends it.
    await deps.pool.query(`UPDATE messages SET status = 'queued', claimed_at = NULL WHERE id = $1`, [messageId]);
    throw err;
  }
  await deps.afterSmtpAccepted?.(messageId);
  await deps.pool.query(
    `WITH sent AS (UPDATE messages SET status = 'sent', sent_at = $2 WHERE id = $1)
     INSERT INTO message_events (message_id, type, occurred_at) VALUES ($1, 'delivered', $2)`,
    [messageId, deps.clock()],
  );
  return { status: 'sent' };
}

async function render(
  deps: EmailDeps,
  req: SendRequest,
  messageId: number,
  recipient: Recipient,
  config: JourneysConfig,
) {
  const data = templateData(
    {
      customer: { ...recipient },
      links: { ...messageLinks(messageId, deps.links) },
      brand: config.messaging.brand,
    },
    req.data,
  );
  try {
    const email = await deps.renderer.render(req.template, recipient.locale ?? config.messaging.defaultLocale, data);
    return { ...email, html: trackHtml(email.html, messageId, deps.links) };
  } catch (err) {
    await mark(deps.pool, messageId, 'failed', `template: ${(err as Error).message}`);
    throw ApplicationFailure.nonRetryable(`template ${req.template}: ${(err as Error).message}`, 'TemplateError');
  }
}

async function mark(pool: Pool, id: number, status: string, reason: string | null): Promise<void> {
  await pool.query('UPDATE messages SET status = $2, reason = $3 WHERE id = $1', [id, status, reason]);
}
