import { abandonedCartConfig } from '../journeys/abandoned-cart/config';
import { anniversaryConfig } from '../journeys/anniversary/config';
import { backInStockConfig } from '../journeys/back-in-stock/config';
import { birthdayConfig } from '../journeys/birthday/config';
import { browseAbandonmentConfig } from '../journeys/browse-abandonment/config';
import { leadNurtureConfig } from '../journeys/lead-nurture/config';
import { loyaltyConfig } from '../journeys/loyalty/config';
import { postPurchaseConfig } from '../journeys/post-purchase/config';
import { reengagementConfig } from '../journeys/re-engagement/config';
import { welcomeConfig } from '../journeys/welcome/config';
import { nearbyStoreConfig } from '../journeys/nearby-store/config';

/**
 * Each journey's configuration section (journeys.<key>), from its folder: one line per journey in
 * the registry (src/workflows/registry.ts), under the key its entry names (`config`).
 * test/foundation/journey-places.test.ts fails when the two disagree.
 */
export const journeySections = {
  welcome: welcomeConfig,
  abandonedCart: abandonedCartConfig,
  postPurchase: postPurchaseConfig,
  birthday: birthdayConfig,
  anniversary: anniversaryConfig,
  reengagement: reengagementConfig,
  leadNurture: leadNurtureConfig,
  loyalty: loyaltyConfig,
  browseAbandonment: browseAbandonmentConfig,
  backInStock: backInStockConfig,
  nearbyStore: nearbyStoreConfig,
};
