import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logging/logger';

const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export interface RuntimeSettings {
  log: Logger;
  /** host:port for the SDK's Prometheus endpoint (/metrics); absent, no metrics are exported. */
  metricsAddress?: string;
}

/**
 * Installs the SDK runtime once per process, before any connection: its log lines (the workflows'
 * `log`, activity and worker events, with their workflow ids) go to pino, and the worker's metrics
 * (task latencies, slots, polls, sticky cache) are served for Prometheus.
 */
export function installRuntime({ log, metricsAddress }: RuntimeSettings): void {
  Runtime.install({
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => log[pinoLevel[level]](meta ?? {}, message)),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
