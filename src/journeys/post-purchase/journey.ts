import type { Duration } from '@temporalio/common';
import type { JourneyConfigs } from '../../config/schema';
import { Events, numberProp, prop, type CustomerEvent, type EventMatch, type JsonObject } from '../../shared/events';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { activities, channelsApply, olderPatch } from '../../workflows/dsl/activities';
import { after } from '../../workflows/dsl/after';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { runJourney } from '../../workflows/dsl/run-journey';

type Config = JourneyConfigs['postPurchase'];

/**
 * Post-purchase, one per order.
 * At once: confirm the order (transactional: what they bought, the total, the currency), by
 * email, and by text when the shop turns it on.
 * 3 days after the order: suggest related products; no suggestions, no email.
 * 14 days after the order: ask for a review; on their first purchase, ask how we did (survey) instead.
 * Ends early if this order is cancelled or refunded: no upsell on it, no review of it.
 */
export async function postPurchase(input: JourneyInput<Config>): Promise<JourneyResult> {
  const orderId = input.key!;
  return runJourney(input, { exitOn: [takenBack(orderId)] }, async (j) => {
    const orderedAt = Date.now();
    const afterOrder = (d: Duration) => after(orderedAt, d);
    // The order as PostgreSQL recorded it: a line the event did not name takes the catalogue's name,
    // so the confirmation never fails on what the backend left out. (Older runs used the event.)
    const order = olderPatch('order-from-database')
      ? ((await activities.getOrder(j.customerId, orderId)) ?? orderDetails(input.trigger, orderId))
      : orderDetails(input.trigger, orderId);
    await j.send('confirmation', j.config.templates.confirmation, { transactional: true, data: { order } });
    // By text too, where the shop turns it on: transactional, so it goes after a STOP as well.
    const text = j.config.templates.confirmationText;
    if (text && channelsApply()) await j.sms('confirmation-text', text, { transactional: true, data: { order } });

    await j.waitUntil(afterOrder(j.config.crossSellAfter), 'waiting to cross-sell');
    const products = await activities.relatedProducts(j.customerId, orderId, j.config.crossSellCount);
    if (products.length > 0) await j.send('cross-sell', j.config.templates.crossSell, { data: { orderId, products } });

    await j.waitUntil(afterOrder(j.config.feedbackAfter), 'waiting to ask for feedback');
    if (input.customer.orders === 1) await j.send('survey', j.config.templates.survey, { data: { orderId } });
    else await j.send('feedback', j.config.templates.feedback, { data: { orderId, products: order.products } });
  });
}

/** The order from Segment's `Order Completed` properties, lines without a name left out. */
function orderDetails(trigger: CustomerEvent, orderId: string) {
  const products = Array.isArray(trigger.properties?.products) ? (trigger.properties.products as JsonObject[]) : [];
  return {
    orderId,
    products: products.filter((p) => typeof p?.name === 'string' && p.name !== ''),
    // What the customer paid: `total` includes shipping and tax; `revenue` is the fallback.
    total: numberProp(trigger, 'total') ?? numberProp(trigger, 'revenue'),
    currency: prop(trigger, 'currency') ?? 'USD', // Segment: revenue without a currency is USD
  };
}

/** This order (not another one) was cancelled or refunded. */
function takenBack(orderId: string): EventMatch {
  return (e) =>
    (e.event === Events.OrderCancelled || e.event === Events.OrderRefunded) && prop(e, 'order_id') === orderId;
}

export const postPurchaseJourney = defineJourney({
  name: 'post-purchase',
  config: 'postPurchase',
  workflow: postPurchase,
  startsOn: () => [Events.OrderCompleted],
  key: (e) => prop(e, 'order_id'),
  reentry: () => 'once-per-key',
  listensTo: () => [Events.OrderCancelled, Events.OrderRefunded],
});
