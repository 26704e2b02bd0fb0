// npm run simulate -- <journey|customer> --customer FILE --events FILE [--until SPAN] [--start TIME]
// [--config FILE] [--out DIR]: what a customer would receive over a year, in their local time, from
// the real workflows on a time-skipping server (docs/journey-guide.md). Exit code 0 done, 2 bad input.
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { runSimulateCommand, USAGE } from '../src/simulate/command';
import { exitWhenWritten } from './exit-when-written';

Runtime.install({
  logger: new DefaultLogger('ERROR', ({ level, message }) =>
    process.stderr.write(`simulate: [sdk ${level}] ${message}\n`),
  ),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
});

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  exitWhenWritten(0);
} else {
  runSimulateCommand(argv, {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }).then(exitWhenWritten, (err: Error) => {
    process.stderr.write(`simulate: ${err.stack ?? err.message}\n`);
    exitWhenWritten(1);
  });
}
