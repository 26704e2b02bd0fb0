import { CustomerId, LifecycleStage } from '../../src/shared/search-attributes';
import { sleeper } from '../fixtures/workflows';
import { useDevServerEnv } from '../helpers/temporal';
import { withWorker } from '../helpers/worker';
import { eventually } from '../helpers/eventually';

const workflowsPath = require.resolve('../fixtures/workflows');

describe('dev server', () => {
  const env = useDevServerEnv();

  it('finds a running workflow by our search attributes through client.workflow.list', async () => {
    const { client } = env();
    await withWorker(env(), { workflowsPath }, async (taskQueue) => {
      const handle = await client.workflow.start(sleeper, {
        args: [1],
        taskQueue,
        workflowId: 'customer-search-1',
        typedSearchAttributes: [
          { key: CustomerId, value: 'c-search-1' },
          { key: LifecycleStage, value: 'prospect' },
        ],
      });
      await client.workflow.start(sleeper, {
        args: [1],
        taskQueue,
        workflowId: 'customer-search-2',
        typedSearchAttributes: [{ key: CustomerId, value: 'c-search-2' }],
      });

      // Visibility is eventually consistent: poll.
      const query = `CustomerId = "c-search-1" AND LifecycleStage = "prospect" AND ExecutionStatus = "Running"`;
      const found = await eventually(async () => {
        const ids: string[] = [];
        for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
        return ids.length > 0 && ids;
      }, 'the workflow in the visibility store');
      expect(found).toEqual([handle.workflowId]);
    });
  });
});
