import { TypedSearchAttributes } from '@temporalio/common';
import type { DevServerConfig } from '@temporalio/testing/lib/ephemeral-server';

/**
 * The arguments of `temporal server start-dev` for a dev server configuration, the same the SDK
 * (sdk-core's TemporalDevServerConfig) passes when it runs the server itself.
 */
export function devServerArgs(config: Omit<DevServerConfig, 'type'>, port: number): string[] {
  const log = config.log ?? { format: 'pretty', level: 'warn' };
  const args = [
    'server',
    'start-dev',
    '--port',
    String(port),
    '--namespace',
    config.namespace ?? 'default',
    '--ip',
    config.ip ?? '127.0.0.1',
    '--log-format',
    log.format,
    '--log-level',
    log.level,
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  ];
  if (config.dbFilename) args.push('--db-filename', config.dbFilename);
  if (config.uiPort) args.push('--ui-port', String(config.uiPort));
  else if (config.ui) args.push('--ui-port', String(Math.min(port + 1000, 65535)));
  else args.push('--headless');
  for (const { name, type } of config.searchAttributes ?? []) {
    args.push('--search-attribute', `${name}=${TypedSearchAttributes.toMetadataType(type)}`);
  }
  return [...args, ...(config.extraArgs ?? [])];
}
