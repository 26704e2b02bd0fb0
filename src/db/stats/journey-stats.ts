import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Queryable } from '../queryable';
import type { Channel } from '../../shared/journey';
import { JOURNEY_AND_CHANNEL_TOTALS, STEP_TOTALS } from './journey-stats-sql';
import { channelStats, holdoutComparison, messageStats, type Row } from './stats-rows';
import type { ChannelStats, JourneyStats, JourneyStepStats, JourneysReport } from './stats-types';

// Journey statistics per journey, channel, step and variant; the SQL, and what each number means,
// is in journey-stats-sql.ts.

export type * from './stats-types';
export { recipientHistory, type RecipientMessage } from './recipient-history';

export interface StatsOptions {
  /** How long after an open or click (or a holdout message) an order still counts; "7 days" by default. */
  window?: Duration;
}

/** One row per journey, by name, and the channels over all journeys. */
export async function journeysReport(db: Queryable, options: StatsOptions = {}): Promise<JourneysReport> {
  const rows = await journeyAndChannelTotals(db, null, options);
  return {
    journeys: rows.filter((r) => r.journey !== null && r.channel === null).map((r) => journeyRow(r, rows)),
    channels: rows.filter((r) => r.journey === null).map(channelStats),
  };
}

/** One row per journey, by name. */
export async function journeyStats(db: Queryable, options: StatsOptions = {}): Promise<JourneyStats[]> {
  return (await journeysReport(db, options)).journeys;
}

/** One journey's steps, variants and channels, its channels, and its holdout comparison. */
export async function journeyStepStats(
  db: Queryable,
  journey: string,
  options: StatsOptions = {},
): Promise<JourneyStepStats> {
  const [steps, totals] = await Promise.all([
    db.query<Row>(STEP_TOTALS, [journey, windowMs(options)]),
    journeyAndChannelTotals(db, journey, options),
  ]);
  const row = totals.find((r) => r.journey === journey && r.channel === null);
  return {
    journey,
    steps: steps.rows.map((r) => ({
      step: String(r.step),
      variant: r.variant === null ? null : String(r.variant),
      channel: r.channel as Channel,
      ...messageStats(r),
    })),
    channels: channelsOf(journey, totals),
    holdout: holdoutComparison(row ?? {}),
  };
}

async function journeyAndChannelTotals(db: Queryable, journey: string | null, options: StatsOptions): Promise<Row[]> {
  return (await db.query<Row>(JOURNEY_AND_CHANNEL_TOTALS, [journey, windowMs(options)])).rows;
}

/** A journey's row, with its channels out of `rows`. */
function journeyRow(r: Row, rows: Row[]): JourneyStats {
  const journey = String(r.journey);
  return { journey, ...messageStats(r), channels: channelsOf(journey, rows), holdout: holdoutComparison(r) };
}

function channelsOf(journey: string, rows: Row[]): ChannelStats[] {
  return rows.filter((r) => r.journey === journey && r.channel !== null).map(channelStats);
}

function windowMs(options: StatsOptions): number {
  return msToNumber(options.window ?? '7 days');
}
