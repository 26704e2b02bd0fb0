import { z } from 'zod';

// Segment's HTTP Tracking API, as we accept it. traits, properties and context are open objects.

const common = {
  userId: z.string({ error: 'userId is required' }).min(1, 'userId is required').max(255),
  anonymousId: z.string().max(255).optional(),
  messageId: z.string().min(1).max(255).optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
};

export const identifySchema = z.object({
  ...common,
  type: z.literal('identify').optional(),
  traits: z.record(z.string(), z.unknown()).optional(),
});

export const trackSchema = z.object({
  ...common,
  type: z.literal('track').optional(),
  event: z.string({ error: 'event is required' }).min(1, 'event is required').max(200),
  properties: z.record(z.string(), z.unknown()).optional(),
});

export const batchItemSchema = z.discriminatedUnion('type', [
  identifySchema.extend({ type: z.literal('identify') }),
  trackSchema.extend({ type: z.literal('track') }),
]);

export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_EVENTS = 2500;

export const batchSchema = z.object({
  batch: z.array(batchItemSchema).min(1).max(MAX_BATCH_EVENTS),
  context: z.record(z.string(), z.unknown()).optional(),
});

export type IdentifyCall = z.infer<typeof identifySchema>;
export type TrackCall = z.infer<typeof trackSchema>;
