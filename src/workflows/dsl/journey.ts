import {
  CancellationScope,
  condition,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { CommonJourneyConfig } from '../../config/schema';
import { matches, type CustomerEvent, type EventMatch, type JsonObject } from '../../shared/events';
import type {
  CustomerChannel,
  JourneyInput,
  JourneyOutcome,
  JourneyResult,
  JourneyView,
  SendOutcome,
  SentMessage,
  WebhookOutcome,
} from '../../shared/journey';
import { JourneyStep } from '../../shared/search-attributes';
import { activities, localActivitiesApply, olderPatch, sending } from './activities';
import { nextLocalTime, quietHoursEnd, thisHourOrNext, type LocalTimeOptions } from './local-time';
import { sendOrRecordFailure } from './send';
import { engages, sentEmail, type Engagement, type EngagementOptions } from './engagement';
import { inHoldout, pickVariant } from '../../shared/split';
import { MAX_CAP_DEFERRALS } from '../../shared/sending';

export interface SendOptions {
  data?: JsonObject;
  /** Transactional mail bypasses consent, quiet hours and the frequency cap (never a hard bounce). */
  transactional?: boolean;
  /** What a marketing send does when the frequency cap is full: wait for room (default) or skip. */
  ifCapped?: 'defer' | 'skip';
  /**
   * `best-time`: a marketing message waits for the local hour at which this customer has most often
   * opened or clicked our email in the last year (a person's opens only), or for `usualTime` when
   * they have done so too rarely to tell; quiet hours apply as ever.
   */
  at?: 'best-time';
  /** With `at: 'best-time'`: the local time ("HH:MM") for a customer whose habits are unknown. */
  usualTime?: string;
}

/** The local time a best-time send takes for a customer whose habits are unknown, unless the journey says. */
export const USUAL_SEND_TIME = '10:00';

/** Thrown by `exit()` to leave the journey body from anywhere. */
export class JourneyExit extends Error {}

/**
 * The running journey, handed to a journey's body: the verbs a marketing brief uses
 * (send, wait, waitFor, waitUntilLocal, exit) plus the customer's assignment (variant, holdout).
 */
export class Journey<C extends CommonJourneyConfig> {
  readonly variant: string | undefined;
  readonly holdout: boolean;
  private readonly events: CustomerEvent[] = [];
  private cursor = 0;
  private step = 'start';
  /** The step the JourneyStep search attribute shows (the journey starts with `start`). */
  private publishedStep = 'start';
  private nextWakeAt: string | undefined;
  private readonly sent: SentMessage[] = [];
  outcome: { outcome: JourneyOutcome; reason?: string } | undefined;
  /** Set once the body is over, whatever the outcome. */
  finished = false;

  constructor(readonly input: JourneyInput<C>) {
    this.variant = pickVariant(input.config.variants, input.journey, input.customerId);
    this.holdout = inHoldout(input.config.holdoutShare, input.journey, input.customerId);
  }

  get config(): C {
    return this.input.config;
  }

  get customerId(): string {
    return this.input.customerId;
  }

  /** The customer's IANA zone, or the configured default. */
  get zone(): string {
    return this.input.customer.profile.timezone || this.input.messaging.defaultTimezone;
  }

  /** Sends one email as step `step`; marketing mail respects quiet hours and the frequency cap. */
  send(step: string, template: string, opts: SendOptions = {}): Promise<SendOutcome> {
    return this.message('email', step, template, opts);
  }

  /**
   * Sends one text message (SMS) as step `step`. Marketing texts need the customer's SMS opt-in,
   * keep SMS quiet hours and count against the frequency cap with email, and their own SMS cap.
   */
  sms(step: string, template: string, opts: SendOptions = {}): Promise<SendOutcome> {
    return this.message('sms', step, template, opts);
  }

  /** The first of `channels` the customer may get marketing on now (an address, consent, not suppressed); null if none. */
  async preferredChannel(channels: CustomerChannel[]): Promise<CustomerChannel | null> {
    const open = await activities.marketingChannels(this.customerId);
    return channels.find((c) => open.includes(c)) ?? null;
  }

  /**
   * Calls the shop's own systems as step `step`: `body` POSTed to `url`, signed (Standard
   * Webhooks), once per step however often it is retried. The receiver's JSON answer is in the
   * outcome's `response`, for the next step (a coupon code, an id).
   */
  async webhook(step: string, call: { url: string; body?: JsonObject }): Promise<WebhookOutcome> {
    if (this.outcome) throw new JourneyExit('ended before calling');
    this.enter(step, `calling ${call.url}`);
    const { workflowId, runId } = workflowInfo();
    const request = {
      idempotencyKey: `${workflowId}/${runId}/${step}`,
      customerId: this.customerId,
      journey: this.input.journey,
      step,
      variant: this.variant,
      url: call.url,
      body: call.body ?? {},
    };
    const outcome = await CancellationScope.nonCancellable(() =>
      sending().callWebhook.executeWithOptions({ summary: `${step}: webhook` }, [request]),
    );
    this.sent.push({
      step,
      channel: 'webhook',
      template: call.url,
      status: outcome.status,
      at: new Date().toISOString(),
    });
    return outcome;
  }

  private async message(
    channel: CustomerChannel,
    step: string,
    template: string,
    opts: SendOptions,
  ): Promise<SendOutcome> {
    const transactional = opts.transactional ?? false;
    const defer = (opts.ifCapped ?? 'defer') === 'defer';
    if (opts.at === 'best-time' && !transactional) await this.waitForBestTime(step, opts.usualTime ?? USUAL_SEND_TIME);
    for (let deferrals = 0; ; deferrals++) {
      // The last chance under a full cap: the activity records the message `skipped`, with why.
      const lastChance = !defer || deferrals >= MAX_CAP_DEFERRALS;
      if (!transactional) await this.waitOutQuietHours(step, channel);
      if (this.outcome) throw new JourneyExit('ended before sending');
      this.enter(step, `sending ${template}${channel === 'email' ? '' : ` by ${channel}`}`);
      const { workflowId, runId } = workflowInfo();
      // A send in flight finishes even if the goal arrives meanwhile: it is recorded either way.
      const outcome = await CancellationScope.nonCancellable(() =>
        sendOrRecordFailure(
          {
            idempotencyKey: `${workflowId}/${runId}/${step}`,
            customerId: this.customerId,
            journey: this.input.journey,
            step,
            template,
            variant: this.variant,
            transactional,
            ...(transactional || !this.config.topic ? {} : { topic: this.config.topic }),
            // Holdouts go without marketing only: their order confirmation still arrives.
            holdout: this.holdout && !transactional,
            skipIfCapped: lastChance,
            data: { ...opts.data, ...(this.variant ? { variant: this.variant } : {}) },
          },
          channel,
        ),
      );
      const at = new Date().toISOString();
      const { status, emailId } = outcome;
      this.sent.push({
        step,
        ...(channel === 'email' ? {} : { channel }),
        template,
        status,
        at,
        ...(emailId ? { emailId } : {}),
      });
      // (Histories from before `skipped` existed got `capped` on the last chance, and end here too.)
      if (outcome.status !== 'capped' || !outcome.retryAt || lastChance) return outcome;
      await this.waitUntil(new Date(outcome.retryAt), `${step}: frequency cap full`);
    }
  }

  /** Sleeps for `duration` of workflow time. */
  async wait(duration: Duration, step = this.step): Promise<void> {
    await this.waitUntil(new Date(Date.now() + msToNumber(duration)), step);
  }

  /** Sleeps until `at`. */
  async waitUntil(at: Date, step = this.step): Promise<void> {
    const ms = at.getTime() - Date.now();
    this.enter(step, `waiting until ${at.toISOString()}`, at);
    if (ms > 0) {
      this.publishStep();
      await sleep(ms, { summary: step });
    }
    this.nextWakeAt = undefined;
  }

  /** Sleeps until the next `time` ("HH:MM") in the customer's zone, on allowed weekdays. */
  async waitUntilLocal(time: string, opts: LocalTimeOptions = {}, step = this.step): Promise<void> {
    await this.waitUntil(nextLocalTime(Date.now(), this.zone, time, opts), step);
  }

  /**
   * Waits up to `within` for an event matching `match` (received since the previous waitFor
   * returned, so nothing that arrived while the journey was busy is missed). Null on time-out.
   */
  async waitFor(match: EventMatch, within: Duration, step = this.step): Promise<CustomerEvent | null> {
    const deadline = new Date(Date.now() + msToNumber(within));
    this.enter(step, `waiting until ${deadline.toISOString()} for ${describe(match)}`, deadline);
    this.publishStep();
    let found: CustomerEvent | undefined;
    const seek = (): boolean => {
      const index = this.events.findIndex((e, i) => i >= this.cursor && matches(match, e));
      if (index < 0) return false;
      found = this.events[index];
      this.cursor = index + 1;
      return true;
    };
    await condition(seek, Math.max(deadline.getTime() - Date.now(), 0), {
      summary: `${step}: waiting for ${describe(match)}`,
    });
    if (!found) this.cursor = this.events.length;
    this.nextWakeAt = undefined;
    return found ?? null;
  }

  /**
   * Waits up to `within` for the customer to open the email sent at `step` in this run: true as
   * soon as they have (a click counts: it proves the open), false at the deadline. Opens since the
   * send count, also those that arrived before this call. A step that sent no email (suppressed,
   * skipped, held out, failed, not reached) answers false at once, without waiting. Opens a
   * machine made (Apple Mail Privacy Protection's prefetch, a security scanner) do not count
   * unless `{ countMachine: true }`.
   */
  waitForOpen(step: string, within: Duration, opts: EngagementOptions = {}): Promise<boolean> {
    return this.waitForEngagement('open', step, within, opts);
  }

  /** As waitForOpen, for a click on one of the email's tracked links. */
  waitForClick(step: string, within: Duration, opts: EngagementOptions = {}): Promise<boolean> {
    return this.waitForEngagement('click', step, within, opts);
  }

  private async waitForEngagement(
    kind: Engagement,
    step: string,
    within: Duration,
    opts: EngagementOptions,
  ): Promise<boolean> {
    const email = sentEmail(this.sent, step);
    if (!email) return false;
    const engaged = (): boolean => this.events.some((e) => engages(e, kind, email, this.input.journey, opts));
    // Already read: no timer to start and cancel.
    if (engaged()) return true;
    const deadline = new Date(Date.now() + msToNumber(within));
    if (deadline.getTime() <= Date.now()) return false;
    const what = kind === 'open' ? 'an open' : 'a click';
    const waiting = `waiting for ${what} of ${step}`;
    this.enter(waiting, `waiting until ${deadline.toISOString()} for ${what}`, deadline);
    this.publishStep();
    const found = await condition(engaged, deadline.getTime() - Date.now(), { summary: waiting });
    this.nextWakeAt = undefined;
    return found;
  }

  /** Every event forwarded to this journey so far, in arrival order. */
  received(): readonly CustomerEvent[] {
    return this.events;
  }

  /** Ends the journey now, as `exited` with `reason`. */
  exit(reason: string): never {
    this.outcome = { outcome: 'exited', reason };
    throw new JourneyExit(reason);
  }

  /** Adds the customer to `add` and removes them from `remove` (groups, a.k.a. lists). */
  async updateGroups(add: string[], remove: string[] = []): Promise<void> {
    await CancellationScope.nonCancellable(() => activities.updateGroups(this.customerId, add, remove));
  }

  /** @internal for runJourney */
  receive(event: CustomerEvent): void {
    this.events.push(event);
  }

  /** @internal for runJourney: the body is over; the step (and the Web UI's JourneyStep) says how it ended. */
  end(): void {
    this.finished = true;
    this.nextWakeAt = undefined;
    // Journeys that ended before this existed replay without the final upsert.
    if (olderPatch('final-journey-step')) this.enter(this.result().outcome, 'finished');
    this.publishStep();
  }

  /** @internal */
  view(): JourneyView {
    const { outcome, ...result } = this.result();
    return {
      ...result,
      ...(this.finished ? { outcome } : {}),
      customerId: this.customerId,
      key: this.input.key,
      step: this.step,
      nextWakeAt: this.nextWakeAt,
      running: !this.finished,
    };
  }

  /** @internal */
  result(): JourneyResult {
    return {
      journey: this.input.journey,
      outcome: this.outcome?.outcome ?? 'completed',
      reason: this.outcome?.reason,
      variant: this.variant,
      holdout: this.holdout,
      sent: [...this.sent],
    };
  }

  /** Waits for the customer's own hour (their opens and clicks, an activity), or `usualTime` when it is unknown. */
  private async waitForBestTime(step: string, usualTime: string): Promise<void> {
    if (this.outcome) throw new JourneyExit('ended before sending');
    const hour = await activities.bestSendHour(this.customerId, this.zone);
    const time = hour === null ? usualTime : `${String(hour).padStart(2, '0')}:00`;
    await this.waitUntil(thisHourOrNext(Date.now(), this.zone, time), `${step}: best time`);
  }

  private async waitOutQuietHours(step: string, channel: CustomerChannel): Promise<void> {
    const { messaging } = this.input;
    const quiet = channel === 'sms' ? messaging.sms.quietHours : messaging.quietHours;
    const end = quiet && quietHoursEnd(Date.now(), this.zone, quiet);
    if (end) await this.waitUntil(end, `${step}: quiet hours`);
  }

  private enter(step: string, details: string, wakeAt?: Date): void {
    this.step = step;
    // Journeys from before local activities upserted at every step they passed through.
    if (!localActivitiesApply()) this.publishStep();
    this.nextWakeAt = wakeAt?.toISOString();
    setCurrentDetails(`**${this.input.journey}** · step \`${step}\` · ${details}`);
  }

  /**
   * Operators filter on JourneyStep to find who waits where (and how journeys ended), so it is
   * written when the journey is about to wait or has ended: one history event and one visibility
   * write per wait, none for a step the journey passes straight through (a send).
   */
  private publishStep(): void {
    if (this.step === this.publishedStep) return;
    this.publishedStep = this.step;
    upsertSearchAttributes([{ key: JourneyStep, value: this.step }]);
  }
}

function describe(match: EventMatch): string {
  return typeof match === 'string' ? `"${match}"` : 'a matching event';
}
