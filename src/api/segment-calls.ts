import { z } from 'zod';
import { ANONYMOUS_PREFIX } from '../shared/customer';
import type { CallType } from '../shared/events';
import { contextSchema, located, propertiesByEvent, traitsSchema } from './event-properties';

// Segment's HTTP Tracking API as Segment's own libraries send it: the six calls, alone or in a
// batch. traits, properties and context are open objects; the fields Journeys reads in them are
// checked for meaning (event-properties.ts). https://segment.com/docs/connections/spec/

/** The earliest and latest event time taken: outside them a timestamp is a broken clock, not history. */
const EARLIEST_EVENT = Date.UTC(1900, 0, 1);
const LATEST_EVENT = Date.UTC(10000, 0, 1);
export const isEventTime = (ms: number): boolean => ms >= EARLIEST_EVENT && ms < LATEST_EVENT;

const time = z.iso
  .datetime({ offset: true })
  .refine((t) => isEventTime(Date.parse(t)), 'must be between the years 1900 and 9999');

/** A userId or anonymousId: text, or a number some backends send (kept as its decimal text). */
const identity = z
  .union([z.string().trim().min(1).max(255), z.number()])
  .transform(String)
  .pipe(z.string().min(1).max(255));

const common = {
  userId: identity
    .refine(
      (id) => !id.startsWith(ANONYMOUS_PREFIX),
      `must not start with "${ANONYMOUS_PREFIX}" (kept for anonymous visitors)`,
    )
    .optional(),
  anonymousId: identity.optional(),
  messageId: z.string().min(1).max(255).optional(),
  timestamp: time.optional(),
  /** When the client library took the call, by its own clock (analytics.js and the mobile libraries). */
  originalTimestamp: time.optional(),
  /** When the client sent it, by the same clock: the difference to now corrects its skew. */
  sentAt: time.optional(),
  context: contextSchema.extend({ traits: traitsSchema.optional() }).optional(),
};

/** Every call names its customer: a userId, or an anonymousId until the visitor is known. */
function someone<T extends { userId?: string; anonymousId?: string }>(call: T, ctx: z.RefinementCtx<T>): void {
  if (call.userId === undefined && call.anonymousId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['userId'], message: 'userId or anonymousId is required' });
  }
}

/** The properties of the events Journeys acts on must mean what Segment's specs say. */
function checkProperties<T extends { event: string; properties?: Record<string, unknown> }>(
  call: T,
  ctx: z.RefinementCtx<T>,
): void {
  const schema = propertiesByEvent[call.event];
  const result = schema?.safeParse(call.properties ?? {});
  for (const issue of result?.error?.issues ?? []) {
    ctx.addIssue({ code: 'custom', path: ['properties', ...issue.path], message: issue.message });
  }
}

/** Free-form, but for a place (latitude and longitude), which must be one. */
const properties = located.optional();
const name = z.string().max(200).optional();

const shapes = {
  identify: { ...common, traits: traitsSchema.optional() },
  track: {
    ...common,
    event: z.string({ error: 'event is required' }).min(1, 'event is required').max(200),
    properties,
  },
  page: { ...common, name, category: name, properties },
  screen: { ...common, name, category: name, properties },
  group: {
    ...common,
    groupId: identity,
    /** The group's traits (a company's name, plan...), not the customer's. */
    traits: z.record(z.string(), z.unknown()).optional(),
  },
  alias: {
    ...common,
    userId: common.userId.unwrap(),
    previousId: identity,
  },
} satisfies Record<CallType, z.ZodRawShape>;

/** One call as it arrives alone, at /v1/<type> (its `type` field is optional there). */
const single = <T extends CallType>(type: T) => z.object({ ...shapes[type], type: z.literal(type).optional() });
/** One call inside a batch, with its `type`. */
const item = <T extends CallType>(type: T) => z.object({ ...shapes[type], type: z.literal(type) });

export const callSchemas = {
  identify: single('identify').superRefine(someone),
  track: single('track').superRefine(someone).superRefine(checkProperties),
  page: single('page').superRefine(someone),
  screen: single('screen').superRefine(someone),
  group: single('group').superRefine(someone),
  alias: single('alias'),
} satisfies Record<CallType, z.ZodType>;

export const batchItemSchema = z
  .discriminatedUnion('type', [
    item('identify'),
    item('track').superRefine(checkProperties),
    item('page'),
    item('screen'),
    item('group'),
    item('alias'),
  ])
  .superRefine(someone);

export type SegmentCall = z.infer<typeof batchItemSchema>;

export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_EVENTS = 2500;

/**
 * A batch as it arrives: its items are checked one by one, so the valid ones are accepted and the
 * others answered by index (Segment's libraries do not retry a 400: refusing a whole batch for one
 * bad item would lose the good ones).
 */
export const batchEnvelopeSchema = z.object({
  batch: z.array(z.unknown()).min(1).max(MAX_BATCH_EVENTS),
  context: contextSchema.optional(),
  sentAt: time.optional(),
});

/** The batch as the OpenAPI document describes it: every item one of the calls. */
export const batchSchema = batchEnvelopeSchema.extend({ batch: z.array(batchItemSchema).min(1).max(MAX_BATCH_EVENTS) });

export type IdentifyCall = z.input<typeof callSchemas.identify>;
export type TrackCall = z.input<typeof callSchemas.track>;
