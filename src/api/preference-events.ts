import type { TrackedMessage } from '../db/message-events';
import { Events, type CustomerEvent } from '../shared/events';
import type { PreferenceChange } from './preference-form';
import { emailEvent } from './tracking-events';

/**
 * The event that records a change made in the preference centre: the customer's workflow hears of
 * it, and the dispatcher projects it into `subscriptions` and `customers` (src/db/projections.ts).
 *
 *   unsubscribe  → Unsubscribed { channel: email | sms | all, topic: marketing | <topic id> }
 *   resubscribe  → Email Preference Updated { preference: subscribed, channel: email | sms, topic }
 *   pause, fewer → Email Preference Updated { preference: pause | fewer }
 *
 * Its messageId names the change and when it was made: a customer may leave a topic, come back
 * and leave it again from the same email, and each of those must count (a repeat of the same
 * request changes nothing, as every projection is idempotent).
 */
export function preferenceEvent(change: PreferenceChange, m: TrackedMessage, at = Date.now()): CustomerEvent {
  switch (change.action) {
    case 'unsubscribe': {
      const { channel, topic } = change;
      return emailEvent(Events.Unsubscribed, m, { channel, topic }, `${channel}:${topic}:${at}`);
    }
    case 'resubscribe': {
      const { channel, topic } = change;
      const properties = { preference: 'subscribed', channel, topic };
      return emailEvent(Events.PreferenceUpdated, m, properties, `subscribed:${channel}:${topic}:${at}`);
    }
    default:
      return emailEvent(Events.PreferenceUpdated, m, { preference: change.action }, `${change.action}:${at}`);
  }
}
