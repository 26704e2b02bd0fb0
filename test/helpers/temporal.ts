import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerOptions } from '../../src/dev/provision';
import { executableFor } from '../../src/dev/server-binary';
import { ensureTemporalCli } from '../../src/dev/temporal-cli';
import { ensureTestServer } from '../../src/dev/test-server';

const log = (line: string): void => console.log(line);

function useEnvironment(create: () => Promise<TestWorkflowEnvironment>): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await create();
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error('the Temporal environment exists only once beforeAll has run');
    return env;
  };
}

/** A time-skipping test server for this suite: sleeps of days complete in milliseconds. */
export function useTimeSkippingEnv(): () => TestWorkflowEnvironment {
  return useEnvironment(async () =>
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executableFor(await ensureTestServer(log)) } }),
  );
}

/** A real Temporal dev server (in memory) for this suite, with our search attributes registered. */
export function useDevServerEnv(): () => TestWorkflowEnvironment {
  return useEnvironment(async () =>
    TestWorkflowEnvironment.createLocal({ server: devServerOptions(await ensureTemporalCli(log)) }),
  );
}
