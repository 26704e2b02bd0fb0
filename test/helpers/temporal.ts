import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServerEnvironment, startTimeSkippingEnvironment } from '../../src/dev/own-server-environment';
import { devServerOptions } from '../../src/dev/provision';
import { SERVER_READY_TIMEOUT_MS } from '../../src/dev/server-process';
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
  let suiteOver = false;
  beforeAll(async () => {
    const created = await create();
    // Should jest have given up on this hook and run afterAll already, nobody else stops it.
    if (suiteOver) await created.teardown();
    else env = created;
  }, SERVER_READY_TIMEOUT_MS + 60_000); // the server's own wait, then connecting and registering
  afterAll(async () => {
    suiteOver = true;
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
    const env = await startTimeSkippingEnvironment({ executable: executableFor(await ensureTestServer(log)) });
    try {
      await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    } catch (err) {
      await env.teardown();
      throw err;
    }
    return env;
  });
}

/** A real Temporal dev server (in memory) for this suite, with our search attributes registered. */
export function useDevServerEnv(): () => TestWorkflowEnvironment {
  return useEnvironment(async () =>
    startDevServerEnvironment({
      ...devServerOptions(await ensureTemporalCli(log)),
      // The server logs every expected retry (e.g. updates racing a continue-as-new) as an error;
      // the client sees real failures anyway.
      log: { format: 'pretty', level: 'never' },
    }),
  );
}
