// npm run replay -- --address HOST:PORT [--namespace NS] [--query QUERY] [--limit N]: before a
// deploy, replays a cluster's running workflows against the workflow code in this checkout and
// reports those it would break (docs/deploying.md). Exit code 0 none, 1 some, 2 no check.
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { runReplayCommand } from '../src/temporal/replay-check-command';
import { exitWhenWritten } from './exit-when-written';

// The report says what failed: the SDK's own log of each failed replay (with a stack) would only
// repeat it. Anything else the SDK logs as an error is shown, one line each.
const FAILED_REPLAY = 'Failed to process Workflow Activation';
Runtime.install({
  logger: new DefaultLogger('ERROR', ({ level, message }) => {
    if (message !== FAILED_REPLAY) process.stderr.write(`replay: [sdk ${level}] ${message}\n`);
  }),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
});

runReplayCommand(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then(exitWhenWritten, (err: Error) => {
  process.stderr.write(`replay: ${err.message}\n`);
  exitWhenWritten(2);
});
