import { abandonedCart } from '../../src/journeys/abandoned-cart/journey';
import { eventSignal, journeyStateQuery } from '../../src/shared/signals';
import { journeyInput, testConfig, track, useJourneySuite } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';

const HOUR = 3600_000;

describe('abandoned cart journey', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/journeys/abandoned-cart/journey'));
  beforeEach(() => {
    stub.carts['cart-1'] = [{ productId: 'p-1', name: 'Trail shoes', quantity: 1, price: 120 }];
  });

  const CRM = 'https://crm.example/hooks/lost-cart';
  const start = async (customerId: string, config = testConfig()) => {
    const trigger = track('Product Added', { cart_id: 'cart-1', product_id: 'p-1', quantity: 1 }, customerId);
    const input = journeyInput('abandoned-cart', 'abandonedCart', { trigger, key: 'cart-1', config });
    const startedAt = await env().currentTimeMs();
    const handle = await env().client.workflow.start(abandonedCart, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-abandoned-cart-${customerId}-cart-1`,
    });
    return { handle, startedAt };
  };

  it('reminds after 1 hour with the cart, then after 24 more hours with an incentive', async () => {
    const { handle, startedAt } = await start('cart-a');
    const result = await handle.result();

    expect(result.outcome).toBe('completed');
    const emails = stub.emailsTo('cart-a');
    expect(emails.map((e) => [e.step, e.template])).toEqual([
      ['reminder', 'cart-reminder'],
      ['reminder-with-incentive', 'cart-reminder-incentive'],
    ]);
    expect(emails[0].at.getTime() - startedAt).toBeGreaterThanOrEqual(HOUR);
    expect(emails[0].at.getTime() - startedAt).toBeLessThan(2 * HOUR);
    expect(emails[1].at.getTime() - emails[0].at.getTime()).toBeGreaterThanOrEqual(24 * HOUR);
    expect(emails[0].data.items).toEqual([{ productId: 'p-1', name: 'Trail shoes', quantity: 1, price: 120 }]);
    expect(emails[1].data.incentive).toEqual({ code: 'COMEBACK10', percentOff: 10 });
    expect(emails.every((e) => !e.transactional)).toBe(true);
  });

  it('texts the incentive to a customer who agreed to texts, and tells the CRM when the cart is lost 3 days later', async () => {
    stub.channels['cart-sms'] = ['sms', 'email'];
    const config = testConfig({ journeys: { abandonedCart: { lostCartWebhook: CRM } } });
    const { handle } = await start('cart-sms', config);
    expect((await handle.result()).outcome).toBe('completed');
    await recordHistory(handle, 'abandoned-cart');

    const [reminder, incentive] = stub.emailsTo('cart-sms');
    expect([reminder.step, reminder.channel ?? 'email']).toEqual(['reminder', 'email']);
    expect(incentive).toMatchObject({
      step: 'reminder-with-incentive',
      channel: 'sms',
      template: 'cart-reminder-incentive',
    });
    expect(incentive.data.incentive).toEqual({ code: 'COMEBACK10', percentOff: 10 });
    const [lost] = stub.webhooks;
    expect(lost).toMatchObject({
      step: 'cart-lost',
      url: CRM,
      body: { cartId: 'cart-1', items: [{ productId: 'p-1' }] },
    });
    expect(lost.at.getTime() - incentive.at.getTime()).toBeGreaterThanOrEqual(72 * HOUR);
  });

  it('emails the incentive to a customer without SMS consent, and calls no CRM when none is configured', async () => {
    const { handle } = await start('cart-mail');
    await handle.result();
    expect(stub.emailsTo('cart-mail').map((e) => `${e.step}:${e.channel ?? 'email'}`)).toEqual([
      'reminder:email',
      'reminder-with-incentive:email',
    ]);
    expect(stub.webhooks).toEqual([]);
  });

  it('calls the CRM of no cart that was ordered after the incentive', async () => {
    stub.channels['cart-late'] = ['sms', 'email'];
    const { handle } = await start('cart-late', testConfig({ journeys: { abandonedCart: { lostCartWebhook: CRM } } }));
    await env().sleep('30 hours');
    expect(stub.emailsTo('cart-late').map((e) => e.step)).toEqual(['reminder', 'reminder-with-incentive']);
    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-9', cart_id: 'cart-1' }, 'cart-late'));
    expect((await handle.result()).outcome).toBe('converted');
    expect(stub.webhooks).toEqual([]);
  });

  it('ends as converted when the order arrives before the first reminder', async () => {
    const { handle } = await start('cart-b');
    await env().sleep('30 minutes');
    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-1', cart_id: 'cart-1' }, 'cart-b'));
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'converted', reason: 'Order Completed' });
    expect(stub.emailsTo('cart-b')).toEqual([]);
  });

  it('ends as converted when the order arrives between the reminders', async () => {
    const { handle } = await start('cart-c');
    await env().sleep('2 hours');
    expect(stub.emailsTo('cart-c').map((e) => e.step)).toEqual(['reminder']);
    const waiting = await handle.query(journeyStateQuery);
    expect(waiting).toMatchObject({ step: 'waiting after reminder', running: true });
    expect(waiting).not.toHaveProperty('outcome'); // running: no outcome yet
    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-2' }, 'cart-c'));
    expect((await handle.result()).outcome).toBe('converted');
    // Ended: the state and the Web UI's JourneyStep say how, not the step it was waiting in.
    expect(await handle.query(journeyStateQuery)).toMatchObject({
      step: 'converted',
      outcome: 'converted',
      running: false,
    });
    expect((await handle.describe()).searchAttributes.JourneyStep).toEqual(['converted']);
    expect(stub.emailsTo('cart-c').map((e) => e.step)).toEqual(['reminder']);
  });

  it('exits when the cart is emptied', async () => {
    const { handle } = await start('cart-d');
    await env().sleep('10 minutes');
    await handle.signal(
      eventSignal,
      track('Product Removed', { cart_id: 'cart-1', product_id: 'p-1', quantity: 1 }, 'cart-d'),
    );
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'exited', reason: 'cart emptied' });
    expect(stub.emailsTo('cart-d')).toEqual([]);
  });

  it('keeps going while something is still in the cart', async () => {
    const { handle } = await start('cart-e');
    await handle.signal(eventSignal, track('Product Added', { cart_id: 'cart-1', product_id: 'p-2' }, 'cart-e'));
    await handle.signal(eventSignal, track('Product Removed', { cart_id: 'cart-1', product_id: 'p-1' }, 'cart-e'));
    await env().sleep('2 hours');
    expect(stub.emailsTo('cart-e').map((e) => e.step)).toEqual(['reminder']);
    await handle.terminate('test done');
  });
});
