import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeKeys } from '../shared/search-attributes';
import { executableFor, type Log, type ServerBinary } from './server-binary';
import { ensureTemporalCli } from './temporal-cli';
import { ensureTestServer } from './test-server';

export interface Servers {
  devServer: ServerBinary;
  testServer: ServerBinary;
}

const HOW_TO_FIX = `Journeys could not provision a Temporal server. Any one of these fixes it:
  - install Go >= 1.22 (the dev server is built from github.com/temporalio/cli with go install);
  - install a JDK >= 11 and Maven (the time-skipping server comes from Maven Central);
  - set TEMPORAL_CLI_PATH to an existing temporal CLI binary;
  - allow the Temporal SDK to download its servers (it needs access to temporal.download).`;

/** Provisions both servers; where we fall back to the SDK's download, fetches it now to prove it works. */
export async function provisionServers(log: Log): Promise<Servers> {
  const devServer = await ensureTemporalCli(log);
  const testServer = await ensureTestServer(log);
  try {
    if (devServer.source === 'sdk-download') {
      await (
        await TestWorkflowEnvironment.createLocal({ server: { executable: executableFor(devServer) } })
      ).teardown();
    }
    if (testServer.source === 'sdk-download') {
      await (
        await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executableFor(testServer) } })
      ).teardown();
    }
  } catch (err) {
    throw new Error(`${HOW_TO_FIX}\nThe SDK's download failed with: ${(err as Error).message}`);
  }
  return { devServer, testServer };
}

/** The options that start a dev server with our search attributes registered. */
export function devServerOptions(devServer: ServerBinary) {
  return { executable: executableFor(devServer), searchAttributes: searchAttributeKeys };
}
