import { customerStateQuery, eventSignal, journeyStateQuery, journeyWorkflowId } from '../../src/shared/signals';
import {
  endCustomer,
  identify,
  startCustomer as startCustomerOn,
  testConfig,
  track,
  useJourneySuite,
} from '../helpers/journeys';
import type { CustomerEvent } from '../../src/shared/events';
import { eventually } from '../helpers/eventually';
import { recordHistory } from '../helpers/histories';

const DAY = 24 * 3600_000;

describe('customer workflow', () => {
  // A small history limit, so continue-as-new happens within a few hundred events. The events here
  // carry the real time while time skipping moves the workflows' clock months ahead, so every event
  // counts as fresh (fresh-and-local.test.ts tests the window itself).
  const { env, stub, taskQueue } = useJourneySuite(
    require.resolve('../../src/workflows'),
    testConfig({ customer: { historyLimit: 200, freshnessWindow: '36500 days' } }),
  );

  const startCustomer = (customerId: string, first: CustomerEvent) =>
    startCustomerOn(env(), taskQueue(), customerId, first);

  const settle = () => env().sleep('1 second');

  it('processes each messageId once and keeps profile, consent and activity', async () => {
    const signup = track('Signed Up', {}, 'c-dedupe');
    const handle = await startCustomer('c-dedupe', signup);
    await handle.signal(eventSignal, signup); // a client retry: same messageId
    await handle.signal(
      eventSignal,
      identify({ timezone: 'Europe/Berlin', locale: 'de', birthday: '1990-05-17' }, 'c-dedupe'),
    );
    await handle.signal(eventSignal, track('Email Confirmed', {}, 'c-dedupe'));
    // Signals are taken in order: once the third is processed, all are (on a busy machine, later).
    const state = await eventually(async () => {
      const s = await handle.query(customerStateQuery);
      return s.eventsProcessed >= 3 ? s : undefined;
    }, 'three events processed');
    expect(state).toMatchObject({
      customerId: 'c-dedupe',
      eventsProcessed: 3,
      consent: 'subscribed',
      stage: 'prospect',
      profile: { timezone: 'Europe/Berlin', locale: 'de', birthday: '1990-05-17' },
    });
    expect(state.signedUpAt).toBeDefined();
    await handle.signal(eventSignal, identify({ timezone: 'Mars/Olympus_Mons' }, 'c-dedupe'));
    await handle.signal(eventSignal, track('Unsubscribed', {}, 'c-dedupe'));
    const later = await eventually(async () => {
      const s = await handle.query(customerStateQuery);
      return s.eventsProcessed >= 5 ? s : undefined;
    }, 'five events processed');
    expect(later.consent).toBe('unsubscribed');
    expect(later.profile.timezone).toBe('Europe/Berlin'); // an unknown zone is ignored
    await endCustomer(env(), handle);
  });

  it('learns of a re-engagement sunset: its consent becomes unsubscribed', async () => {
    const handle = await startCustomer('c-sunset', track('Signed Up', {}, 'c-sunset'));
    await handle.signal(eventSignal, track('Email Confirmed', {}, 'c-sunset'));
    await eventually(async () => (await handle.query(customerStateQuery)).consent === 'subscribed', 'the confirmation');
    // 150 silent days pass (time skipping): check-in, win-back, sunset.
    const journey = env().client.workflow.getHandle(journeyWorkflowId('re-engagement', 'c-sunset'));
    const result = await journey.result();
    expect(result.outcome).toBe('completed');
    await recordHistory(journey, 're-engagement-sunset-tells-customer');
    // The journey signals the sunset before it signals its end: once its end is in, so is the sunset.
    const state = await eventually(async () => {
      const s = await handle.query(customerStateQuery);
      return journeyWorkflowId('re-engagement', 'c-sunset') in s.running ? undefined : s;
    }, 'the customer to hear the journey ended');
    expect(state.consent).toBe('unsubscribed');
    await endCustomer(env(), handle);
  });

  it('moves through lifecycle stages on orders and on silence', async () => {
    const order = (n: number, revenue: number) => track('Order Completed', { order_id: `o-${n}`, revenue }, 'c-stages');
    const handle = await startCustomer('c-stages', track('Signed Up', {}, 'c-stages'));
    await settle();
    expect((await handle.query(customerStateQuery)).stage).toBe('prospect');
    await handle.signal(eventSignal, order(1, 40));
    await settle();
    expect((await handle.query(customerStateQuery)).stage).toBe('new-customer');
    await handle.signal(eventSignal, order(2, 60));
    await settle();
    expect(await handle.query(customerStateQuery)).toMatchObject({ stage: 'repeat', orders: 2, totalSpent: 100 });

    // No activity for 60 days: at risk; for 180 days: lapsed. The workflow wakes up by itself.
    await env().sleep(61 * DAY);
    expect((await handle.query(customerStateQuery)).stage).toBe('at-risk');
    await env().sleep(120 * DAY);
    expect((await handle.query(customerStateQuery)).stage).toBe('lapsed');
    await handle.signal(eventSignal, order(3, 2000)); // back, and big spender: loyal
    await settle();
    expect((await handle.query(customerStateQuery)).stage).toBe('loyal');
    const described = await handle.describe();
    expect(described.searchAttributes.LifecycleStage).toEqual(['loyal']);
    expect(described.searchAttributes.CustomerId).toEqual(['c-stages']);
    await endCustomer(env(), handle);
  });

  it('starts a journey as a child, forwards its events, and forgets it when it finishes', async () => {
    stub.carts['cart-7'] = [{ productId: 'p-1', name: 'Mug', quantity: 1, price: 9 }];
    const handle = await startCustomer(
      'c-route',
      track('Product Added', { cart_id: 'cart-7', product_id: 'p-1' }, 'c-route'),
    );
    await settle();
    const journeyId = journeyWorkflowId('abandoned-cart', 'c-route', 'cart-7');
    expect(Object.keys((await handle.query(customerStateQuery)).running)).toEqual([journeyId]);

    // A second item in the same cart is forwarded to the running journey, not a second journey.
    await handle.signal(eventSignal, track('Product Added', { cart_id: 'cart-7', product_id: 'p-2' }, 'c-route'));
    await settle();
    const journey = env().client.workflow.getHandle(journeyId);
    const described = await journey.describe();
    expect(described.searchAttributes).toMatchObject({ Journey: ['abandoned-cart'], CustomerId: ['c-route'] });
    expect(Object.keys((await handle.query(customerStateQuery)).running)).toEqual([journeyId]);

    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-9', cart_id: 'cart-7' }, 'c-route'));
    expect(await journey.result()).toMatchObject({ outcome: 'converted' });
    await settle();
    // The order ended the cart journey and started the order's post-purchase journey.
    const afterOrder = Object.keys((await handle.query(customerStateQuery)).running);
    expect(afterOrder).toContain(journeyWorkflowId('post-purchase', 'c-route', 'o-9'));
    expect(afterOrder.filter((id) => id.includes('abandoned-cart'))).toEqual([]);
    expect(stub.emailsTo('c-route').map((e) => e.journey)).not.toContain('abandoned-cart');

    // The same cart never starts the journey again; a new cart does.
    await handle.signal(eventSignal, track('Product Added', { cart_id: 'cart-7', product_id: 'p-3' }, 'c-route'));
    await handle.signal(eventSignal, track('Product Added', { cart_id: 'cart-8', product_id: 'p-3' }, 'c-route'));
    await settle();
    const running = Object.keys((await handle.query(customerStateQuery)).running);
    expect(running.filter((id) => id.includes('abandoned-cart'))).toEqual([
      journeyWorkflowId('abandoned-cart', 'c-route', 'cart-8'),
    ]);
    const second = env().client.workflow.getHandle(journeyWorkflowId('abandoned-cart', 'c-route', 'cart-8'));
    expect((await second.query(journeyStateQuery)).running).toBe(true);
    await second.terminate();
    await recordHistory(handle, 'customer');
    await endCustomer(env(), handle);
  });

  it('keeps its state and running journeys across continue-as-new', async () => {
    const handle = await startCustomer(
      'c-can',
      track('Product Added', { cart_id: 'cart-1', product_id: 'p-1' }, 'c-can'),
    );
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 300; i++) await handle.signal(eventSignal, track('Page Viewed', { i }, 'c-can'));
    await settle();
    const state = await handle.query(customerStateQuery);
    expect((await handle.describe()).runId).not.toBe(firstRun);
    expect(state.eventsProcessed).toBe(301);
    expect(Object.keys(state.running)).toEqual([journeyWorkflowId('abandoned-cart', 'c-can', 'cart-1')]);
    // The journey started by the first run still hears this customer's events.
    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-1' }, 'c-can'));
    expect(
      await env()
        .client.workflow.getHandle(journeyWorkflowId('abandoned-cart', 'c-can', 'cart-1'))
        .result(),
    ).toMatchObject({
      outcome: 'converted',
    });
    await endCustomer(env(), handle);
  }, 120_000);
});
