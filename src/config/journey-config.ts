import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';

// The parts journeys' configuration sections are made of (src/journeys/<name>/config.ts), and the
// configuration's other sections use: durations, local times, template names, topics, incentives.

export const duration = z.string().refine(
  (v) => {
    try {
      return msToNumber(v as never) > 0;
    } catch {
      return false;
    }
  },
  { message: 'expected a duration such as "2 days", "1 hour" or "90m"' },
);
export const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time as HH:MM (24-hour)');
export const template = z.string().min(1);
export const share = z.number().min(0).max(1);
export const cap = z.strictObject({ max: z.number().int().positive(), per: duration });
export const topicId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a topic id such as offers (lower case, digits, dashes)');
/** The subscription topic a journey's marketing belongs to: customers may leave one topic and keep the others. */
export const topic = (id: string) => ({ topic: topicId.default(id) });

export const segmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a segment name such as best-customers (lower case, digits, dashes)');

/**
 * Which customers a journey is for: in every `require` segment and in no `exclude` one when it
 * starts; with `exitOnLeave`, a running journey ends when that stops being true.
 */
export const audienceRule = (require: string[] = []) =>
  z
    .strictObject({
      require: z.array(segmentName).default(require),
      exclude: z.array(segmentName).default([]),
      exitOnLeave: z.boolean().default(false),
    })
    .prefault({});

/** What every journey has: an on/off switch, its audience, a holdout share, A/B variants, a group on finish. */
export const common = {
  enabled: z.boolean().default(true),
  audience: audienceRule(),
  /** Share of entrants (0..1) who enter but receive nothing, to measure lift. */
  holdoutShare: share.default(0),
  /** A/B split, deterministic per customer; empty means no split. */
  variants: z.array(z.strictObject({ name: z.string().min(1), weight: z.number().positive() })).default([]),
  /** On finish, copy the customer to a group, or move them there (leaving `from`). */
  finish: z
    .strictObject({
      group: z.string().min(1),
      from: z.array(z.string()).default([]),
      on: z.array(z.string()).optional(),
    })
    .optional(),
};

export const incentive = z.strictObject({ code: z.string(), percentOff: z.number().positive().max(100) });
