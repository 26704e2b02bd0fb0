import { z } from 'zod';

// The answers the routes build by hand, for the OpenAPI document: described loosely where they
// mirror workflow state that grows with the product.

export const error = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'invalid_request' }),
      message: z.string().meta({ example: 'userId is required' }),
      details: z.unknown().optional().meta({ description: 'For 400s: one { path, message } per invalid field' }),
    }),
  })
  .meta({ id: 'Error' });
export const success = z.object({ success: z.literal(true) }).meta({ id: 'Success' });

/** Why a call was refused: its code and message, with `details` naming each field. */
const refusal = {
  code: z.string().meta({ example: 'invalid_request' }),
  message: z.string().meta({ example: 'userId or anonymousId is required' }),
  details: z.unknown().optional(),
};
export const batchAccepted = z
  .object({
    success: z.literal(true),
    rejected: z
      .array(z.object({ index: z.int(), ...refusal }))
      .optional()
      .meta({ description: 'The calls not accepted, by their index in the batch (absent when all were)' }),
  })
  .meta({ id: 'BatchAccepted' });
export const rejectedEvent = z
  .object({
    id: z.int(),
    receivedAt: z.iso.datetime(),
    endpoint: z.string(),
    index: z.int().optional().meta({ description: 'Its index in the batch' }),
    ...refusal,
    payload: z.unknown().meta({ description: 'The call as it was sent' }),
  })
  .meta({ id: 'RejectedEvent' });

const channel = z
  .enum(['email', 'sms', 'webhook'])
  .meta({ description: "email, sms (a text message), or webhook (a call to the shop's own systems)" });

export const message = z
  .looseObject({
    id: z.number().int(),
    journey: z.string(),
    step: z.string(),
    channel,
    template: z.string().meta({ description: 'The template; for a webhook call, the URL called' }),
    variant: z.string().nullable(),
    status: z
      .enum(['queued', 'sending', 'sent', 'suppressed', 'capped', 'skipped', 'holdout', 'failed'])
      .or(z.string()),
    reason: z.string().nullable(),
    transactional: z.boolean(),
    holdout: z.boolean(),
    subject: z.string().nullable(),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
    events: z.array(
      z.object({
        type: z.string(),
        url: z.string().nullable(),
        occurredAt: z.iso.datetime(),
        machine: z.string().nullable().meta({
          description:
            "An open or click no person made, and why: privacy-proxy (Apple Mail Privacy Protection's prefetch), scanner (a security gateway); null for a person's",
        }),
      }),
    ),
  })
  .meta({ id: 'Message' });
export const customer = z
  .object({
    profile: z.looseObject({ id: z.string(), email: z.string().nullable() }).nullable(),
    state: z
      .looseObject({ customerId: z.string(), stage: z.string(), consent: z.string() })
      .nullable()
      .meta({ description: "The customer workflow's `state` query; null once it is gone" }),
    pending: z
      .object({
        count: z.int(),
        events: z.array(
          z.object({ messageId: z.string(), type: z.string(), event: z.string(), receivedAt: z.iso.datetime() }),
        ),
      })
      .meta({ description: 'Events accepted and not yet delivered to the workflow (the first 20 listed)' }),
    journeys: z.array(
      z
        .looseObject({
          workflowId: z.string(),
          status: z.string(),
          journey: z.string().optional(),
          step: z.string().optional(),
          outcome: z.enum(['completed', 'converted', 'exited']).optional(),
          nextWakeAt: z.iso.datetime().optional(),
          running: z.boolean().optional(),
        })
        .meta({ description: "The journey's workflow status, and its `state` query once it can answer one" }),
    ),
    messages: z.array(message),
    location: z
      .object({
        latitude: z.number(),
        longitude: z.number(),
        source: z.enum(['context.location', 'traits', 'properties']),
        seenAt: z.iso.datetime(),
      })
      .nullable()
      .meta({ description: 'Where the newest event with a location said the customer was; null when none did' }),
    segments: z
      .array(z.string())
      .meta({ description: 'The segments the customer is in, as their workflow last recorded them' }),
  })
  .meta({ id: 'Customer' });

export const segmentCondition = z.looseObject({}).meta({
  id: 'SegmentCondition',
  description: 'A condition as README "Segments" describes it: all, any, not, trait, stage, metric, group or event',
});

export const segmentMembersPage = z
  .object({
    segment: z.string(),
    customers: z.array(z.object({ customerId: z.string(), since: z.iso.datetime() })),
    next: z.string().nullable().meta({ description: 'Pass as `after` for the next page; null on the last page' }),
  })
  .meta({ id: 'SegmentMembers' });
export const readiness = z
  .object({
    ok: z.boolean().meta({ description: 'Accepting, and delivering what it accepts promptly' }),
    accepting: z.boolean().meta({ description: 'Events sent now are stored (PostgreSQL answers)' }),
    checks: z
      .object({ postgres: z.string(), temporal: z.string(), backlog: z.string() })
      .meta({ description: '"ok", or why not: unreachable, or how far behind the delivery is' }),
  })
  .meta({ id: 'Readiness' });

// Journey statistics (src/db/stats): what each number means is defined in src/db/stats/journey-stats-sql.ts.
const count = (description: string) => z.int().meta({ description });
const messageStats = {
  sent: count('Handed over: emails SMTP accepted, texts the provider took, webhook calls answered with a 2xx'),
  delivered: count('Emails sent and not bounced, texts the provider reported delivered, webhook calls answered 2xx'),
  undelivered: count('Texts the provider reported undelivered or failed'),
  failed: count(
    'Status failed: refused at the hand-off, a webhook call answered 4xx or not made, a text reported undelivered',
  ),
  opens: count("Opens of emails by a person, every one (a machine's are in machineOpens)"),
  uniqueOpens: count('Emails a person opened at least once'),
  clicks: count(
    "Clicks on tracked links of emails and texts (short links) by a person, every one (a machine's are in machineClicks)",
  ),
  uniqueClicks: count('Messages a person clicked at least once'),
  machineOpens: count("Opens no person made, every one: Apple Mail Privacy Protection's prefetch, a scanner"),
  machineClicks: count(
    'Clicks no person made, every one: security scanners (within seconds of the send, by User-Agent, HEAD)',
  ),
  unsubscribes: count("Messages the customer opted out from: an email's unsubscribe link, a STOP reply to a text"),
  bounces: count('Emails bounced'),
  complaints: count('Emails reported as spam'),
  heldOut: count('Messages recorded for held-out customers: not sent'),
  skipped: count('Marketing messages given up because the frequency cap stayed full'),
  conversions: count('Orders attributed by last touch (the last open or click within the window)'),
  revenue: z.number().meta({ description: 'Their revenue, else their total' }),
  openRate: z.number().nullable().meta({ description: 'Unique opens per delivered email; null with none' }),
  clickRate: z
    .number()
    .nullable()
    .meta({ description: 'Unique clicks per delivered email or text; null with none (webhooks have no links)' }),
  firstActivityAt: z.iso.datetime().nullable(),
  lastActivityAt: z.iso.datetime().nullable(),
};
export const channelStats = z
  .object({ channel, ...messageStats })
  .meta({ id: 'ChannelStats', description: 'The messages of one channel' });
const holdoutComparison = z
  .object({
    holdoutCustomers: z.int(),
    holdoutConversions: z.int(),
    holdoutConversionRate: z.number().nullable(),
    treatedCustomers: z.int().meta({ description: 'Customers sent an email or text (webhook calls do not count)' }),
    treatedConversions: z.int(),
    treatedConversionRate: z.number().nullable(),
    lift: z.number().nullable().meta({ description: '(treated rate - holdout rate) / holdout rate' }),
  })
  .meta({ id: 'HoldoutComparison' });
const channels = z.array(channelStats).meta({ description: 'By channel (email, sms, webhook): those used only' });
export const journeyStats = z
  .object({ journey: z.string(), ...messageStats, channels, holdout: holdoutComparison })
  .meta({ id: 'JourneyStats', description: 'One journey: its totals over every channel, and per channel' });
export const journeysReport = z
  .object({
    journeys: z.array(journeyStats).meta({ description: 'By name' }),
    channels: channels.meta({ description: 'Every journey together, by channel' }),
  })
  .meta({ id: 'JourneysReport' });
const stepStats = z.object({ step: z.string(), variant: z.string().nullable(), channel, ...messageStats }).meta({
  id: 'StepStats',
  description: 'One step, variant and channel: a step sent by email to some and by SMS to others has a row for each',
});
export const journeyStepStats = z
  .object({
    journey: z.string(),
    steps: z.array(stepStats).meta({ description: 'In the order the journey first reached them' }),
    channels,
    holdout: holdoutComparison,
  })
  .meta({ id: 'JourneyStepStats' });
