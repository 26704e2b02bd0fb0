import { customerStateQuery, journeyWorkflowId } from '../../src/shared/signals';
import { endJourneysOf, startCustomer, track, useJourneySuite } from '../helpers/journeys';
import { eventually } from '../helpers/eventually';

describe('journey workflow ids', () => {
  it('are readable, and never the same for two customers or two keys', () => {
    expect(journeyWorkflowId('abandoned-cart', 'c-1', 'cart-7')).toBe('journey/abandoned-cart/c-1/cart-7');
    expect(journeyWorkflowId('welcome', 'c-1')).toBe('journey/welcome/c-1');
    const pairs: [string, string, string?][][] = [
      [
        ['abandoned-cart', 'c-1', 'x'],
        ['abandoned-cart', 'c', '1-x'],
      ],
      [
        ['abandoned-cart', 'a/b', 'c'],
        ['abandoned-cart', 'a', 'b/c'],
      ],
      [
        ['abandoned-cart', 'a%2Fb', 'c'],
        ['abandoned-cart', 'a/b', 'c'],
      ],
      [
        ['welcome', 'c-1/x'],
        ['welcome', 'c-1', 'x'],
      ],
    ];
    for (const [a, b] of pairs) expect(journeyWorkflowId(...a)).not.toBe(journeyWorkflowId(...b));
  });

  describe('started by the customer workflow', () => {
    const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/workflows'));

    it('gives customer c-1 with cart x and customer c with cart 1-x a journey each', async () => {
      const handles = [];
      for (const [customerId, cart] of [
        ['c-1', 'x'],
        ['c', '1-x'],
      ]) {
        stub.carts[cart] = [{ productId: 'p', name: 'Mug', quantity: 1, price: 9 }];
        const added = track('Product Added', { cart_id: cart, product_id: 'p' }, customerId);
        const now = new Date(await env().currentTimeMs()).toISOString();
        const handle = await startCustomer(env(), taskQueue(), customerId, { ...added, timestamp: now });
        const id = journeyWorkflowId('abandoned-cart', customerId, cart);
        await eventually(async () => id in (await handle.query(customerStateQuery)).running, `${id} running`);
        expect((await env().client.workflow.getHandle(id).describe()).searchAttributes.CustomerId).toEqual([
          customerId,
        ]);
        handles.push(handle);
      }
      for (const handle of handles) await endJourneysOf(env(), handle);
    });
  });
});
