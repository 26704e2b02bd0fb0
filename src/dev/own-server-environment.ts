import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DevServerConfig, TimeSkippingServerConfig } from '@temporalio/testing/lib/ephemeral-server';
import { devServerArgs } from './dev-server-args';
import { freePort } from './free-port';
import { ServerProcess, ServerStartError, type ServerProcessOptions } from './server-process';

/**
 * A TestWorkflowEnvironment on a server process we started ourselves rather than the SDK: the SDK
 * gives a server 5 s to listen, too short on a busy machine, and ServerProcess waits as long as
 * it takes. Its teardown stops that process too.
 */
class OwnServerEnvironment extends TestWorkflowEnvironment {
  serverProcess?: ServerProcess;

  override async teardown(): Promise<void> {
    try {
      await super.teardown();
    } finally {
      await this.serverProcess?.stop();
    }
  }
}

// TestWorkflowEnvironment.create is what createTimeSkipping and createLocal call once the SDK's
// server runs: it connects both connections, with the test service when the server skips time.
// @temporalio/testing 1.24 (pinned in package.json) types it private, so it is reached through a
// cast; it builds `new this(...)`, so called on OwnServerEnvironment it builds one of those.
type Create = (opts: {
  server: { type: 'existing' };
  address: string;
  namespace: string;
  supportsTimeSkipping: boolean;
}) => Promise<TestWorkflowEnvironment>;
const create = (TestWorkflowEnvironment as unknown as { create: Create }).create;

async function connect(
  server: ServerProcess,
  namespace: string,
  supportsTimeSkipping: boolean,
): Promise<TestWorkflowEnvironment> {
  try {
    const env = (await create.call(OwnServerEnvironment, {
      server: { type: 'existing' },
      address: server.address,
      namespace,
      supportsTimeSkipping,
    })) as OwnServerEnvironment;
    env.serverProcess = server;
    return env;
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/**
 * Starts a server on `port`, or on a free port of ours: one that another program took between our
 * asking and the server binding it makes the server exit, and a new free port is tried.
 */
async function startServer(
  options: Omit<ServerProcessOptions, 'port' | 'args'> & { port?: number; args: (port: number) => string[] },
): Promise<ServerProcess> {
  const start = (port: number) => ServerProcess.start({ ...options, port, args: options.args(port) });
  if (options.port !== undefined) return start(options.port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (!(err instanceof ServerStartError && err.exitedEarly && attempt < 3)) throw err;
    }
  }
}

/** The time-skipping test server, as TestWorkflowEnvironment.createTimeSkipping would run it. */
export async function startTimeSkippingEnvironment(
  config: Omit<TimeSkippingServerConfig, 'type'>,
): Promise<TestWorkflowEnvironment> {
  const executable = config.executable;
  if (executable?.type !== 'existing-path') return TestWorkflowEnvironment.createTimeSkipping({ server: config });
  const server = await startServer({
    name: 'the Temporal time-skipping test server',
    command: executable.path,
    port: config.port,
    // No --enable-time-skipping, as the SDK runs it: time skips only while a client awaits a
    // result or sleeps, so a test can act between timers without the server racing ahead.
    args: (port) => [String(port), ...(config.extraArgs ?? [])],
  });
  return connect(server, 'default', true);
}

/** A Temporal dev server (`temporal server start-dev`), as TestWorkflowEnvironment.createLocal would run it. */
export async function startDevServerEnvironment(
  config: Omit<DevServerConfig, 'type'>,
  options: { echo?: boolean } = {},
): Promise<TestWorkflowEnvironment> {
  const executable = config.executable;
  if (executable?.type !== 'existing-path') return TestWorkflowEnvironment.createLocal({ server: config });
  const server = await startServer({
    name: 'the Temporal dev server',
    command: executable.path,
    port: config.port,
    args: (port) => devServerArgs(config, port),
    echo: options.echo,
  });
  return connect(server, config.namespace ?? 'default', false);
}
