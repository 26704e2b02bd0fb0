import { AsyncLocalStorage } from 'node:async_hooks';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmsProvider } from '../activities/sms-provider';
import type { JourneyActivities } from '../shared/activities';
import type { CustomerChannel, SendOutcome, SendRequest, WebhookRequest } from '../shared/journey';

/** One attempt of a send step, as the real send path decided it, with what went out. */
export interface Attempt {
  /** Simulated time of the attempt (epoch ms). */
  at: number;
  channel: CustomerChannel | 'webhook';
  journey: string;
  step: string;
  template?: string;
  workflowId: string;
  transactional: boolean;
  /** Sent by a batch (a restock announcement to a waiting list), not by a journey's own step. */
  batch?: boolean;
  status: string;
  reason?: string;
  retryAt?: string;
  email?: { to: string; subject: string; html: string; text: string; eml: Buffer };
  sms?: { to: string; body: string };
  webhook?: { url: string; body: string };
}

/**
 * The simulator's channels: email through a nodemailer transport that keeps the message instead
 * of sending it, texts through an SmsProvider that keeps them, webhook calls through a fetch that
 * keeps them and answers for the shop. Every send activity runs the real send path (decision,
 * outbox, rendering); the message it hands off lands on that activity's attempt.
 */
export class Capture {
  readonly attempts: Attempt[] = [];
  private simulatedNow = 0;
  private readonly current = new AsyncLocalStorage<Attempt>();

  /** The activities' clock: the simulated time, read from the server as each activity starts. */
  readonly clock = (): Date => new Date(this.simulatedNow);

  /** Time moved to `ms` between the timeline's entries: the API's clock (opens, clicks) reads it too. */
  advanceTo(ms: number): void {
    this.simulatedNow = ms;
  }

  readonly mailer: Transporter = nodemailer.createTransport({
    name: 'journeys-simulation',
    version: '1',
    send: (mail, done) => {
      mail.message.build((err, eml) => {
        if (err) return done(err);
        const data = mail.data;
        const email = {
          to: String((data.to as { address?: string }).address ?? data.to),
          subject: String(data.subject ?? ''),
          html: String(data.html ?? ''),
          text: String(data.text ?? ''),
          eml,
        };
        const attempt = this.current.getStore();
        if (attempt) attempt.email = email;
        else this.attempts.push(this.batchEmail(data.headers as Record<string, string>, email));
        done(null, { envelope: mail.message.getEnvelope(), messageId: mail.message.messageId() } as never);
      });
    },
  });

  readonly sms: SmsProvider = {
    send: async (text) => {
      const attempt = this.current.getStore();
      if (attempt) attempt.sms = { to: text.to, body: text.body };
      return { providerId: `SMsimulated${this.attempts.length}` };
    },
  };

  /** The shop's systems answer every call with 200 and an empty JSON object. */
  readonly fetch: typeof fetch = async (url, init) => {
    const attempt = this.current.getStore();
    if (attempt) attempt.webhook = { url: String(url), body: String(init?.body ?? '') };
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  };

  /**
   * The activities with the simulated clock set before each runs (the time-skipping server holds
   * time still while a workflow task or activity runs), and each send recorded as an attempt.
   */
  wrap(activities: JourneyActivities, serverTime: () => Promise<number>): JourneyActivities {
    const timed = Object.fromEntries(
      Object.entries(activities).map(([name, fn]) => [
        name,
        async (...args: unknown[]) => {
          this.simulatedNow = await serverTime();
          return (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        },
      ]),
    ) as unknown as JourneyActivities;
    const send = (channel: CustomerChannel, real: (req: SendRequest) => Promise<SendOutcome>) => (req: SendRequest) =>
      this.record({ channel, template: req.template, transactional: req.transactional }, req, () => real(req));
    return {
      ...timed,
      sendEmail: send('email', timed.sendEmail),
      sendSms: send('sms', timed.sendSms),
      callWebhook: (req: WebhookRequest) =>
        this.record({ channel: 'webhook', transactional: true }, req, () => timed.callWebhook(req)),
    };
  }

  /** An email a batch sent (no journey step's activity around it), named by its X-Journey headers. */
  private batchEmail(headers: Record<string, string>, email: Attempt['email']): Attempt {
    return {
      at: this.simulatedNow,
      channel: 'email',
      journey: headers['X-Journey'] ?? '?',
      step: headers['X-Journey-Step'] ?? '?',
      workflowId: '',
      transactional: false,
      batch: true,
      status: 'sent',
      email,
    };
  }

  private async record<T extends { status: string; reason?: string; retryAt?: string }>(
    what: Pick<Attempt, 'channel' | 'template' | 'transactional'>,
    req: { journey: string; step: string },
    run: () => Promise<T>,
  ): Promise<T> {
    const attempt: Attempt = {
      ...what,
      at: 0,
      journey: req.journey,
      step: req.step,
      workflowId: Context.current().info.workflowExecution?.workflowId ?? '',
      status: 'running',
    };
    let outcome: T;
    try {
      outcome = await this.current.run(attempt, run);
    } catch (err) {
      // A permanent failure (a template that does not render, a refusal) is the journey's `failed`
      // send; any other the activity's retry takes again.
      const permanent = err instanceof ApplicationFailure && err.nonRetryable;
      this.attempts.push({
        ...attempt,
        at: this.simulatedNow,
        status: 'failed',
        reason: `${(err as Error).message}${permanent ? '' : ' (retried)'}`,
      });
      throw err;
    }
    attempt.at = this.simulatedNow;
    attempt.status = outcome.status;
    if (outcome.reason) attempt.reason = outcome.reason;
    if (outcome.retryAt) attempt.retryAt = outcome.retryAt;
    this.attempts.push(attempt);
    return outcome;
  }
}
