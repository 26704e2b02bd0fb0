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

export const message = z
  .looseObject({
    id: z.number().int(),
    journey: z.string(),
    step: z.string(),
    template: z.string(),
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
    events: z.array(z.object({ type: z.string(), url: z.string().nullable(), occurredAt: z.iso.datetime() })),
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
  })
  .meta({ id: 'Customer' });
export const readiness = z
  .object({
    ok: z.boolean().meta({ description: 'Accepting, and delivering what it accepts promptly' }),
    accepting: z.boolean().meta({ description: 'Events sent now are stored (PostgreSQL answers)' }),
    checks: z
      .object({ postgres: z.string(), temporal: z.string(), backlog: z.string() })
      .meta({ description: '"ok", or why not: unreachable, or how far behind the delivery is' }),
  })
  .meta({ id: 'Readiness' });
export const journeyStats = z.looseObject({ journey: z.string() }).meta({ id: 'JourneyStats' });
