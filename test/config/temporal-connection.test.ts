import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../src/config/env';
import { temporalConnection } from '../../src/config/temporal-connection';

const connection = (vars: Record<string, string>) =>
  temporalConnection(loadEnv({ TEMPORAL_ADDRESS: 'tc.example:7233', ...vars }));

describe('how the API and worker connect to Temporal', () => {
  it('is plain gRPC by default (a cluster on a private network)', () => {
    expect(connection({})).toEqual({ address: 'tc.example:7233' });
  });

  it('uses TLS when asked, and with an API key (Temporal Cloud)', () => {
    expect(connection({ TEMPORAL_TLS: 'true' })).toEqual({ address: 'tc.example:7233', tls: true });
    expect(connection({ TEMPORAL_API_KEY: 'key-123' })).toEqual({
      address: 'tc.example:7233',
      apiKey: 'key-123',
      tls: true,
    });
  });

  it('presents a client certificate for mTLS, read from the files named', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-'));
    fs.writeFileSync(path.join(dir, 'client.pem'), 'CERT');
    fs.writeFileSync(path.join(dir, 'client.key'), 'KEY');
    const settings = connection({
      TEMPORAL_TLS_CERT: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_KEY: path.join(dir, 'client.key'),
    });
    expect(settings.tls).toEqual({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
    fs.rmSync(dir, { recursive: true });
  });

  it('names the variable when the certificate settings are incomplete or unreadable', () => {
    expect(() => connection({ TEMPORAL_TLS_CERT: '/etc/client.pem' })).toThrow(
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both',
    );
    expect(() =>
      connection({ TEMPORAL_TLS_CERT: '/nonexistent/a.pem', TEMPORAL_TLS_KEY: '/nonexistent/a.key' }),
    ).toThrow(/^TEMPORAL_TLS_CERT: cannot read \/nonexistent\/a.pem/);
    expect(() => connection({ TEMPORAL_TLS: 'maybe' })).toThrow(/TEMPORAL_TLS/);
  });
});
