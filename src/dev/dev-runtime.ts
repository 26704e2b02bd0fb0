import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Env } from '../config/env';

const SDK_LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
/** Said once in the banner, or shown as the line's prefix: left out of each log line. */
const OMITTED_LOG_FIELDS = new Set(['workflowId', 'sdkComponent', 'namespace', 'taskQueue', 'runId', 'workflowType']);

/**
 * The Temporal SDK's runtime, without its own signal handling (see StopSignal). Its log is kept
 * short: warnings and errors, and the workflows' own lines (a journey started, an email decided);
 * LOG_LEVEL=debug shows everything.
 */
export function installTemporalRuntime(level: Env['LOG_LEVEL']): void {
  const verbose = level === 'debug' || level === 'trace';
  const sdkLevel: LogLevel = level === 'trace' ? 'TRACE' : level === 'debug' ? 'DEBUG' : 'INFO';
  const quiet = level === 'silent';
  const print = ({ level: l, message, meta }: LogEntry): void => {
    if (quiet) return;
    const workflowLine = meta?.sdkComponent === 'workflow';
    if (!verbose && SDK_LEVELS.indexOf(l) < SDK_LEVELS.indexOf('WARN') && !workflowLine) return;
    const fields = Object.entries(meta ?? {})
      .filter(([k]) => !OMITTED_LOG_FIELDS.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const who = String(meta?.workflowId ?? meta?.sdkComponent ?? 'temporal');
    const line = `[${who}] ${message}${fields ? ` ${fields}` : ''}`;
    if (l === 'WARN' || l === 'ERROR') console.error(line);
    else console.log(line);
  };
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, print),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: verbose ? 'INFO' : 'WARN' }), forward: {} },
    },
  });
}
