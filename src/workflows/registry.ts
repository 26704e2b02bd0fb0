import type { JourneyEntry } from './dsl/journey-entry';
import { abandonedCartJourney } from './journeys/abandoned-cart';
import { anniversaryJourney } from './journeys/anniversary';
import { backInStockJourney } from './journeys/back-in-stock';
import { birthdayJourney } from './journeys/birthday';
import { browseAbandonmentJourney } from './journeys/browse-abandonment';
import { leadNurtureJourney } from './journeys/lead-nurture';
import { loyaltyJourney } from './journeys/loyalty';
import { postPurchaseJourney } from './journeys/post-purchase';
import { reengagementJourney } from './journeys/reengagement';
import { welcomeJourney } from './journeys/welcome';

/**
 * Which event starts which journey, keyed how, re-entered when. Adding a journey: one file in
 * journeys/, one line here, its export in index.ts, its templates and its config keys
 * (src/config/schema.ts).
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
];
