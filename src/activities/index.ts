import type { JourneyActivities } from '../shared/activities';
import { createSendEmail, type EmailDeps } from './email';
import * as lookups from './lookups';

/** What the activities need: the send activity's dependencies serve them all. */
export type ActivityDeps = Omit<EmailDeps, 'afterSmtpAccepted'>;

/** Every activity the workflows call, bound to their dependencies. */
export function createActivities(deps: ActivityDeps): JourneyActivities {
  const { pool } = deps;
  return {
    loadJourneysConfig: async () => deps.config(),
    sendEmail: createSendEmail(deps),
    getCart: (customerId, cartId) => lookups.getCart(pool, customerId, cartId),
    getOrder: (customerId, orderId) => lookups.getOrder(pool, customerId, orderId),
    profileTrait: (customerId, name) => lookups.profileTrait(pool, customerId, name),
    relatedProducts: (customerId, orderId, limit) => lookups.relatedProducts(pool, customerId, orderId, limit),
    registerBackInStock: (customerId, productId) => lookups.registerBackInStock(pool, customerId, productId),
    removeBackInStock: (customerId, productId) => lookups.removeBackInStock(pool, customerId, productId),
    waitingForProduct: (productId, after, limit) => lookups.waitingForProduct(pool, productId, after, limit),
    updateGroups: (customerId, add, remove) => lookups.updateGroups(pool, customerId, add, remove),
    setMarketingConsent: (customerId, subscribed, reason) =>
      lookups.setMarketingConsent(pool, customerId, subscribed, reason),
  };
}
