import { Context } from '@temporalio/activity';
import type { JourneyActivities } from '../shared/activities';
import { tellJourneyFinished } from '../temporal/customer-workflows';
import { createSendEmail, type EmailDeps } from './email';
import { createSendSms, type SmsDeps } from './sms';
import { createCallWebhook, type WebhookDeps } from './webhook';
import { createAnnounceRestock } from './restock-announcement';
import * as lookups from '../db/lookups';
import { getStore } from '../db/stores';
import * as segments from '../db/segments';
import * as sendTime from '../db/send-time';
import { marketingChannels } from '../db/send-decision';
import * as waitingList from '../db/waiting-list';

/** What the activities need: the send activities' dependencies serve them all. */
export type ActivityDeps = Omit<EmailDeps & SmsDeps & WebhookDeps, 'afterSmtpAccepted'>;

/** Every activity the workflows call, bound to their dependencies. */
export function createActivities(deps: ActivityDeps): JourneyActivities {
  const { pool } = deps;
  return {
    loadJourneysConfig: async () => deps.config(),
    bestSendHour: (customerId, zone) => sendTime.bestSendHour(pool, customerId, zone, deps.clock()),
    recordSegments: (customerId, names) => segments.setSegments(pool, customerId, names, deps.clock()),
    sendEmail: createSendEmail(deps),
    sendSms: createSendSms(deps),
    callWebhook: createCallWebhook(deps),
    // Texts are a channel only where the shop can send them: a provider and a number to send from.
    marketingChannels: async (customerId) => {
      const open = await marketingChannels(pool, customerId, deps.config().messaging, deps.clock());
      return deps.sms && deps.config().messaging.sms.from ? open : open.filter((c) => c !== 'sms');
    },
    getCart: (customerId, cartId) => lookups.getCart(pool, customerId, cartId),
    getOrder: (customerId, orderId) => lookups.getOrder(pool, customerId, orderId),
    profileTrait: (customerId, name) => lookups.profileTrait(pool, customerId, name),
    relatedProducts: (customerId, orderId, limit) => lookups.relatedProducts(pool, customerId, orderId, limit),
    storeDetails: (storeId) => getStore(pool, storeId),
    lastEventAfter: (customerId, events, after) => lookups.lastEventAfter(pool, customerId, events, after),
    registerBackInStock: (customerId, productId) =>
      waitingList.registerBackInStock(pool, customerId, productId, deps.clock()),
    removeBackInStock: (customerId, productId) => waitingList.removeBackInStock(pool, customerId, productId),
    waitingForProduct: (productId, after, limit) => waitingList.waitingForProduct(pool, productId, after, limit),
    announceRestock: createAnnounceRestock(deps),
    updateGroups: (customerId, add, remove) => lookups.updateGroups(pool, customerId, add, remove),
    setMarketingConsent: (customerId, subscribed, reason) =>
      lookups.setMarketingConsent(pool, customerId, subscribed, reason),
    // A signal sent from the journey's last workflow task: no task of its own to wait for the signal.
    journeyFinished: (customerWorkflowId, finished) =>
      tellJourneyFinished(Context.current().client, customerWorkflowId, finished),
  };
}
