import type { JourneysConfig } from '../../src/config/schema';
import { eventSignal } from '../../src/shared/signals';
import { eventsProcessed, startCustomer, testConfig, track, useJourneySuite } from '../helpers/journeys';

/**
 * A customer run keeps the configuration it began with. Deploying a new journey therefore meets
 * runs whose configuration has no section for it: those neither start nor forward to it (it
 * reaches them when they continue as new), and take every other event as before. Before this,
 * the run failed every workflow task from the deploy on ("reading 'enabled' of undefined").
 */
describe('a customer run whose configuration predates a journey', () => {
  const config = testConfig();
  delete (config.journeys as Partial<JourneysConfig['journeys']>).browseAbandonment; // "not yet deployed"
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/workflows'), config);

  it('starts no such journey, and goes on with the others', async () => {
    const handle = await startCustomer(
      env(),
      taskQueue(),
      'c-old',
      track('Product Viewed', { product_id: 'p-1' }, 'c-old'),
    );
    expect((await eventsProcessed(handle, 1)).running).toEqual({});
    await handle.signal(eventSignal, track('Product Added', { cart_id: 'k-1', product_id: 'p-1' }, 'c-old'));
    const state = await eventsProcessed(handle, 2);
    expect(Object.values(state.running).map((r) => r.journey)).toEqual(['abandoned-cart']);
    expect(stub.emailsTo('c-old')).toEqual([]);
  });
});
