import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerOptions } from '../../src/dev/provision';
import { executableFor } from '../../src/dev/server-binary';
import { ensureTemporalCli } from '../../src/dev/temporal-cli';
import { ensureTestServer } from '../../src/dev/test-server';
import { registerSearchAttributes } from '../../src/worker/search-attributes';

const log = (line: string): void => console.log(line);

// Things to stop before the suite's server goes (workers hold its connection), last first.
const beforeTeardown: (() => Promise<void>)[] = [];

/** Registers `stop` to run after the suite, before its Temporal environment is torn down. */
export function stopBeforeTeardown(stop: () => Promise<void>): void {
  beforeTeardown.push(stop);
}

function useEnvironment(create: () => Promise<TestWorkflowEnvironment>): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await create();
  }, 120_000);
  afterAll(async () => {
    while (beforeTeardown.length > 0) await beforeTeardown.pop()!();
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error('the Temporal environment exists only once beforeAll has run');
    return env;
  };
}

/** A time-skipping test server for this suite, with our search attributes: sleeps of days take milliseconds. */
export function useTimeSkippingEnv(): () => TestWorkflowEnvironment {
  return useEnvironment(async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: executableFor(await ensureTestServer(log)) },
    });
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    return env;
  });
}

/** A real Temporal dev server (in memory) for this suite, with our search attributes registered. */
export function useDevServerEnv(): () => TestWorkflowEnvironment {
  return useEnvironment(async () =>
    TestWorkflowEnvironment.createLocal({
      // The server logs every expected retry (e.g. updates racing a continue-as-new) as an error;
      // the client sees real failures anyway.
      server: { ...devServerOptions(await ensureTemporalCli(log)), log: { format: 'pretty', level: 'never' } },
    }),
  );
}
