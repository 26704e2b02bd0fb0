// The one workflowsPath barrel: every workflow the worker runs is exported from here.
export { customer } from './customer';
export { product } from './product';
export { abandonedCart } from './journeys/abandoned-cart';
export { anniversary } from './journeys/anniversary';
export { backInStock } from './journeys/back-in-stock';
export { birthday } from './journeys/birthday';
export { browseAbandonment } from './journeys/browse-abandonment';
export { leadNurture } from './journeys/lead-nurture';
export { loyalty } from './journeys/loyalty';
export { postPurchase } from './journeys/post-purchase';
export { reengagement } from './journeys/reengagement';
export { welcome } from './journeys/welcome';
