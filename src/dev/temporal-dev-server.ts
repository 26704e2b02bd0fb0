import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { startDevServerEnvironment } from './own-server-environment';
import { DevStartError, ensurePortsFree, somethingListens } from './ports';
import { devServerOptions } from './provision';
import type { Log } from './server-binary';
import { ensureTemporalCli } from './temporal-cli';

export interface DevServerSettings {
  /** Folder for the SQLite file: the server's state survives restarts. */
  dataDir: string;
  port: number;
  uiPort: number;
  /** Created at start if it is not "default"; the client uses it. */
  namespace?: string;
}

/**
 * A Temporal dev server (the CLI's `server start-dev`) backed by a SQLite file, with the Web UI
 * and our search attributes. It runs as our child process and stops with us; its own output
 * (warnings and up) is shown.
 */
export async function startDevServer(settings: DevServerSettings, log: Log): Promise<TestWorkflowEnvironment> {
  fs.mkdirSync(settings.dataDir, { recursive: true });
  const cli = await ensureTemporalCli(log);
  return startDevServerEnvironment(
    {
      ...devServerOptions(cli),
      namespace: settings.namespace,
      ip: '127.0.0.1',
      port: settings.port,
      ui: true,
      uiPort: settings.uiPort,
      dbFilename: dbFile(settings.dataDir),
      // WAL keeps writes cheap; NORMAL still survives a crash of our process (not of the OS).
      extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL'],
    },
    { echo: true },
  );
}

const dbFile = (dataDir: string) => path.join(dataDir, 'temporal.sqlite');

/**
 * Stops a dev server still running on `file` because the npm start that ran it was killed (the
 * caller owns the data folder, so no live npm start does); returns its pid, or undefined if there
 * was none. Linux only (it reads /proc); elsewhere such a server is simply reused.
 */
export async function stopLeftoverDevServer(file: string, timeoutMs = 15_000): Promise<number | undefined> {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const pid = pids.map(Number).find((candidate) => {
    try {
      const args = fs.readFileSync(`/proc/${candidate}/cmdline`, 'utf8').split('\0');
      return args.includes('start-dev') && args[args.indexOf('--db-filename') + 1] === file;
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  });
  if (!pid) return undefined;
  process.kill(pid, 'SIGTERM');
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    try {
      process.kill(pid, 0);
    } catch {
      return pid;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.kill(pid, 'SIGKILL');
  return pid;
}

/** The Temporal server npm start runs against, and how it came to be. */
export interface DevTemporal {
  client: Client;
  nativeConnection: NativeConnection;
  /** host:port of its frontend. */
  address: string;
  namespace: string;
  /**
   * `started`: our dev server, on the data folder's SQLite file; `reused`: a server already
   * answering on the dev port (one the developer runs, or one an earlier npm start left);
   * `external`: TEMPORAL_ADDRESS.
   */
  origin: 'started' | 'reused' | 'external';
  /** Closes our connections, and stops the server if we started it. */
  stop(): Promise<void>;
}

export interface DevTemporalSettings extends DevServerSettings {
  /** TEMPORAL_ADDRESS as the developer set it, if they did: no dev server is started then. */
  address?: string;
  namespace: string;
}

/**
 * TEMPORAL_ADDRESS if set; else the server already answering on 127.0.0.1:`port`, if that is a
 * Temporal server; else a dev server of our own.
 */
export async function devTemporal(settings: DevTemporalSettings, log: Log): Promise<DevTemporal> {
  if (settings.address) {
    const connection = await Connection.connect({ address: settings.address, connectTimeout: '5s' }).catch(
      (err: Error) => {
        throw new DevStartError(`TEMPORAL_ADDRESS: no Temporal server answers on ${settings.address}: ${err.message}`);
      },
    );
    return { ...(await connected(connection, settings.address, settings.namespace)), origin: 'external' };
  }
  const local = `127.0.0.1:${settings.port}`;
  const leftover = await stopLeftoverDevServer(dbFile(settings.dataDir));
  if (leftover) log(`Stopped the Temporal dev server an earlier npm start left running (pid ${leftover}).`);
  if (await somethingListens(settings.port)) {
    const connection = await Connection.connect({ address: local, connectTimeout: '5s' }).catch((err: Error) => {
      throw new DevStartError(
        `port ${settings.port} is taken, but not by a Temporal server (${err.message}).\n` +
          'Stop what listens there, or set JOURNEYS_DEV_TEMPORAL_PORT to another port, or TEMPORAL_ADDRESS to your server.',
      );
    });
    return { ...(await connected(connection, local, settings.namespace)), origin: 'reused' };
  }
  await ensurePortsFree([{ port: settings.uiPort, what: 'the Temporal Web UI', moveWith: 'JOURNEYS_DEV_UI_PORT' }]);
  log('Starting the Temporal dev server...');
  const env = await startDevServer(settings, log);
  return {
    client: env.client,
    nativeConnection: env.nativeConnection,
    address: local,
    namespace: settings.namespace,
    origin: 'started',
    stop: () => env.teardown(),
  };
}

/** The client and the worker's connection to a server that answered, once its namespace is found. */
async function connected(
  connection: Connection,
  address: string,
  namespace: string,
): Promise<Omit<DevTemporal, 'origin'>> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (err) {
    await connection.close();
    throw new DevStartError(
      `the Temporal server on ${address} has no namespace "${namespace}" (TEMPORAL_NAMESPACE): ${(err as Error).message}`,
    );
  }
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection, namespace }),
    nativeConnection,
    address,
    namespace,
    stop: async () => {
      await nativeConnection.close();
      await connection.close();
    },
  };
}
