import type { TrackedMessage } from '../db/message-events';
import { Events, type CustomerEvent } from '../shared/events';

/**
 * The Segment Email-spec event a tracked action becomes. Its messageId is derived from the
 * email (and link), so only the first open of an email, or the first click on a link, reaches
 * the workflow; every one of them is still counted in message_events.
 */
export function emailEvent(
  name: (typeof Events)[keyof typeof Events],
  m: TrackedMessage,
  extra: Record<string, unknown> = {},
  key = '',
  at = new Date(),
): CustomerEvent {
  return {
    messageId: `${name.toLowerCase().replaceAll(' ', '-')}:${m.id}${key ? `:${key}` : ''}`,
    type: 'track',
    event: name,
    userId: m.customerId,
    timestamp: at.toISOString(),
    properties: { email_id: String(m.id), campaign_name: m.journey, step: m.step, variant: m.variant, ...extra },
  };
}

/**
 * An open or a click as its event: a machine's (src/tracking/machine-engagement.ts) says why in
 * `machine`, and has a messageId of its own, so an MPP prefetch or a gateway's check does not
 * take the place of the person's first open or click, which reaches the workflow after it.
 */
export function engagementEvent(
  name: typeof Events.EmailOpened | typeof Events.EmailLinkClicked,
  m: TrackedMessage,
  at: Date,
  machine: string | undefined,
  url?: string,
): CustomerEvent {
  const key = [url, machine && 'machine'].filter(Boolean).join(':');
  return emailEvent(name, m, { ...(url === undefined ? {} : { url }), ...(machine ? { machine } : {}) }, key, at);
}
