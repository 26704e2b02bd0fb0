// Event names Journeys understands natively: Segment's E-commerce Spec v2 and Email spec, plus a
// few lifecycle events of our own. Any other name is still accepted and routed (docs/architecture.md, decision 2).
export const Events = {
  Identify: 'identify',
  SignedUp: 'Signed Up',
  EmailConfirmed: 'Email Confirmed',
  ProductViewed: 'Product Viewed',
  ProductAdded: 'Product Added',
  ProductRemoved: 'Product Removed',
  CheckoutStarted: 'Checkout Started',
  OrderCompleted: 'Order Completed',
  OrderCancelled: 'Order Cancelled',
  OrderRefunded: 'Order Refunded',
  EmailOpened: 'Email Opened',
  EmailLinkClicked: 'Email Link Clicked',
  /** A tracked short link in a text message (/s/<token>). */
  SmsLinkClicked: 'SMS Link Clicked',
  /** Consent to marketing texts: START by text (Unsubscribed with channel sms is its opposite). */
  SmsOptedIn: 'SMS Opted In',
  Unsubscribed: 'Unsubscribed',
  EmailBounced: 'Email Bounced',
  PreferenceUpdated: 'Email Preference Updated',
  BackInStockRequested: 'Back In Stock Requested',
  ProductRestocked: 'Product Restocked',
  /** Derived by the dispatcher: a located event came within the nearby-store radius of a store (src/db/locations.ts). */
  StoreNearby: 'Store Nearby',
} as const;

export type JsonObject = Record<string, unknown>;

/** Segment's calls: https://segment.com/docs/connections/spec/ */
export const CALL_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type CallType = (typeof CALL_TYPES)[number];

/** One event about one customer, as the API accepted it (one of Segment's calls). */
export interface CustomerEvent {
  /** Idempotency key: the same messageId is processed once. */
  messageId: string;
  type: CallType;
  /** The track call's event name; the call type for the other calls (`identify`, `page`...). */
  event: string;
  userId: string;
  /** ISO 8601: when it happened, as the backend says. */
  timestamp: string;
  properties?: JsonObject;
  /** identify's traits, or the traits another call carried in context.traits. */
  traits?: JsonObject;
  /** What Segment's context says of the device the event came from, as far as the profile uses it. */
  context?: EventContext;
}

/** Segment's context.locale and context.timezone: they fill a profile that has neither yet. */
export type EventContext = {
  locale?: string;
  timezone?: string;
};

/** The part of a Segment context a customer workflow needs (the rest stays in PostgreSQL only). */
export function profileContext(context: Record<string, unknown> | undefined): EventContext | undefined {
  const picked: EventContext = {};
  if (typeof context?.locale === 'string') picked.locale = context.locale;
  if (typeof context?.timezone === 'string') picked.timezone = context.timezone;
  return picked.locale === undefined && picked.timezone === undefined ? undefined : picked;
}

/** Reads a property as a string, whatever JSON type the backend sent. */
export function prop(event: CustomerEvent, name: string): string | undefined {
  const value = event.properties?.[name] ?? event.traits?.[name];
  return value === undefined || value === null ? undefined : String(value);
}

/** Reads a numeric property; undefined when absent or not a number. */
export function numberProp(event: CustomerEvent, name: string): number | undefined {
  const value = Number(event.properties?.[name]);
  return event.properties?.[name] === undefined || Number.isNaN(value) ? undefined : value;
}

/** What a journey waits for: an event name, or a test on the event. */
export type EventMatch = string | ((event: CustomerEvent) => boolean);

export function matches(match: EventMatch, event: CustomerEvent): boolean {
  return typeof match === 'string' ? event.event === match : match(event);
}

/**
 * Whether `event` ends the customer's email marketing: an `Unsubscribed` for email or every channel,
 * from all marketing (leaving one topic, or texts, leaves email marketing on). Older events say
 * neither channel nor topic, and meant email marketing.
 */
export function leavesEmailMarketing(event: CustomerEvent): boolean {
  if (event.event !== Events.Unsubscribed) return false;
  const channel = event.properties?.channel ?? 'email';
  const topic = event.properties?.topic ?? 'marketing';
  return (channel === 'email' || channel === 'all') && topic === 'marketing';
}

/** Whether `event` gives email marketing consent back (the preference centre's resubscribe). */
export function rejoinsEmailMarketing(event: CustomerEvent): boolean {
  if (event.event !== Events.PreferenceUpdated || event.properties?.preference !== 'subscribed') return false;
  return (event.properties?.channel ?? 'email') === 'email' && (event.properties?.topic ?? 'marketing') === 'marketing';
}
