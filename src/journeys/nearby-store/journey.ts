import { msToNumber } from '@temporalio/common/lib/time';
import type { JourneyConfigs } from '../../config/schema';
import { Events, prop } from '../../shared/events';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { activities } from '../../workflows/dsl/activities';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { runJourney } from '../../workflows/dsl/run-journey';
import { hoursOn, isOpen, nextOpening } from '../../shared/opening-hours';

type Config = JourneyConfigs['nearbyStore'];

/**
 * Nearby store.
 * A customer who agreed to marketing is seen near one of the shop's stores (`Store Nearby`, which
 * the dispatcher derives from a located event within `radiusKm` of the nearest store): send them
 * the store's details and the in-store offer while the store is open, in the store's own time
 * zone. Closed now but opening within `waitForOpening` (12 hours): wait for the opening, then send.
 * (The dispatcher derives the event only for a store open soon enough; one whose hours changed
 * since, or gone from the stores: nothing.) At most once per `oncePer` (30 days), whichever store.
 */
export async function nearbyStore(input: JourneyInput<Config>): Promise<JourneyResult> {
  return runJourney(input, {}, async (j) => {
    const storeId = prop(input.trigger, 'store_id');
    const load = async () => (storeId === undefined ? null : activities.storeDetails(storeId));
    let store = await load();
    if (!store) return j.exit('store gone');
    if (!isOpen(store.openingHours, store.timezone, Date.now())) {
      const opens = nextOpening(store.openingHours, store.timezone, Date.now());
      if (!opens || opens.getTime() - Date.now() > msToNumber(j.config.waitForOpening)) return j.exit('store closed');
      await j.waitUntil(opens, 'waiting for the store to open');
      // Read again: the store may have moved its hours, or gone, while the journey waited.
      store = await load();
      if (!store) return j.exit('store gone');
      if (!isOpen(store.openingHours, store.timezone, Date.now())) return j.exit('store closed');
    }
    const { openingHours, timezone } = store;
    await j.send('offer', j.config.templates.offer, {
      data: {
        store: {
          name: store.name,
          address: store.address,
          hours: hoursOn(openingHours, timezone, Date.now()),
          latitude: store.latitude,
          longitude: store.longitude,
        },
        offer: j.config.offer,
      },
    });
  });
}

export const nearbyStoreJourney = defineJourney({
  name: 'nearby-store',
  config: 'nearbyStore',
  workflow: nearbyStore,
  startsOn: () => [Events.StoreNearby],
  when: (_event, customer) => customer.consent === 'subscribed',
  reentry: (c) => ({ cooldown: c.oncePer }),
  listensTo: () => [],
});
