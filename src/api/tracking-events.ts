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
): CustomerEvent {
  return {
    messageId: `${name.toLowerCase().replaceAll(' ', '-')}:${m.id}${key ? `:${key}` : ''}`,
    type: 'track',
    event: name,
    userId: m.customerId,
    timestamp: new Date().toISOString(),
    properties: { email_id: String(m.id), campaign_name: m.journey, step: m.step, variant: m.variant, ...extra },
  };
}
