import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerOptions } from './provision';
import type { Log } from './server-binary';
import { ensureTemporalCli } from './temporal-cli';

export interface DevServerSettings {
  /** Folder for the SQLite file: the server's state survives restarts. */
  dataDir: string;
  port: number;
  uiPort: number;
}

/**
 * A Temporal dev server (the CLI's `server start-dev`) backed by a SQLite file, with the Web UI
 * and our search attributes. The SDK's ephemeral-server API runs it, so it stops with us.
 */
export async function startDevServer(settings: DevServerSettings, log: Log): Promise<TestWorkflowEnvironment> {
  fs.mkdirSync(settings.dataDir, { recursive: true });
  const cli = await ensureTemporalCli(log);
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...devServerOptions(cli),
      ip: '127.0.0.1',
      port: settings.port,
      ui: true,
      uiPort: settings.uiPort,
      dbFilename: path.join(settings.dataDir, 'temporal.sqlite'),
      // WAL keeps writes cheap; NORMAL still survives a crash of our process (not of the OS).
      extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL'],
    },
  });
}
