import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { JourneysConfig } from '../config/schema';
import type { SendOutcome, SendRequest } from '../shared/journey';
import { markFailed, markSending, markSent, requeue } from '../db/outbox';
import { decide, type Recipient } from '../db/send-decision';
import { reserveSendSlot } from '../db/send-rate';
import { suppress } from '../db/suppression';
import { currentAttempt } from './heartbeat';

/** What every channel's send needs. */
export interface DeliveryDeps {
  pool: Pool;
  clock: () => Date;
  config: () => JourneysConfig;
  /** Test hook: runs right after the provider accepted a message, before it is marked sent. */
  afterSmtpAccepted?: (messageId: number) => Promise<void> | void;
}

/** One message of a channel, rendered: what is kept of it on its outbox row. */
export interface Rendered {
  locale: string;
  subject?: string;
}

/** A refusal no retry changes: why, and whether the address is never to be used again. */
export interface PermanentFailure {
  reason: string;
  suppress: boolean;
}

/** What one channel does for a message its rules let go out. */
export interface Channel<M extends Rendered> {
  /** The send-rate schedule it draws from, and the provider's limit (null: none). */
  provider: string;
  perSecond: number | null;
  render(messageId: number, recipient: Recipient): Promise<M>;
  /** The id the message goes out with, kept before the hand-off so a resend carries the same. */
  header?(messageId: number, earlier: string | undefined): string;
  handOff(
    message: M,
    recipient: Recipient,
    messageId: number,
    header: string | undefined,
  ): Promise<{ providerId?: string }>;
  /** A refusal in `err` that retrying cannot change; undefined for a failure worth retrying. */
  permanent(err: unknown): PermanentFailure | undefined;
  /** SMTP's acceptance is the delivery we hear of; a text's is reported later by the provider. */
  deliveredOnHandOff: boolean;
}

/**
 * One message, in the order that makes a retry safe: decide and write the outbox row in one
 * transaction; render; mark it `sending` (with the id it goes out with); hand it to the provider;
 * mark it `sent`. A retry finds the row: `sent` is not sent again, and `sending` (the worker died
 * during the hand-off) is sent again, with the same id where the channel has one. So a message is
 * never lost, and goes out twice only when a worker dies inside the hand-off (decision 4).
 */
export async function deliver<M extends Rendered>(
  deps: DeliveryDeps,
  req: SendRequest,
  channel: Channel<M>,
): Promise<SendOutcome> {
  const client = await deps.pool.connect();
  let decision;
  try {
    decision = await decide(client, req, deps.config().messaging, deps.clock(), currentAttempt());
  } finally {
    client.release();
  }
  if (decision.kind === 'done') return decision.outcome;
  if (decision.kind === 'busy') throw new Error('another attempt is sending this message right now; retrying later');

  const { messageId, recipient } = decision;
  let message: M;
  try {
    message = await channel.render(messageId, recipient);
  } catch (err) {
    await markFailed(deps.pool, messageId, `template: ${(err as Error).message}`);
    throw ApplicationFailure.nonRetryable(`template ${req.template}: ${(err as Error).message}`, 'TemplateError');
  }
  const header = channel.header?.(messageId, decision.earlierHeader);
  // The provider's rate, shared by every worker: wait for this message's slot before the hand-off.
  if (channel.perSecond) await sleep(await reserveSendSlot(deps.pool, channel.provider, channel.perSecond));
  await markSending(deps.pool, messageId, { subject: message.subject, locale: message.locale, header });
  let sent;
  try {
    sent = await channel.handOff(message, recipient, messageId, header);
  } catch (err) {
    const failure = channel.permanent(err);
    if (!failure) {
      await requeue(deps.pool, messageId); // not accepted: the retry sends it
      throw err;
    }
    await markFailed(deps.pool, messageId, failure.reason);
    if (failure.suppress) await suppress(deps.pool, recipient.address, 'hard-bounce');
    throw ApplicationFailure.nonRetryable(`permanent failure: ${failure.reason}`, 'PermanentSendFailure');
  }
  await deps.afterSmtpAccepted?.(messageId);
  await markSent(deps.pool, messageId, deps.clock(), { delivered: channel.deliveredOnHandOff, ...sent });
  return { status: 'sent', emailId: String(messageId) };
}
