import type { JourneysConfig } from '../config/schema';
import type { RestockPage, RestockPageResult } from './back-in-stock';
import type { Store } from './store';
import type {
  CustomerChannel,
  JourneyFinished,
  SendOutcome,
  SendRequest,
  WebhookOutcome,
  WebhookRequest,
} from './journey';

export interface CartLine {
  productId: string;
  name: string;
  quantity: number;
  /** Absent when neither the cart event nor the catalogue says. */
  price?: number;
  /** ISO 4217, from the catalogue; absent for a product it does not know (the default currency). */
  currency?: string;
  url?: string;
  imageUrl?: string;
}

/** An order as the confirmation shows it: lines named by the event or the catalogue. */
export interface OrderSummary {
  orderId: string;
  products: OrderLine[];
  /** What the customer paid: `total`, else `revenue`; absent when the backend sent neither. */
  total?: number;
  currency: string;
}

export interface OrderLine {
  productId: string;
  name: string;
  quantity: number;
  price?: number;
  url?: string;
  imageUrl?: string;
}

export interface ProductCard {
  productId: string;
  name: string;
  price: number;
  currency?: string;
  url?: string;
  imageUrl?: string;
}

/**
 * The side effects workflows may ask for. Implemented in src/activities by a factory over the
 * pool, mailer and clock; workflows see only these signatures.
 */
export interface JourneyActivities {
  loadJourneysConfig(): Promise<JourneysConfig>;
  /** The local hour (0-23 in `zone`) the customer most often opens or clicks our email; null when too few did. */
  bestSendHour(customerId: string, zone: string): Promise<number | null>;
  /** Makes `segments` the customer's memberships in PostgreSQL (GET /v1/segments/:name/customers reads them). */
  recordSegments(customerId: string, segments: string[]): Promise<void>;
  sendEmail(request: SendRequest): Promise<SendOutcome>;
  sendSms(request: SendRequest): Promise<SendOutcome>;
  callWebhook(request: WebhookRequest): Promise<WebhookOutcome>;
  /** The channels the customer may get marketing on now (an address, consent, not suppressed). */
  marketingChannels(customerId: string): Promise<CustomerChannel[]>;
  getCart(customerId: string, cartId: string): Promise<CartLine[]>;
  /** The customer's order as recorded; null when there is no such order. */
  getOrder(customerId: string, orderId: string): Promise<OrderSummary | null>;
  /** One of the customer's free-form identify traits, as text; null when unset. */
  profileTrait(customerId: string, name: string): Promise<string | null>;
  relatedProducts(customerId: string, orderId: string, limit: number): Promise<ProductCard[]>;
  /** One of the shop's stores (POST /v1/stores); null when there is no such store (any more). */
  storeDetails(storeId: string): Promise<Store | null>;
  /** When the customer last did one of `events` after `after` (ISO 8601), as recorded; null if not since. */
  lastEventAfter(customerId: string, events: string[], after: string): Promise<string | null>;
  registerBackInStock(customerId: string, productId: string): Promise<void>;
  removeBackInStock(customerId: string, productId: string): Promise<void>;
  /** Customers waiting for a product, in id order after `afterCustomerId`: one page. */
  waitingForProduct(productId: string, afterCustomerId: string | null, limit: number): Promise<string[]>;
  /** Sends one page of a product's waiting list its back-in-stock email, and takes it off the list. */
  announceRestock(page: RestockPage): Promise<RestockPageResult>;
  updateGroups(customerId: string, add: string[], remove: string[]): Promise<void>;
  setMarketingConsent(customerId: string, subscribed: boolean, reason: string): Promise<void>;
  /** Signals the customer workflow that a journey has finished (through the worker's client). */
  journeyFinished(customerWorkflowId: string, finished: JourneyFinished): Promise<void>;
}
