// The one workflowsPath barrel: every workflow the worker runs is exported from here.
export { customer } from './customer';
export { product } from './product';
export { abandonedCart } from '../journeys/abandoned-cart/journey';
export { anniversary } from '../journeys/anniversary/journey';
export { backInStock } from '../journeys/back-in-stock/journey';
export { birthday } from '../journeys/birthday/journey';
export { browseAbandonment } from '../journeys/browse-abandonment/journey';
export { leadNurture } from '../journeys/lead-nurture/journey';
export { loyalty } from '../journeys/loyalty/journey';
export { postPurchase } from '../journeys/post-purchase/journey';
export { reengagement } from '../journeys/re-engagement/journey';
export { welcome } from '../journeys/welcome/journey';
export { nearbyStore } from '../journeys/nearby-store/journey';
