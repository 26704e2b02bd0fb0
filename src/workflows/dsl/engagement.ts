import { Events, type CustomerEvent } from '../../shared/events';
import type { SentMessage } from '../../shared/journey';

// Engagement branches (j.waitForOpen, j.waitForClick): which forwarded opens and clicks show that
// the customer read the email a step of this run sent. The tracking links make them
// (src/api/tracking.ts): `Email Opened` and `Email Link Clicked`, with the email's outbox id as
// `email_id`, the journey as `campaign_name`, the step, and `machine` when no person made them.

export interface EngagementOptions {
  /**
   * Count opens and clicks a machine made too: Apple Mail Privacy Protection's prefetch, a security
   * gateway following every link (src/tracking/machine-engagement.ts). Off by default: neither
   * tells whether the customer read anything.
   */
  countMachine?: boolean;
}

export type Engagement = 'open' | 'click';

/** What proves each: a click proves the open too (the mail was read, its images perhaps blocked). */
const PROOF: Record<Engagement, string[]> = {
  open: [Events.EmailOpened, Events.EmailLinkClicked],
  click: [Events.EmailLinkClicked],
};

/** The email `step` sent in this run, if it went out (not suppressed, skipped, held out, failed, or not reached). */
export function sentEmail(sent: readonly SentMessage[], step: string): SentMessage | undefined {
  return sent.find((s) => s.step === step && (s.channel ?? 'email') === 'email' && s.status === 'sent');
}

/**
 * Whether `event` is the customer's `kind` of `email`, which `journey` sent: matched by the email's
 * outbox id, or, for a send whose outcome has none (from before it was reported), by journey and step.
 */
export function engages(
  event: CustomerEvent,
  kind: Engagement,
  email: SentMessage,
  journey: string,
  opts: EngagementOptions = {},
): boolean {
  if (!PROOF[kind].includes(event.event)) return false;
  const p = event.properties ?? {};
  if (p.machine != null && !opts.countMachine) return false;
  if (email.emailId !== undefined) return p.email_id === email.emailId;
  return p.campaign_name === journey && p.step === email.step;
}
