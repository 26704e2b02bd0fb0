import fs from 'node:fs';
import type { ConnectionOptions } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { EnvError, type Env } from './env';

export interface TemporalConnectionSettings {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * How the API and the worker reach Temporal: plain gRPC (a self-hosted cluster on a private
 * network), TLS, TLS with a client certificate (mTLS, e.g. Temporal Cloud), or an API key (Temporal
 * Cloud; implies TLS). The same settings serve the client and the worker's native connection.
 */
export function temporalConnection(env: Env): TemporalConnectionSettings {
  const { TEMPORAL_ADDRESS: address, TEMPORAL_API_KEY: apiKey, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key } = env;
  if (Boolean(cert) !== Boolean(key)) {
    throw new EnvError(
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both (a client certificate and its key) or neither',
    );
  }
  const read = (name: string, file: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new EnvError(`${name}: cannot read ${file} (${(err as Error).message})`);
    }
  };
  if (cert && key) {
    return {
      address,
      apiKey,
      tls: { clientCertPair: { crt: read('TEMPORAL_TLS_CERT', cert), key: read('TEMPORAL_TLS_KEY', key) } },
    };
  }
  if (apiKey || env.TEMPORAL_TLS) return { address, apiKey, tls: true };
  return { address };
}

/**
 * The longest a client waits between attempts to reconnect to Temporal. gRPC's default backs off
 * up to 120 s: after Temporal came back from a minute's outage, the dispatcher reached it only
 * 13-39 s later (the fault test); with this it is within a few seconds.
 */
const MAX_RECONNECT_BACKOFF_MS = 5000;

/** A client's connection (the API's and the dispatcher's): the settings above, reconnecting promptly. */
export function temporalClientConnection(env: Env): ConnectionOptions {
  return {
    ...temporalConnection(env),
    channelArgs: { 'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS },
  };
}
