import { Events } from '../../src/shared/events';
import type { Call } from './api-client';
import { CURRENCY, productProperties, SOLD_OUT, type Product } from './catalogue';
import type { DemoCustomer } from './customers';
import type { Random } from './random';

// What the customers do, as a timeline of Segment calls and actions, in seconds from the start.

export type Step =
  | { at: number; call: Call }
  /** They click the link in their double opt-in email. */
  | { at: number; confirm: DemoCustomer }
  /** The shop gets sold-out products back. */
  | { at: number; restock: Product[] }
  /** They open the journey's latest email and click through to the shop (then order). */
  | { at: number; clickThrough: DemoCustomer; journey: string };

export interface PlanOptions {
  /** The event that starts lead nurture (the configuration's leadNurture.trigger). */
  leadEvent: string;
  /** Whether to restock the sold-out products (the back-in-stock journey is on). */
  restock: boolean;
}

/** Customers arrive over this many seconds; what they do takes up to ~30 s more. */
const ARRIVALS = 25;

export function plan(rng: Random, customers: DemoCustomer[], products: Product[], options: PlanOptions): Step[] {
  const steps: Step[] = [];
  const waitedFor = new Map<string, Product>();
  let lastRequest = 0;
  for (const customer of customers) {
    const { steps: own, waitsFor } = customerTimeline(rng.fork(customer.id), customer, products, options);
    steps.push(...own);
    for (const [at, product] of waitsFor) {
      waitedFor.set(product.id, product);
      lastRequest = Math.max(lastRequest, at);
    }
  }
  if (options.restock && waitedFor.size > 0) {
    // A few seconds after the last request, so every journey is on its product's waiting list.
    steps.push({ at: Math.max(lastRequest + 5, ARRIVALS + 10), restock: [...waitedFor.values()] });
  }
  return steps.sort((a, b) => a.at - b.at); // stable: one customer's calls keep their order
}

function customerTimeline(rng: Random, c: DemoCustomer, products: Product[], options: PlanOptions) {
  const steps: Step[] = [];
  const waitsFor: [number, Product][] = [];
  const inStock = products.filter((p) => p.inStock);
  let t = rng.between(0, ARRIVALS);
  let events = 0;
  let carts = 0;
  let orders = 0;
  // Message ids come from the customer id, so from the seed: a re-run is recognised and dropped.
  const messageId = (): string => `${c.id}-e${++events}`;
  // Cart and order ids too ("demo-1-007" has carts cart-1-007-1..., orders ord-1-007-1...).
  const own = c.id.replace(/^demo-/, '');
  const later = (min: number, max: number): number => (t += rng.between(min, max));
  const track = (event: string, properties: Record<string, unknown> = {}): void => {
    steps.push({ at: t, call: { type: 'track', userId: c.id, event, properties, messageId: messageId() } });
  };
  const view = (p: Product): void => track(Events.ProductViewed, productProperties(p));
  const browse = (from: Product[], n: number): Product[] => {
    const seen = rng.sample(from, n);
    for (const p of seen) {
      view(p);
      later(1, 3);
    }
    return seen;
  };
  const fillCart = (products: Product[]): Cart => {
    const cart: Cart = { id: `cart-${own}-${++carts}`, items: [] };
    for (const product of products) {
      const quantity = product.price < 40 ? rng.int(1, 2) : 1;
      track(Events.ProductAdded, { cart_id: cart.id, ...productProperties(product, quantity) });
      cart.items.push({ product, quantity });
      later(1, 2);
    }
    return cart;
  };
  const order = (cart: Cart): void => {
    const cartId = cart.id;
    const lines = cart.items.map((i) => productProperties(i.product, i.quantity));
    const revenue = round(cart.items.reduce((sum, i) => sum + i.product.price * i.quantity, 0));
    const shipping = revenue < 50 ? 4.9 : 0;
    const orderId = `ord-${own}-${++orders}`;
    track(Events.CheckoutStarted, { cart_id: cartId, value: revenue, currency: CURRENCY, products: lines });
    later(2, 4);
    track(Events.OrderCompleted, {
      order_id: orderId,
      cart_id: cartId,
      revenue,
      shipping,
      tax: round((revenue * 0.19) / 1.19), // prices include VAT
      total: round(revenue + shipping),
      currency: CURRENCY,
      products: lines,
    });
    if (rng.chance(0.1)) {
      later(4, 8);
      track(Events.OrderCancelled, { order_id: orderId, reason: 'changed my mind' });
    }
  };
  const buy = (category?: string): void => {
    const shelf = category ? inStock.filter((p) => p.category === category) : inStock;
    const seen = browse(shelf, rng.int(1, 3));
    const cart = fillCart(seen.slice(0, rng.int(1, seen.length)));
    later(2, 4);
    order(cart);
  };

  const traits: Record<string, unknown> = {
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    locale: c.locale,
    timezone: c.timezone,
    ...(c.birthday ? { birthday: c.birthday } : {}),
    ...(c.phone ? { phone: c.phone, sms_opt_in: c.smsOptIn } : {}),
    // The shop's own referral code, which the loyalty journey's email shares.
    referral_code: `${c.firstName.toUpperCase()}-${c.id.slice(-3)}`,
  };
  steps.push({ at: t, call: { type: 'identify', userId: c.id, traits, messageId: messageId() } });
  if (c.persona === 'lead') {
    track(options.leadEvent, { source: 'content', form: 'trail-running-guide' });
  } else {
    track(Events.SignedUp, { method: 'email', source: rng.pick(['footer', 'checkout', 'popup']) });
    if (c.confirms) steps.push({ at: t + rng.between(3, 8), confirm: c });
  }
  later(2, 5);

  const categories = [...new Set(inStock.map((p) => p.category))];
  switch (c.persona) {
    case 'buyer':
      buy(rng.pick(categories));
      if (rng.chance(0.35)) {
        later(6, 10); // back for more: a repeat customer, and with enough spent, a loyal one
        buy();
      }
      break;
    case 'cart-abandoner': {
      const cart = fillCart(browse(inStock, rng.int(1, 2)));
      if (rng.chance(0.4)) {
        // The first reminder (at 20 s) brings them back, and they order: more than 10 s after it went
        // out, or the click would be taken for a mail scanner's (src/tracking/machine-engagement.ts).
        later(32, 38);
        steps.push({ at: t, clickThrough: c, journey: 'abandoned-cart' });
        later(2, 4);
        order(cart);
      }
      break;
    }
    case 'browser':
      browse(inStock, rng.int(1, 3));
      break;
    case 'lead':
      if (rng.chance(0.4)) {
        later(28, 33); // converted by the nurture emails: the first (at 15 s), read after a scanner's 10 s
        steps.push({ at: t, clickThrough: c, journey: 'lead-nurture' });
        later(2, 4);
        buy();
      }
      break;
    case 'waiter': {
      const wanted = products.find((p) => p.id === rng.pick(SOLD_OUT));
      if (!wanted) break;
      view(wanted);
      later(1, 3);
      track(Events.BackInStockRequested, productProperties(wanted));
      waitsFor.push([t, wanted]);
      break;
    }
    case 'cart-emptier': {
      const cart = fillCart(browse(inStock, 2));
      later(3, 6);
      for (const { product, quantity } of cart.items) {
        track(Events.ProductRemoved, { cart_id: cart.id, ...productProperties(product, quantity) });
        later(1, 2);
      }
      break;
    }
    case 'newsletter':
      break;
  }
  return { steps, waitsFor };
}

interface Cart {
  id: string;
  items: { product: Product; quantity: number }[];
}

function round(amount: number): number {
  return Math.round(amount * 100) / 100;
}
