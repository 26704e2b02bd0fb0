import type { Pool } from 'pg';
import type { Transporter } from 'nodemailer';
import type { JourneysConfig } from '../config/schema';
import type { JourneyActivities } from '../shared/activities';
import { createSendEmail, type Renderer } from './email';
import type { LinkSettings } from './links';
import * as lookups from './lookups';

export interface ActivityDeps {
  pool: Pool;
  mailer: Transporter;
  /** The current time; tests pass a fixed or moving clock. */
  clock: () => Date;
  config: () => JourneysConfig;
  renderer: Renderer;
  links: LinkSettings;
}

/** Every activity the workflows call, bound to their dependencies. */
export function createActivities(deps: ActivityDeps): JourneyActivities {
  const { pool } = deps;
  return {
    loadJourneysConfig: async () => deps.config(),
    sendEmail: createSendEmail(deps),
    getCart: (customerId, cartId) => lookups.getCart(pool, customerId, cartId),
    relatedProducts: (customerId, orderId, limit) => lookups.relatedProducts(pool, customerId, orderId, limit),
    registerBackInStock: (customerId, productId) => lookups.registerBackInStock(pool, customerId, productId),
    removeBackInStock: (customerId, productId) => lookups.removeBackInStock(pool, customerId, productId),
    waitingForProduct: (productId, after, limit) => lookups.waitingForProduct(pool, productId, after, limit),
    updateGroups: (customerId, add, remove) => lookups.updateGroups(pool, customerId, add, remove),
    setMarketingConsent: (customerId, subscribed, reason) =>
      lookups.setMarketingConsent(pool, customerId, subscribed, reason),
  };
}
