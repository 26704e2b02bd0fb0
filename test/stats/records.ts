import type { Pool } from 'pg';

// Rows for the statistics tests, written straight into messages, message_events and orders.

const M = 60_000;

export interface MessageRow {
  customer: string;
  journey: string;
  step: string;
  channel?: 'email' | 'sms' | 'webhook';
  variant?: string;
  /** 'sent' by default ('holdout' when held out). */
  status?: string;
  reason?: string;
  holdout?: boolean;
  /** A webhook call's HTTP answer. */
  responseStatus?: number;
  at: number;
  /** When it was handed over: a minute after `at` when sent, else never. */
  sentAt?: number | null;
}

/** Inserts rows by name: messages named for the events that follow them. */
export function statsRecords(pool: () => Pool) {
  const ids: Record<string, number> = {};
  let seq = 0;

  async function message(name: string, m: MessageRow) {
    const status = m.status ?? (m.holdout ? 'holdout' : 'sent');
    const sentAt = m.sentAt === undefined ? (status === 'sent' ? m.at + M : null) : m.sentAt;
    const { rows } = await pool().query(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, channel, variant, holdout,
                             status, reason, response_status, created_at, sent_at)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        `key-${++seq}`,
        m.customer,
        m.journey,
        m.step,
        m.channel ?? 'email',
        m.variant ?? null,
        m.holdout ?? false,
        status,
        m.reason ?? null,
        m.responseStatus ?? null,
        new Date(m.at),
        sentAt === null ? null : new Date(sentAt),
      ],
    );
    ids[name] = Number(rows[0].id);
  }

  /** `machine`: why no person made this open or click (privacy-proxy, scanner). */
  async function event(name: string, type: string, when: number, url: string | null = null, machine?: string) {
    await pool().query(
      'INSERT INTO message_events (message_id, type, url, occurred_at, machine) VALUES ($1, $2, $3, $4, $5)',
      [ids[name], type, url, new Date(when), machine ?? null],
    );
  }

  async function order(
    id: string,
    customer: string,
    when: number,
    revenue: number | null,
    total: number | null = null,
  ) {
    await pool().query(
      'INSERT INTO orders (id, customer_id, revenue, total, completed_at) VALUES ($1, $2, $3, $4, $5)',
      [id, customer, revenue, total, new Date(when)],
    );
  }

  return { ids, message, event, order };
}
