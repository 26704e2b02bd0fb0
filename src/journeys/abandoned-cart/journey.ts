import type { CommonJourneyConfig, JourneyConfigs } from '../../config/schema';
import { Events, numberProp, prop, type CustomerEvent } from '../../shared/events';
import type { CartLine } from '../../shared/activities';
import type { CustomerChannel, JourneyInput, JourneyResult } from '../../shared/journey';
import { activities, channelsApply } from '../../workflows/dsl/activities';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import type { Journey } from '../../workflows/dsl/journey';
import { runJourney } from '../../workflows/dsl/run-journey';

type Config = JourneyConfigs['abandonedCart'];

/**
 * Abandoned cart, one per cart.
 * A product was added and no order followed within an hour: remind them what is in the cart.
 * Still nothing a day later: remind again, with an incentive: by text to customers who agreed to
 * texts, by email to the others.
 * Still nothing three days later: the cart is lost; tell the shop's CRM.
 * Ends the moment they order, or when they empty the cart.
 */
export async function abandonedCart(input: JourneyInput<Config>): Promise<JourneyResult> {
  const exitWhen = (j: Journey<CommonJourneyConfig>) =>
    cartIsEmpty([input.trigger, ...j.received()]) ? 'cart emptied' : undefined;
  return runJourney(input, { goal: Events.OrderCompleted, exitWhen }, async (j) => {
    const cartId = input.key!;
    const incentive = { incentive: j.config.incentive };
    await j.wait(j.config.firstReminderAfter, 'waiting for checkout');
    await remind(j, cartId, 'reminder', j.config.templates.reminder, {});

    await j.wait(j.config.secondReminderAfter, 'waiting after reminder');
    // Carts from before texts existed send the incentive by email, and end there.
    const channel = channelsApply() ? await incentiveChannel(j) : 'email';
    const items = await remind(
      j,
      cartId,
      'reminder-with-incentive',
      j.config.templates.reminderWithIncentive,
      incentive,
      channel,
    );
    // (Carts started before texts existed have no lostCartWebhook either.)
    const crm = j.config.lostCartWebhook;
    if (!channelsApply() || !crm) return;

    await j.wait(j.config.lostAfter, 'waiting after incentive');
    await j.webhook('cart-lost', { url: crm, body: { cartId, items } });
  });
}

/** By text to customers who agreed to texts, when the journey is configured so; by email otherwise. */
async function incentiveChannel(j: Journey<Config>): Promise<CustomerChannel> {
  if (!j.config.incentiveBySms) return 'email';
  return (await j.preferredChannel(['sms', 'email'])) === 'sms' ? 'sms' : 'email';
}

async function remind(
  j: Journey<Config>,
  cartId: string,
  step: string,
  template: string,
  extra: object,
  channel: CustomerChannel = 'email',
): Promise<CartLine[]> {
  const items = await activities.getCart(j.customerId, cartId);
  if (items.length === 0) j.exit('cart emptied');
  const message = { data: { cartId, items, ...extra } };
  await (channel === 'sms' ? j.sms(step, template, message) : j.send(step, template, message));
  return items;
}

/** Tracks the cart from the events forwarded to us: empty once every added unit is removed again. */
function cartIsEmpty(events: readonly CustomerEvent[]): boolean {
  const units = new Map<string, number>();
  for (const e of events) {
    const product = prop(e, 'product_id');
    if (!product) continue;
    const qty = numberProp(e, 'quantity') ?? 1;
    if (e.event === Events.ProductAdded) units.set(product, (units.get(product) ?? 0) + qty);
    if (e.event === Events.ProductRemoved) units.set(product, (units.get(product) ?? 0) - qty);
  }
  return units.size > 0 && [...units.values()].every((n) => n <= 0);
}

export const abandonedCartJourney = defineJourney({
  name: 'abandoned-cart',
  config: 'abandonedCart',
  workflow: abandonedCart,
  startsOn: () => [Events.ProductAdded],
  key: (e) => prop(e, 'cart_id'),
  reentry: () => 'once-per-key',
  listensTo: () => [Events.ProductAdded, Events.ProductRemoved, Events.OrderCompleted],
});
