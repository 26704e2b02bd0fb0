import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Queryable } from '../db/queryable';
import { HOLDOUT_COLUMNS, MESSAGE_COLUMNS, SHARED } from './journey-stats-sql';

// Journey statistics per journey, step and variant; the SQL, and what each number means, is in
// journey-stats-sql.ts.

export { recipientHistory, type RecipientMessage } from './recipient-history';

export interface StatsOptions {
  /** How long after an open or click (or a holdout message) an order still counts; "7 days" by default. */
  window?: Duration;
}

export interface MessageStats {
  sent: number;
  delivered: number;
  opens: number;
  uniqueOpens: number;
  clicks: number;
  uniqueClicks: number;
  unsubscribes: number;
  bounces: number;
  complaints: number;
  /** Messages recorded for held-out customers (status 'holdout'): not sent. */
  heldOut: number;
  /** Marketing messages given up because the customer's frequency cap stayed full (status 'skipped'). */
  skipped: number;
  conversions: number;
  revenue: number;
  /** Unique opens (clicks) per delivered message; null with nothing delivered. */
  openRate: number | null;
  clickRate: number | null;
  firstActivityAt: Date | null;
  lastActivityAt: Date | null;
}

export interface HoldoutComparison {
  holdoutCustomers: number;
  holdoutConversions: number;
  holdoutConversionRate: number | null;
  treatedCustomers: number;
  treatedConversions: number;
  treatedConversionRate: number | null;
  /** (treated rate - holdout rate) / holdout rate; null without a holdout conversion to compare to. */
  lift: number | null;
}

export interface JourneyStats extends MessageStats {
  journey: string;
  holdout: HoldoutComparison;
}

export interface StepStats extends MessageStats {
  step: string;
  variant: string | null;
}

export interface JourneyStepStats {
  journey: string;
  /** In the order the journey first reached them; one row per step and variant. */
  steps: StepStats[];
  holdout: HoldoutComparison;
}

/** One row per journey, by name. */
export async function journeyStats(db: Queryable, options: StatsOptions = {}): Promise<JourneyStats[]> {
  const { rows } = await db.query<Row>(
    `WITH ${SHARED},
     per_journey AS (
       SELECT f.journey, ${MESSAGE_COLUMNS}
       FROM message_facts f LEFT JOIN conversions c ON c.message_id = f.id
       GROUP BY f.journey
     )
     SELECT j.*, ${HOLDOUT_COLUMNS}
     FROM per_journey j LEFT JOIN holdout_comparison h USING (journey)
     ORDER BY j.journey`,
    [null, windowMs(options)],
  );
  return rows.map((r) => ({ journey: String(r.journey), ...messageStats(r), holdout: holdoutComparison(r) }));
}

/** One journey's steps and variants, with its holdout comparison. */
export async function journeyStepStats(
  db: Queryable,
  journey: string,
  options: StatsOptions = {},
): Promise<JourneyStepStats> {
  const params = [journey, windowMs(options)];
  const steps = await db.query<Row>(
    `WITH ${SHARED}
     SELECT f.step, f.variant, ${MESSAGE_COLUMNS}
     FROM message_facts f LEFT JOIN conversions c ON c.message_id = f.id
     GROUP BY f.step, f.variant
     ORDER BY first_activity_at, f.step, f.variant NULLS FIRST`,
    params,
  );
  const holdout = await db.query<Row>(`WITH ${SHARED} SELECT ${HOLDOUT_COLUMNS} FROM holdout_comparison h`, params);
  return {
    journey,
    steps: steps.rows.map((r) => ({
      step: String(r.step),
      variant: r.variant === null ? null : String(r.variant),
      ...messageStats(r),
    })),
    holdout: holdoutComparison(holdout.rows[0] ?? {}),
  };
}

type Row = Record<string, unknown>;

function windowMs(options: StatsOptions): number {
  return msToNumber(options.window ?? '7 days');
}

function num(value: unknown): number {
  return Number(value ?? 0);
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function messageStats(r: Row): MessageStats {
  const delivered = num(r.delivered);
  return {
    sent: num(r.sent),
    delivered,
    opens: num(r.opens),
    uniqueOpens: num(r.unique_opens),
    clicks: num(r.clicks),
    uniqueClicks: num(r.unique_clicks),
    unsubscribes: num(r.unsubscribes),
    bounces: num(r.bounces),
    complaints: num(r.complaints),
    heldOut: num(r.held_out),
    skipped: num(r.skipped),
    conversions: num(r.conversions),
    revenue: num(r.revenue),
    openRate: rate(num(r.unique_opens), delivered),
    clickRate: rate(num(r.unique_clicks), delivered),
    firstActivityAt: (r.first_activity_at as Date | null) ?? null,
    lastActivityAt: (r.last_activity_at as Date | null) ?? null,
  };
}

function holdoutComparison(r: Row): HoldoutComparison {
  const orNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    holdoutCustomers: num(r.holdout_customers),
    holdoutConversions: num(r.holdout_conversions),
    holdoutConversionRate: orNull(r.holdout_rate),
    treatedCustomers: num(r.treated_customers),
    treatedConversions: num(r.treated_conversions),
    treatedConversionRate: orNull(r.treated_rate),
    lift: orNull(r.lift),
  };
}
