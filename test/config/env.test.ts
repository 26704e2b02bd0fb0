import { loadEnv } from '../../src/config/env';

describe('environment', () => {
  it('reads TRUST_PROXY as a hop count or a list of names and CIDRs, and refuses anything else', () => {
    expect(loadEnv({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadEnv({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(loadEnv({}).TRUST_PROXY).toBeUndefined();
    expect(() => loadEnv({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY/);
  });
});
