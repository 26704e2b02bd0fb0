import { prop, type CustomerEvent, type JsonObject } from './events';

// The back-in-stock message, the same whether a journey sends it (customers who asked before
// restocks went out in batches) or a restock announcement does.

/** Its journey's name (statistics, the Journey search attribute) and its one step. */
export const BACK_IN_STOCK = 'back-in-stock';

/** Name, link and picture, as the restock event describes the product (Segment's product properties). */
export function productDetails(restock: CustomerEvent): JsonObject {
  const details: JsonObject = {};
  const fields = { name: 'name', url: 'url', imageUrl: 'image_url' } as const;
  for (const [field, property] of Object.entries(fields)) {
    const value = prop(restock, property);
    if (value !== undefined) details[field] = value;
  }
  return details;
}

/** One outbox key per restock and customer: a page sent again finds each customer's message. */
export const restockMessageKey = (productId: string, restock: CustomerEvent, customerId: string): string =>
  ['restock', productId, restock.messageId, customerId].map(encodeURIComponent).join('/');

/** A page of a restock announcement (the activity that sends it, src/activities/restock-announcement.ts). */
export interface RestockPage {
  productId: string;
  restock: CustomerEvent;
  /** The last customer (in id order) an earlier page reached; null for the first page. */
  after: string | null;
}

export interface RestockPageResult {
  /** Customers on this page: fewer than a full page means the list is done. */
  customers: number;
  /** The last of them, where the next page starts. */
  last: string | null;
  sent: number;
}
