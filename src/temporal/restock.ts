import type { Client } from '@temporalio/client';
import { Events, type CustomerEvent } from '../shared/events';
import { productEventSignal, productWorkflowId } from '../shared/signals';
import { TASK_QUEUE } from '../config/task-queue';
import type { product } from '../workflows/product';

export interface Restock {
  id: string;
  name: string;
  price?: number;
  url?: string;
  imageUrl?: string;
  /** When the product was last marked sold out: makes the messageId the same on a retried call. */
  soldOutSince: string;
}

/**
 * Tells the product's workflow (`product-<id>`) it is back in stock; it tells every customer
 * waiting for it. Signal-with-start, so the workflow runs only while there is someone to tell.
 */
export async function announceRestock(client: Client, restock: Restock, timeoutMs = 10_000): Promise<void> {
  const event: CustomerEvent = {
    messageId: `restock-${restock.id}-${restock.soldOutSince}`,
    type: 'track',
    event: Events.ProductRestocked,
    userId: 'catalogue',
    timestamp: new Date().toISOString(),
    properties: {
      product_id: restock.id,
      name: restock.name,
      ...(restock.price === undefined ? {} : { price: restock.price }),
      ...(restock.url === undefined ? {} : { url: restock.url }),
      ...(restock.imageUrl === undefined ? {} : { image_url: restock.imageUrl }),
    },
  };
  await client.connection.withDeadline(Date.now() + timeoutMs, () =>
    client.workflow.signalWithStart<typeof product, [CustomerEvent]>('product', {
      workflowId: productWorkflowId(restock.id),
      taskQueue: TASK_QUEUE,
      args: [{ productId: restock.id }],
      signal: productEventSignal,
      signalArgs: [event],
      staticSummary: `Restock of product ${restock.id}`,
    }),
  );
}
