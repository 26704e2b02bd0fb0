import { CancellationScope } from '@temporalio/workflow';
import type { JourneyConfigs } from '../../config/schema';
import { BACK_IN_STOCK, productDetails } from '../../shared/back-in-stock';
import { Events, prop, type CustomerEvent } from '../../shared/events';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { activities } from '../../workflows/dsl/activities';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { runJourney } from '../../workflows/dsl/run-journey';

type Config = JourneyConfigs['backInStock'];

/**
 * Back in stock, one per customer and product.
 * They asked to hear when a sold-out product is back: put them on its waiting list.
 * When it is restocked: tell them, once, with the product.
 * Not restocked within 90 days: give up quietly.
 * Either way, take them off the waiting list at the end.
 */
export async function backInStock(input: JourneyInput<Config>): Promise<JourneyResult> {
  const productId = input.key!;
  const restocked = (e: CustomerEvent): boolean =>
    e.event === Events.ProductRestocked && prop(e, 'product_id') === productId;
  return runJourney(input, {}, async (j) => {
    try {
      await activities.registerBackInStock(j.customerId, productId);
      const restock = await j.waitFor(restocked, j.config.expireAfter, 'waiting for restock');
      if (!restock) return j.exit('expired');
      // They asked for this one email: a requested notification, not marketing (as Klaviyo and
      // Braze treat it), so it skips marketing consent, quiet hours and the cap, never a hard bounce.
      await j.send('back-in-stock', j.config.templates.backInStock, {
        transactional: true,
        data: { productId, ...productDetails(restock) },
      });
    } finally {
      await CancellationScope.nonCancellable(() => activities.removeBackInStock(j.customerId, productId));
    }
  });
}

export const backInStockJourney = defineJourney({
  name: BACK_IN_STOCK,
  config: 'backInStock',
  workflow: backInStock,
  startsOn: () => [Events.BackInStockRequested],
  key: (e) => prop(e, 'product_id'),
  // A customer may ask again once told (it sold out again) or after their wish expired; a repeated
  // request while one is waiting starts nothing, as a running instance is never started twice.
  reentry: () => 'repeat',
  // Restocks come from the product workflow (src/workflows/product.ts), which signalled journeys
  // started before restocks went out in batches directly.
  listensTo: () => [],
  // Since then, a request only puts the customer on the product's waiting list; no workflow waits.
  joinAudience: (customerId, productId) => activities.registerBackInStock(customerId, productId!),
});
