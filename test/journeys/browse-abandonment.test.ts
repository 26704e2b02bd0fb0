import fs from 'node:fs';
import path from 'node:path';
import { customer } from '../../src/workflows/customer';
import { eventSignal, journeyWorkflowId } from '../../src/shared/signals';
import { endJourneysOf, StubActivities, track, useWorker } from '../helpers/journeys';
import { useTimeSkippingEnv } from '../helpers/temporal';
import { recordHistory } from '../helpers/histories';

const root = path.resolve(__dirname, '../..');
const HOUR = 3600_000;

describe('the README worked example: browse abandonment', () => {
  it('is the shipped journey file, word for word', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const file = fs.readFileSync(path.join(root, 'src/journeys/browse-abandonment/journey.ts'), 'utf8');
    const section = readme.slice(readme.indexOf('## Write your own journey'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(file);
  });

  describe('run from the customer workflow through the registry', () => {
    const env = useTimeSkippingEnv();
    const stub = new StubActivities(env);
    const taskQueue = useWorker(env, {
      workflowsPath: require.resolve('../../src/workflows'),
      activities: () => stub.activities,
    });
    beforeEach(() => stub.reset());

    const view = (customerId: string) =>
      env().client.workflow.signalWithStart(customer, {
        workflowId: `customer-${customerId}`,
        taskQueue: taskQueue(),
        args: [{ customerId }],
        signal: eventSignal,
        signalArgs: [track('Product Viewed', { product_id: 'p-7', name: 'Rain jacket' }, customerId)],
      });

    it('shows the product again 4 hours after a view without a cart', async () => {
      const startedAt = await env().currentTimeMs();
      const handle = await view('c-browse');
      await env().sleep('5 hours');
      const [email] = stub.emailsTo('c-browse');
      expect(email).toMatchObject({ journey: 'browse-abandonment', step: 'reminder', template: 'browse-reminder' });
      expect(email.data.product).toEqual({ product_id: 'p-7', name: 'Rain jacket' });
      expect(email.at.getTime() - startedAt).toBeGreaterThanOrEqual(4 * HOUR);
      await recordHistory(
        env().client.workflow.getHandle(journeyWorkflowId('browse-abandonment', 'c-browse')),
        'browse-abandonment',
      );

      // Another view the next day is within the week's cool-down: no second journey.
      await env().sleep('1 day');
      await handle.signal(eventSignal, track('Product Viewed', { product_id: 'p-8' }, 'c-browse'));
      await env().sleep('5 hours');
      expect(stub.emailsTo('c-browse').filter((e) => e.journey === 'browse-abandonment')).toHaveLength(1);
      await endJourneysOf(env(), handle);
    });

    it('says nothing when they put something in a cart', async () => {
      const handle = await view('c-carted');
      await env().sleep('1 hour');
      await handle.signal(eventSignal, track('Product Added', { cart_id: 'k-1', product_id: 'p-7' }, 'c-carted'));
      await env().sleep('5 hours');
      expect(stub.emailsTo('c-carted').filter((e) => e.journey === 'browse-abandonment')).toEqual([]);
      await endJourneysOf(env(), handle);
    });
  });
});
