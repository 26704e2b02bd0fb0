import { ApplicationFailure } from '@temporalio/common';
import { journeyStateQuery, journeyWorkflowId } from '../../src/shared/signals';
import { eventually } from '../helpers/eventually';
import { startCustomer, track, useJourneySuite } from '../helpers/journeys';

const HOUR = 3600_000;

// A send the provider refuses for good (a 5xx SMTP reply, a text with no SMS provider configured)
// is recorded `failed` by the activity, which throws a non-retryable failure: the journey records
// the failed send and goes on, as it did when sends were server activities.
describe('a permanent send failure', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/workflows'));

  it('is a failed send in the journey, which carries on to its end', async () => {
    stub.policy = () => {
      throw ApplicationFailure.nonRetryable('permanent failure: 550 mailbox unknown', 'PermanentSendFailure');
    };
    const customerId = 'c-refused';
    await startCustomer(
      env(),
      taskQueue(),
      customerId,
      track('Product Viewed', { product_id: 'p-1', name: 'Mug' }, customerId),
    );
    const journey = env().client.workflow.getHandle(journeyWorkflowId('browse-abandonment', customerId));
    await eventually(
      () =>
        journey.query(journeyStateQuery).then(
          () => true,
          () => false,
        ),
      'the journey to start',
    );
    await env().sleep(6 * HOUR);
    const result = await journey.result();
    expect(result.sent).toEqual([expect.objectContaining({ step: 'reminder', status: 'failed' })]);
    expect(result.outcome).toBe('completed');
  });
});
