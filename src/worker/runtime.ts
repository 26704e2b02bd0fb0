import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type LogLevel,
  type RuntimeOptions,
} from '@temporalio/worker';
import type { Logger } from '../logging/logger';
import { sdkLogLevel } from '../logging/sdk-log-level';

const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export interface RuntimeSettings {
  /** The process logger: the SDK logs to it, at its level (LOG_LEVEL). */
  log: Logger;
  /** host:port for the SDK's Prometheus endpoint (/metrics); absent, no metrics are exported. */
  metricsAddress?: string;
}

/**
 * The SDK runtime's options: its log lines (the workflows' `log`, activity and worker events, with
 * their workflow ids) go to pino at pino's own level, and the worker's metrics (task latencies,
 * slots, polls, sticky cache) are served for Prometheus.
 */
export function runtimeOptions({ log, metricsAddress }: RuntimeSettings): RuntimeOptions {
  const level = sdkLogLevel(log.level);
  return {
    logger: level
      ? new DefaultLogger(level, ({ level: l, message, meta }) => log[pinoLevel[l]](meta ?? {}, message))
      : new DefaultLogger('ERROR', () => {}),
    telemetryOptions: {
      // Core's lines below WARN are about its own internals (pollers, connections), even at debug.
      logging: {
        filter: makeTelemetryFilterString({ core: level === 'ERROR' || !level ? 'ERROR' : 'WARN' }),
        forward: {},
      },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  };
}

/** Installs the SDK runtime once per process, before any connection. */
export function installRuntime(settings: RuntimeSettings): void {
  Runtime.install(runtimeOptions(settings));
}
