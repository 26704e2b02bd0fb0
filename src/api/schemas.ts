import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { contextSchema, httpUrl, MAX_AMOUNT, propertiesByEvent, traitsSchema } from './event-properties';

// Every request the API accepts, as zod schemas: the routes validate with them, and /openapi.json is
// generated from them, so the documentation cannot drift from what the code checks.

// Ingestion: Segment's HTTP Tracking API, as we accept it. traits, properties and context are open
// objects; the fields Journeys reads in them are checked for meaning (event-properties.ts).

/** The earliest and latest event time taken: outside them a timestamp is a broken clock, not history. */
const EARLIEST_EVENT = Date.UTC(1900, 0, 1);
const LATEST_EVENT = Date.UTC(10000, 0, 1);

const common = {
  userId: z.string({ error: 'userId is required' }).min(1, 'userId is required').max(255),
  anonymousId: z.string().max(255).optional(),
  messageId: z.string().min(1).max(255).optional(),
  timestamp: z.iso
    .datetime({ offset: true })
    .refine((t) => {
      const ms = Date.parse(t);
      return ms >= EARLIEST_EVENT && ms < LATEST_EVENT;
    }, 'timestamp must be between the years 1900 and 9999')
    .optional(),
  context: contextSchema.optional(),
};

const identifyShape = { ...common, type: z.literal('identify').optional(), traits: traitsSchema.optional() };
const trackShape = {
  ...common,
  type: z.literal('track').optional(),
  event: z.string({ error: 'event is required' }).min(1, 'event is required').max(200),
  properties: z.record(z.string(), z.unknown()).optional(),
};

/** The properties of the events Journeys acts on must mean what Segment's specs say. */
function checkProperties(call: { event: string; properties?: Record<string, unknown> }, ctx: z.RefinementCtx): void {
  const schema = propertiesByEvent[call.event];
  const result = schema?.safeParse(call.properties ?? {});
  for (const issue of result?.error?.issues ?? []) {
    ctx.addIssue({ code: 'custom', path: ['properties', ...issue.path], message: issue.message });
  }
}

export const identifySchema = z.object(identifyShape);
export const trackSchema = z.object(trackShape).superRefine(checkProperties);

export const batchItemSchema = z.discriminatedUnion('type', [
  z.object({ ...identifyShape, type: z.literal('identify') }),
  z.object({ ...trackShape, type: z.literal('track') }).superRefine(checkProperties),
]);

export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_EVENTS = 2500;

export const batchSchema = z.object({
  batch: z.array(batchItemSchema).min(1).max(MAX_BATCH_EVENTS),
  context: contextSchema.optional(),
});

export type IdentifyCall = z.infer<typeof identifySchema>;
export type TrackCall = z.infer<typeof trackSchema>;

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
export const messagesQuery = z.object({
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
