import { customerStateQuery, eventSignal, journeyStateQuery, journeyWorkflowId } from '../../src/shared/signals';
import {
  customerStateWhen,
  endJourneysOf,
  eventsProcessed,
  identify,
  startCustomer as startCustomerOn,
  testConfig,
  track,
  useJourneySuite,
} from '../helpers/journeys';
import type { CustomerEvent } from '../../src/shared/events';
import { eventually } from '../helpers/eventually';
import { recordHistory } from '../helpers/histories';

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
    await endJourneysOf(env(), handle);
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
    await endJourneysOf(env(), handle);
  });

  it('forwards re-engagement no sign of life: an open or an order costs that journey nothing', async () => {
    const handle = await startCustomer('c-quiet', track('Signed Up', {}, 'c-quiet'));
    const journey = env().client.workflow.getHandle(journeyWorkflowId('re-engagement', 'c-quiet'));
    await eventually(() => journey.query(journeyStateQuery).catch(() => undefined), 're-engagement to run');
    await handle.signal(eventSignal, track('Email Opened', { email_id: '1' }, 'c-quiet'));
    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-quiet', total: 5 }, 'c-quiet'));
    await eventsProcessed(handle, 3);
    // It looks them up when its wait ends (re-engagement's own tests): nothing woke it meanwhile.
    const { events } = await journey.fetchHistory();
    expect(events!.filter((e) => e.workflowExecutionSignaledEventAttributes)).toEqual([]);
    expect(await journey.query(journeyStateQuery)).toMatchObject({ step: 'silence', running: true });
    await endJourneysOf(env(), handle);
  });

  it('starts a journey as a child, forwards its events, and forgets it when it finishes', async () => {
    stub.carts['cart-7'] = [{ productId: 'p-1', name: 'Mug', quantity: 1, price: 9 }];
    const handle = await startCustomer(
      'c-route',
      track('Product Added', { cart_id: 'cart-7', product_id: 'p-1' }, 'c-route'),
    );
    const journeyId = journeyWorkflowId('abandoned-cart', 'c-route', 'cart-7');
    const journey = env().client.workflow.getHandle(journeyId);
    // Listed before it is started: once it answers, it runs.
    await eventually(() => journey.query(journeyStateQuery).catch(() => undefined), 'the cart journey to run');
    expect(Object.keys((await eventsProcessed(handle, 1)).running)).toEqual([journeyId]);

    // A second item in the same cart is forwarded to the running journey, not a second journey.
    await handle.signal(eventSignal, track('Product Added', { cart_id: 'cart-7', product_id: 'p-2' }, 'c-route'));
    const afterSecondItem = await eventsProcessed(handle, 2);
    const described = await journey.describe();
    expect(described.searchAttributes).toMatchObject({ Journey: ['abandoned-cart'], CustomerId: ['c-route'] });
    expect(Object.keys(afterSecondItem.running)).toEqual([journeyId]);

    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-9', cart_id: 'cart-7' }, 'c-route'));
    expect(await journey.result()).toMatchObject({ outcome: 'converted' });
    // The order ended the cart journey (which told the customer) and started the order's post-purchase journey.
    const afterOrder = await customerStateWhen(
      handle,
      'the customer to hear the cart journey ended',
      (s) => !(journeyId in s.running),
    );
    expect(Object.keys(afterOrder.running)).toContain(journeyWorkflowId('post-purchase', 'c-route', 'o-9'));
    // Started by today's code, it recorded one patch marker (the newest, which implies the others)
    // and told the customer from its last workflow task (a local activity), not by a signal it had
    // to wait for.
    const events = (await journey.fetchHistory()).events!;
    expect(events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toHaveLength(1);
    const [told, completed] = events.slice(-2);
    expect(told.markerRecordedEventAttributes?.markerName).toBe('core_local_activity');
    expect(completed.workflowExecutionCompletedEventAttributes).toBeTruthy();
    expect(stub.emailsTo('c-route').map((e) => e.journey)).not.toContain('abandoned-cart');

    // The same cart never starts the journey again; a new cart does.
    await handle.signal(eventSignal, track('Product Added', { cart_id: 'cart-7', product_id: 'p-3' }, 'c-route'));
    await handle.signal(eventSignal, track('Product Added', { cart_id: 'cart-8', product_id: 'p-3' }, 'c-route'));
    const second = env().client.workflow.getHandle(journeyWorkflowId('abandoned-cart', 'c-route', 'cart-8'));
    await eventually(() => second.query(journeyStateQuery).catch(() => undefined), 'the new cart`s journey to run');
    // The cart-7 event was taken before the cart-8 one, so a journey it started would be listed by now.
    const running = Object.keys((await handle.query(customerStateQuery)).running);
    expect(running.filter((id) => id.includes('abandoned-cart'))).toEqual([
      journeyWorkflowId('abandoned-cart', 'c-route', 'cart-8'),
    ]);
    expect((await second.query(journeyStateQuery)).running).toBe(true);
    await second.terminate();
    await recordHistory(handle, 'customer');
    await endJourneysOf(env(), handle);
  });

  it('keeps its state and running journeys across continue-as-new', async () => {
    const handle = await startCustomer(
      'c-can',
      track('Product Added', { cart_id: 'cart-1', product_id: 'p-1' }, 'c-can'),
    );
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 300; i++) await handle.signal(eventSignal, track('Page Viewed', { i }, 'c-can'));
    const state = await eventsProcessed(handle, 301);
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
    await endJourneysOf(env(), handle);
  });
});
