import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { common, duration, incentive, template, topic } from '../../config/journey-config';
import type { NearbyStoreRule } from '../../db/locations';

/** The nearby-store journey's configuration (journeys.nearbyStore): the brief's defaults, each overridable. */
export const nearbyStoreConfig = z
  .strictObject({
    ...common,
    ...topic('offers'),
    /** How close to a store (great-circle distance, km) a located event must be to start the journey. */
    radiusKm: z.number().positive().max(100, 'expected at most 100 km').default(1),
    /** At most one entry per this period, whichever store. */
    oncePer: duration.default('30 days'),
    /** A store closed now that opens within this is waited for; otherwise nothing is sent. */
    waitForOpening: duration.default('12 hours'),
    offer: incentive.default({ code: 'INSTORE10', percentOff: 10 }),
    templates: z.strictObject({ offer: template.default('nearby-store') }).prefault({}),
  })
  .prefault({});

/**
 * What the dispatcher's projection needs of the section: the radius while the journey is on
 * (undefined when it is off, so no Store Nearby event is derived).
 */
export function nearbyStoreRule(section: z.infer<typeof nearbyStoreConfig>): NearbyStoreRule | undefined {
  return section.enabled
    ? { radiusKm: section.radiusKm, waitForOpeningMs: msToNumber(section.waitForOpening as never) }
    : undefined;
}
