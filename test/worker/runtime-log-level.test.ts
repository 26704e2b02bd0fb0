import pino from 'pino';
import type { LogLevel } from '@temporalio/worker';
import { sdkLogLevel } from '../../src/logging/sdk-log-level';
import { runtimeOptions } from '../../src/worker/runtime';

// LOG_LEVEL sets the pino logger's level; the SDK's lines (workflow and activity events) must
// follow it, down to debug and trace, and up to nothing at all.

const SDK_LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The SDK levels whose lines reach the output when the process logger is at `level`. */
function sdkLinesPrinted(level: string): string[] {
  const printed: string[] = [];
  const log = pino({ level }, { write: (line: string) => printed.push(JSON.parse(line).msg) });
  const { logger } = runtimeOptions({ log });
  for (const sdkLevel of SDK_LEVELS) logger!.log(sdkLevel, sdkLevel, { workflowId: 'w-1' });
  return printed;
}

describe('the production worker`s SDK log follows LOG_LEVEL', () => {
  it.each([
    ['trace', ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['debug', ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['info', ['INFO', 'WARN', 'ERROR']],
    ['warn', ['WARN', 'ERROR']],
    ['error', ['ERROR']],
    ['fatal', []],
    ['silent', []],
  ])('LOG_LEVEL=%s prints the SDK`s %j lines', (level, expected) => {
    expect(sdkLinesPrinted(level)).toEqual(expected);
  });

  it('keeps the SDK line`s fields', () => {
    const printed: Record<string, unknown>[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => printed.push(JSON.parse(line)) });
    runtimeOptions({ log }).logger!.debug('Activity started', { workflowId: 'w-1', activityType: 'sendEmail' });
    expect(printed).toEqual([
      expect.objectContaining({ level: 20, msg: 'Activity started', workflowId: 'w-1', activityType: 'sendEmail' }),
    ]);
  });

  it('refuses a level pino does not have', () => {
    expect(() => sdkLogLevel('verbose')).toThrow('unknown log level verbose');
  });
});
