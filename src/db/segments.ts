import type { Queryable } from './queryable';

// Segment memberships: written by the customer workflows (an activity, when a customer's
// segments change), read by the admin API.

/** Makes `segments` the customer's memberships; one joined before keeps its `since`. Repeatable. */
export async function setSegments(db: Queryable, customerId: string, segments: string[], now: Date): Promise<void> {
  await db.query(
    `WITH left_ AS (DELETE FROM segment_members WHERE customer_id = $1 AND NOT segment = ANY ($2::text[]))
     INSERT INTO segment_members (segment, customer_id, since)
     SELECT unnest($2::text[]), $1, $3
     ON CONFLICT (segment, customer_id) DO NOTHING`,
    [customerId, segments, now],
  );
}

export interface SegmentMember {
  customerId: string;
  since: string;
}

/** One page of a segment's members in customer id order, after `after` (the previous page's last). */
export async function segmentMembers(
  db: Queryable,
  segment: string,
  limit: number,
  after?: string,
): Promise<SegmentMember[]> {
  const { rows } = await db.query<{ customer_id: string; since: Date }>(
    `SELECT customer_id, since FROM segment_members
     WHERE segment = $1 AND ($2::text IS NULL OR customer_id > $2)
     ORDER BY customer_id LIMIT $3`,
    [segment, after ?? null, limit],
  );
  return rows.map((r) => ({ customerId: r.customer_id, since: r.since.toISOString() }));
}

/** How many customers each segment has (segments with none are absent). */
export async function segmentSizes(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query<{ segment: string; members: string }>(
    'SELECT segment, count(*) AS members FROM segment_members GROUP BY segment',
  );
  return Object.fromEntries(rows.map((r) => [r.segment, Number(r.members)]));
}

/** The segments one customer is in, sorted. */
export async function customerSegments(db: Queryable, customerId: string): Promise<string[]> {
  const { rows } = await db.query<{ segment: string }>(
    'SELECT segment FROM segment_members WHERE customer_id = $1 ORDER BY segment',
    [customerId],
  );
  return rows.map((r) => r.segment);
}
