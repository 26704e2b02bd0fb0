import type { LevelWithSilent } from 'pino';
import type { LogLevel } from '@temporalio/worker';

/**
 * The Temporal SDK's threshold for each of pino's levels (LOG_LEVEL). The SDK's worst is ERROR, so
 * at `fatal` and `silent`, where pino would print none of its lines, there is none: log nothing.
 */
const SDK_LOG_LEVELS: Record<LevelWithSilent, LogLevel | undefined> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: undefined,
  silent: undefined,
};

export function sdkLogLevel(pinoLevel: string): LogLevel | undefined {
  if (!(pinoLevel in SDK_LOG_LEVELS)) throw new Error(`unknown log level ${pinoLevel}`);
  return SDK_LOG_LEVELS[pinoLevel as LevelWithSilent];
}
