import type { Queryable } from './queryable';

/**
 * Takes the next send slot of `provider` at `perSecond` and returns how many milliseconds to wait
 * for it. Slots are evenly spaced (no burst above the rate) on one schedule per provider, a row in
 * PostgreSQL moved by one statement, so every worker process draws from the same schedule: a
 * limit set for the SMTP relay holds however many workers send. The wait is computed by
 * PostgreSQL's clock alone, so the workers' clocks do not matter.
 */
export async function reserveSendSlot(db: Queryable, provider: string, perSecond: number): Promise<number> {
  const { rows } = await db.query<{ wait_ms: number }>(
    `INSERT INTO send_rate AS r (provider, next_at)
     VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
     ON CONFLICT (provider) DO UPDATE
       SET next_at = greatest(r.next_at, clock_timestamp()) + $2 * interval '1 millisecond'
     RETURNING greatest(0, extract(epoch FROM r.next_at - clock_timestamp()) * 1000 - $2)::float8 AS wait_ms`,
    [provider, 1000 / perSecond],
  );
  return rows[0].wait_ms;
}
