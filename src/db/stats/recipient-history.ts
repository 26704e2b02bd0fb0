import type { Queryable } from '../queryable';
import type { Channel } from '../../shared/journey';

export interface RecipientMessage {
  id: number;
  journey: string;
  step: string;
  /** Email, text (sms), or a webhook call to the shop's systems (its template is the URL called). */
  channel: Channel;
  template: string;
  variant: string | null;
  status: string;
  reason: string | null;
  transactional: boolean;
  holdout: boolean;
  subject: string | null;
  createdAt: Date;
  sentAt: Date | null;
  /** Oldest first. `machine`: why no person made this open or click (privacy-proxy, scanner); null for a person's. */
  events: { type: string; url: string | null; occurredAt: Date; machine: string | null }[];
}

/** What the customer was sent (or held out of) and did with it, newest first. */
export async function recipientHistory(db: Queryable, customerId: string, limit = 100): Promise<RecipientMessage[]> {
  const { rows } = await db.query<Omit<RecipientMessage, 'events'> & { events: RecipientMessage['events'] }>(
    `SELECT m.id::float8 AS id, m.journey, m.step, m.channel, m.template, m.variant, m.status, m.reason,
            m.transactional, m.holdout, m.subject, m.created_at AS "createdAt", m.sent_at AS "sentAt",
            coalesce(
              json_agg(json_build_object('type', e.type, 'url', e.url, 'occurredAt', e.occurred_at, 'machine', e.machine)
                       ORDER BY e.occurred_at, e.id) FILTER (WHERE e.id IS NOT NULL),
              '[]') AS events
     FROM messages m
     LEFT JOIN message_events e ON e.message_id = m.id
     WHERE m.customer_id = $1
     GROUP BY m.id
     ORDER BY m.created_at DESC, m.id DESC
     LIMIT $2`,
    [customerId, limit],
  );
  return rows.map((r) => ({
    ...r,
    events: r.events.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt) })),
  }));
}
