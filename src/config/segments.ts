import { z } from 'zod';
import type { LifecycleStage } from '../shared/customer';
import type { SegmentCondition } from '../shared/segments';
import { segments as shippedSegments } from '../journeys/segments';
import { duration, segmentName } from './journey-config';

// The configuration's `segments` section and the journeys' `audience` rules, checked for meaning:
// a segment's name can be a search attribute value, a window is a duration, bounds are given.

const STAGES: [LifecycleStage, ...LifecycleStage[]] = [
  'prospect',
  'new-customer',
  'repeat',
  'loyal',
  'at-risk',
  'lapsed',
];
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const bounds = { atLeast: z.number().finite().optional(), atMost: z.number().finite().optional() };
const bounded = (v: { atLeast?: number; atMost?: number }) => v.atLeast !== undefined || v.atMost !== undefined;
const BOUNDS_MESSAGE = 'expected atLeast, atMost or both';

export const segmentCondition: z.ZodType<SegmentCondition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(segmentCondition).min(1) }),
    z.strictObject({ any: z.array(segmentCondition).min(1) }),
    z.strictObject({ not: segmentCondition }),
    z
      .strictObject({
        trait: z.string().min(1),
        equals: scalar.optional(),
        in: z.array(scalar).min(1).optional(),
        exists: z.boolean().optional(),
      })
      .refine(
        (c) => c.equals !== undefined || c.in !== undefined || c.exists !== undefined,
        'expected equals, in or exists',
      ),
    z.strictObject({ stage: z.array(z.enum(STAGES)).min(1) }),
    z.strictObject({ metric: z.enum(['orders', 'totalSpent']), ...bounds }).refine(bounded, BOUNDS_MESSAGE),
    z.strictObject({ group: z.string().min(1) }),
    z
      .strictObject({
        event: z.string().min(1),
        within: duration,
        where: z.record(z.string(), scalar).optional(),
        sum: z.string().min(1).optional(),
        ...bounds,
      })
      .refine(bounded, BOUNDS_MESSAGE),
  ]),
);

/** The shipped segments (src/journeys/segments.ts), with the configuration's by name over them. */
export const segmentsSection = z
  .record(segmentName, segmentCondition)
  .default({})
  .transform((configured) => ({ ...shippedSegments, ...configured }));
