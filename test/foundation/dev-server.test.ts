import { CustomerId, LifecycleStage } from '../../src/shared/search-attributes';
import { sleeper } from '../fixtures/workflows';
import { useDevServerEnv } from '../helpers/temporal';
import { withWorker } from '../helpers/worker';

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

      // Visibility is eventually consistent: poll briefly.
      const query = `CustomerId = "c-search-1" AND LifecycleStage = "prospect" AND ExecutionStatus = "Running"`;
      let found: string[] = [];
      for (let i = 0; i < 50 && found.length === 0; i++) {
        found = [];
        for await (const wf of client.workflow.list({ query })) found.push(wf.workflowId);
        if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(found).toEqual([handle.workflowId]);
    });
  });
});
