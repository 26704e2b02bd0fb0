import { MARKETING } from '../db/subscriptions';
import { invalid, type Checked } from './validate';
import type { Issue } from './well-formed';

// What a POST to /u/<token> asks for. The page's forms each send one change: `action`, and for
// (un)subscribing the `channel` and `topic` it is about. A mail client's RFC 8058 one-click
// sends only List-Unsubscribe=One-Click.

export const ACTIONS = ['unsubscribe', 'resubscribe', 'pause', 'fewer'] as const;
/** Where an unsubscribe applies: one channel, or every channel at once. */
export const UNSUBSCRIBE_CHANNELS = ['email', 'sms', 'all'] as const;
/** Where a resubscribe applies: one channel (consent is given channel by channel). */
export const RESUBSCRIBE_CHANNELS = ['email', 'sms'] as const;

export type PreferenceChange =
  | { action: 'pause' | 'fewer' }
  | { action: 'unsubscribe'; channel: (typeof UNSUBSCRIBE_CHANNELS)[number]; topic: string }
  | { action: 'resubscribe'; channel: (typeof RESUBSCRIBE_CHANNELS)[number]; topic: string };

/** RFC 8058 one-click, and the page's plain unsubscribe: email marketing, as a whole. */
export const ONE_CLICK: PreferenceChange = { action: 'unsubscribe', channel: 'email', topic: MARKETING };

/**
 * The change the form asks for, or the 400 naming each field that is wrong. `topics`: the ids
 * of messaging.topics; `marketing` (the channel's marketing as a whole) is always one. A channel
 * or topic left out means email marketing, as the page's plain unsubscribe button always did.
 */
export function readPreferenceForm(body: unknown, topics: readonly string[]): Checked<PreferenceChange> {
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (fields['List-Unsubscribe'] === 'One-Click') return { ok: true, data: ONE_CLICK };
  const issues: Issue[] = [];
  const field = <T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined => {
    const value = fields[name] ?? fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    issues.push({ path: name, message: `must be one of ${allowed.join(', ')}` });
    return undefined;
  };

  const action = field('action', ACTIONS);
  if (action === 'pause' || action === 'fewer') return { ok: true, data: { action } };
  if (!action) return { ok: false, error: invalid(issues) };
  const topicIds = [MARKETING, ...topics];
  const change: PreferenceChange | undefined =
    action === 'unsubscribe'
      ? withTopic(action, field('channel', UNSUBSCRIBE_CHANNELS, 'email'), field('topic', topicIds, MARKETING))
      : withTopic(action, field('channel', RESUBSCRIBE_CHANNELS, 'email'), field('topic', topicIds, MARKETING));
  if (change?.action === 'resubscribe' && change.channel === 'sms' && change.topic === MARKETING) {
    // Marketing texts need the customer's own opt-in (by text, or where the shop collects it).
    issues.push({
      path: 'topic',
      message: "cannot be marketing on sms: marketing texts need the customer's opt-in by text message",
    });
  }
  return change && issues.length === 0 ? { ok: true, data: change } : { ok: false, error: invalid(issues) };
}

/** The change, when both its channel and its topic were valid. */
function withTopic<A extends 'unsubscribe' | 'resubscribe', C extends string>(
  action: A,
  channel: C | undefined,
  topic: string | undefined,
): { action: A; channel: C; topic: string } | undefined {
  return channel && topic ? { action, channel, topic } : undefined;
}
