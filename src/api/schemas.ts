import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { LATITUDE_RANGE, LONGITUDE_RANGE } from '../shared/location';
import { WEEKDAYS } from '../shared/store';
import { httpUrl, MAX_AMOUNT, timeZone } from './event-properties';

// Every request the API accepts, as zod schemas: the routes validate with them, and /openapi.json is
// generated from them, so the documentation cannot drift from what the code checks.

// Inspection and statistics (admin).

/** The longest attribution window accepted: keeps the milliseconds well inside a bigint. */
const MAX_WINDOW_MS = 3650 * 24 * 60 * 60 * 1000;

export const customerParams = z.object({
  id: z.string().min(1, 'id is required').max(200, 'id is at most 200 characters'),
});
export const journeyParams = z.object({
  name: z.string().min(1, 'name is required').max(200, 'name is at most 200 characters'),
});

const limitMessage = 'limit must be a whole number from 1 to 500';
export const limitQuery = z.object({
  limit: z
    .string(limitMessage)
    .regex(/^\d{1,3}$/, limitMessage)
    .transform(Number)
    .pipe(z.number().min(1, limitMessage).max(500, limitMessage))
    .optional(),
});

const windowMessage = 'window must be a positive duration such as "7 days", at most 3650 days';
export const statsQuery = z.object({
  window: z
    .string(windowMessage)
    .transform((value, ctx) => {
      let ms: number;
      try {
        ms = Math.round(msToNumber(value.trim()));
      } catch {
        ms = NaN;
      }
      if (!Number.isFinite(ms) || ms < 1 || ms > MAX_WINDOW_MS) {
        ctx.addIssue({ code: 'custom', message: windowMessage });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
});

// Template preview (admin).

export const previewQuery = z.object({
  channel: z.enum(['email', 'sms'], { error: 'channel must be "email" or "sms"' }).optional().meta({
    description: 'email (the default): the HTML email; sms: the text message, as JSON with its encoding and segments',
  }),
  customerId: z.string().min(1).max(255).optional(),
  locale: z.string().min(2).max(35).optional(),
  /** The journey data, as JSON (what the journey would pass to send). */
  data: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return {};
      try {
        const parsed: unknown = JSON.parse(v);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'data must be a JSON object' });
      return z.NEVER;
    }),
});

export const templateParams = z.object({
  name: z
    .string()
    .max(100, 'no such template')
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'no such template'),
});

// The catalogue (admin): products and the cross-sell and upsell pairs that journeys suggest.

export const MAX_PRODUCTS_PER_CALL = 1000;

export const productSchema = z.object({
  id: z.string().min(1, 'id is required').max(255),
  name: z.string({ error: 'name is required' }).min(1, 'name is required').max(500),
  price: z.number().nonnegative().max(MAX_AMOUNT).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as EUR')
    .default('USD'),
  category: z.string().min(1).max(200).optional(),
  url: httpUrl.optional(),
  imageUrl: httpUrl.optional(),
  inStock: z.boolean().default(true),
  /** Suggested with this product, best first; replaces the product's earlier list when given. */
  related: z
    .array(z.object({ id: z.string().min(1).max(255), kind: z.enum(['cross-sell', 'upsell']).default('cross-sell') }))
    .max(50)
    .optional(),
});

export const productsSchema = z.object({
  products: z.array(productSchema).min(1).max(MAX_PRODUCTS_PER_CALL),
});

export type ProductInput = z.infer<typeof productSchema>;

// The shop's stores (admin): where they are and when they are open, for location-based journeys.

export const MAX_STORES_PER_CALL = 1000;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time as HH:MM (24-hour)');
const openingHoursSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` })).min(1, 'name at least one day'),
    opens: hhmm,
    closes: hhmm,
  })
  .refine((h) => h.closes > h.opens, { path: ['closes'], message: 'must be after opens (the same day)' })
  .meta({ description: "Open on these days from `opens` to `closes`, in the store's zone" });

export const storeSchema = z.object({
  id: z.string({ error: 'id is required' }).min(1, 'id is required').max(255),
  name: z.string({ error: 'name is required' }).min(1, 'name is required').max(500),
  address: z.string({ error: 'address is required' }).min(1, 'address is required').max(1000),
  latitude: z
    .number({ error: 'latitude must be a number from -90 to 90' })
    .min(LATITUDE_RANGE.min, 'latitude must be a number from -90 to 90')
    .max(LATITUDE_RANGE.max, 'latitude must be a number from -90 to 90'),
  longitude: z
    .number({ error: 'longitude must be a number from -180 to 180' })
    .min(LONGITUDE_RANGE.min, 'longitude must be a number from -180 to 180')
    .max(LONGITUDE_RANGE.max, 'longitude must be a number from -180 to 180'),
  timezone: timeZone,
  /** Empty: never open, so the nearby-store journey sends nothing for it. */
  openingHours: z.array(openingHoursSchema).max(50).default([]),
});

export const storesSchema = z.object({
  stores: z.array(storeSchema).min(1).max(MAX_STORES_PER_CALL),
});

export const storeParams = z.object({
  id: z.string().min(1, 'id is required').max(255, 'id is at most 255 characters'),
});

/** A page of a list in id order: `after` is the last id of the previous page. */
export const pageQuery = limitQuery.extend({
  after: z.string().min(1).max(255).optional().meta({ description: 'The last id of the previous page' }),
});
export const storesQuery = pageQuery;

export const segmentParams = z.object({
  name: z.string().min(1, 'name is required').max(200, 'name is at most 200 characters'),
});
