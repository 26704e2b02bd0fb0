import type { Queryable } from './queryable';

/** Fewer opens and clicks than this in the last year say too little of a customer's habits: the journey's own hour applies. */
export const BEST_TIME_MIN_ENGAGEMENTS = 3;

/**
 * The local hour (0-23, in `zone`) at which the customer has most often opened or clicked our
 * email in the year before `now` (a person's opens only: not privacy proxies or link scanners);
 * the earliest such hour on a tie. Null when they did so fewer than BEST_TIME_MIN_ENGAGEMENTS times.
 */
export async function bestSendHour(db: Queryable, customerId: string, zone: string, now: Date): Promise<number | null> {
  const { rows } = await db.query<{ hour: number; n: number }>(
    `SELECT extract(hour FROM e.occurred_at AT TIME ZONE $2)::int AS hour, count(*)::int AS n
     FROM message_events e JOIN messages m ON m.id = e.message_id
     WHERE m.customer_id = $1 AND e.type IN ('opened', 'clicked') AND e.machine IS NULL
       AND e.occurred_at > $3::timestamptz - interval '1 year' AND e.occurred_at <= $3
     GROUP BY 1 ORDER BY n DESC, hour`,
    [customerId, zone, now],
  );
  const total = rows.reduce((sum, r) => sum + r.n, 0);
  return total < BEST_TIME_MIN_ENGAGEMENTS ? null : rows[0].hour;
}
