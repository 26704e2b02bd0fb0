/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Each suite starts its own Temporal server; two at a time suits a 2-core machine.
  maxWorkers: 2,
  // An upper bound for a test that hangs, not a measure of speed: tests wait for what they need
  // (see test/helpers/eventually.ts), and on a busy machine that takes several times as long.
  testTimeout: 180_000,
};
