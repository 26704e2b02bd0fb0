import type { JourneyEntry } from './dsl/journey-entry';
import { abandonedCartJourney } from '../journeys/abandoned-cart/journey';
import { anniversaryJourney } from '../journeys/anniversary/journey';
import { backInStockJourney } from '../journeys/back-in-stock/journey';
import { birthdayJourney } from '../journeys/birthday/journey';
import { browseAbandonmentJourney } from '../journeys/browse-abandonment/journey';
import { leadNurtureJourney } from '../journeys/lead-nurture/journey';
import { loyaltyJourney } from '../journeys/loyalty/journey';
import { postPurchaseJourney } from '../journeys/post-purchase/journey';
import { reengagementJourney } from '../journeys/re-engagement/journey';
import { welcomeJourney } from '../journeys/welcome/journey';
import { nearbyStoreJourney } from '../journeys/nearby-store/journey';

/**
 * Which event starts which journey, keyed how, re-entered when. Adding a journey: its folder in
 * src/journeys/ (journey.ts, config.ts), a line here, its export in index.ts and its section in
 * src/config/journeys.ts (test/foundation/journey-places.test.ts holds the lists together), its
 * templates in src/templates/. `npm run new:journey <name>` does all of it.
 */
export const registry: JourneyEntry[] = [
  welcomeJourney,
  abandonedCartJourney,
  postPurchaseJourney,
  loyaltyJourney,
  leadNurtureJourney,
  browseAbandonmentJourney,
  birthdayJourney,
  anniversaryJourney,
  reengagementJourney,
  backInStockJourney,
  nearbyStoreJourney,
];
