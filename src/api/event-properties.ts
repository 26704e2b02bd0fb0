import { IANAZone } from 'luxon';
import { z } from 'zod';
import { EMAIL_RULE, normalizeEmail } from '../shared/email-address';
import { PHONE_RULE, normalizePhone } from '../shared/phone-number';
import { Events } from '../shared/events';
import { LATITUDE_RANGE, LONGITUDE_RANGE } from '../shared/location';

// The fields Journeys reads, checked for what they mean, not only their shape: an email is one
// address, a zone is a real IANA zone, a link is http(s), an amount is an amount. Every other
// field of traits, properties and context stays free-form (Segment's spec), and nothing here
// changes what is stored: a call is kept exactly as sent, or refused with a 400 naming the field.

/** The largest amount (price, revenue, total) taken: beyond it, a number is a mistake, not money. */
export const MAX_AMOUNT = 1e12;
/** The most units of one product in one event. */
export const MAX_QUANTITY = 1_000_000;
/** Ids we key journeys and rows on: cart, order and product ids. */
const MAX_ID_LENGTH = 255;

/** Segment sends numbers; some backends send numeric strings. Both are read with Number(). */
const numeric = (check: (n: number) => boolean, rule: string) =>
  z
    .union([z.number(), z.string()])
    .refine((v) => typeof v !== 'string' || /^\s*-?\d+(\.\d+)?\s*$/.test(v), rule)
    .refine((v) => check(Number(v)), rule);

const amount = numeric((n) => Math.abs(n) <= MAX_AMOUNT, `must be an amount of at most ${MAX_AMOUNT}`);
const quantity = numeric(
  (n) => Number.isInteger(n) && n >= 1 && n <= MAX_QUANTITY,
  `must be a whole number from 1 to ${MAX_QUANTITY}`,
);
const id = z.union([z.string().min(1).max(MAX_ID_LENGTH), z.number()]);
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
const currency = z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 currency code such as EUR');
const text = z.union([z.string().max(500), z.number()]);

export const email = z.string().refine((v) => normalizeEmail(v) !== undefined, EMAIL_RULE);
export const phone = z.string().refine((v) => normalizePhone(v) !== undefined, PHONE_RULE);
export const timeZone = z
  .string()
  .refine((v) => IANAZone.isValidZone(v), 'must be an IANA time zone such as Europe/Berlin');
export const locale = z
  .string()
  .max(35)
  .refine((v) => {
    try {
      return Intl.getCanonicalLocales(v).length === 1;
    } catch {
      return false;
    }
  }, 'must be a BCP 47 language tag such as de-AT');
/** A birthday: YYYY-MM-DD, --MM-DD when the year is unknown, or an ISO 8601 timestamp. */
const birthday = z.string().refine((v) => {
  const day = /^(\d{4}|-)-(\d{2})-(\d{2})$/.exec(v);
  if (!day) return z.iso.datetime({ offset: true }).safeParse(v).success;
  const date = new Date(Date.UTC(day[1] === '-' ? 2000 : Number(day[1]), Number(day[2]) - 1, Number(day[3])));
  return date.getUTCMonth() === Number(day[2]) - 1 && date.getUTCDate() === Number(day[3]);
}, 'must be a date as YYYY-MM-DD or --MM-DD');

const topicName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a topic id such as offers, or marketing');

/** `null` clears a trait; absent leaves it. */
const clearable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

// A place, as the nearby-store journey reads it (src/shared/location.ts): a number of degrees each,
// both or neither (null is neither). Segment's libraries send numbers; text is not read as one.
const degrees = (range: { min: number; max: number }, name: string) => {
  const rule = `must be a ${name}: a number from ${range.min} to ${range.max}`;
  return z.number({ error: rule }).min(range.min, rule).max(range.max, rule);
};
const coordinateFields = {
  latitude: clearable(degrees(LATITUDE_RANGE, 'latitude')),
  longitude: clearable(degrees(LONGITUDE_RANGE, 'longitude')),
};
function bothOrNeither(place: { latitude?: number | null; longitude?: number | null }, ctx: z.RefinementCtx): void {
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(place.latitude) === has(place.longitude)) return;
  const [missing, given] = has(place.latitude) ? ['longitude', 'latitude'] : ['latitude', 'longitude'];
  ctx.addIssue({ code: 'custom', path: [missing], message: `is required with ${given}: a place needs both` });
}
/** An object that may say where the customer is (latitude and longitude), open otherwise. */
export const located = z.looseObject(coordinateFields).superRefine(bothOrNeither);

/** Segment's reserved identify traits that Journeys keeps in the profile. */
export const traitsSchema = z
  .looseObject({
    email: clearable(email),
    first_name: clearable(text),
    firstName: clearable(text),
    last_name: clearable(text),
    lastName: clearable(text),
    locale: clearable(locale),
    timezone: clearable(timeZone),
    birthday: clearable(birthday),
    phone: clearable(phone),
    /** Explicit consent to marketing texts (true), or its withdrawal (false). */
    sms_opt_in: z.boolean({ error: 'must be true or false' }).optional(),
    /** Where the customer is (both or neither): a store nearby may start the nearby-store journey. */
    ...coordinateFields,
  })
  .superRefine(bothOrNeither);

/**
 * Segment's context: the device's language and zone fill a profile that has none; its `location`
 * (latitude and longitude, which Segment's mobile libraries fill) says where the customer is.
 * `context.ip` is not resolved to a place.
 */
export const contextSchema = z.looseObject({
  locale: locale.optional(),
  timezone: timeZone.optional(),
  location: located.optional(),
});

const product = {
  product_id: id.optional(),
  sku: id.optional(),
  name: text.optional(),
  price: amount.optional(),
  quantity: quantity.optional(),
  url: httpUrl.optional(),
  image_url: httpUrl.optional(),
};
const cartChange = z.looseObject({ ...product, cart_id: id.optional() });
const order = z.looseObject({
  order_id: id.optional(),
  cart_id: id.optional(),
  revenue: amount.optional(),
  total: amount.optional(),
  subtotal: amount.optional(),
  shipping: amount.optional(),
  tax: amount.optional(),
  discount: amount.optional(),
  currency: currency.optional(),
  products: z.array(z.looseObject(product)).optional(),
});

/** The properties of the events Journeys acts on, by event name; others are free-form. */
export const propertiesByEvent: Record<string, z.ZodType> = {
  [Events.ProductViewed]: z.looseObject(product),
  [Events.ProductAdded]: cartChange,
  [Events.ProductRemoved]: cartChange,
  [Events.OrderCompleted]: order,
  [Events.OrderCancelled]: z.looseObject({ order_id: id.optional() }),
  [Events.OrderRefunded]: z.looseObject({ order_id: id.optional() }),
  [Events.BackInStockRequested]: z.looseObject(product),
  [Events.EmailBounced]: z.looseObject({ email: email.optional() }),
  // Derived from a location near a store (src/db/locations.ts); an app that geofences itself may send it, naming the store.
  [Events.StoreNearby]: z.looseObject({ store_id: id }),
  // What a customer left or rejoined: a channel's marketing (`marketing`) or one topic of it.
  [Events.Unsubscribed]: z.looseObject({
    channel: z.enum(['email', 'sms', 'all']).optional(),
    topic: topicName.optional(),
  }),
  [Events.PreferenceUpdated]: z.looseObject({
    channel: z.enum(['email', 'sms']).optional(),
    topic: topicName.optional(),
    preference: z.enum(['pause', 'fewer', 'normal', 'subscribed']).optional(),
    days: numeric(
      (n) => Number.isInteger(n) && n >= 1 && n <= 3650,
      'must be a whole number of days from 1 to 3650',
    ).optional(),
  }),
};
