/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // pg-boss and kysely ship ESM only; swc leaves them as dynamic ESM imports under --experimental-vm-modules.
  transformIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  // A worker whose heap passed this after a test file is replaced. A worker's heap grows over the files it runs (why
  // was not traced): it ended the run at 0.9-1 GB RSS and took 380-590 ms to exit after its 'exit' event, past
  // jest-worker's 500 ms grace, so CI printed "A worker process has failed to exit gracefully" though no handle was
  // left open (Dec 4 2026: jest-worker's END and the parent's exit event timed; 6 of 6 runs with a fresh cache
  // warned, none of 4 runs and one full suite at this limit, which took no longer).
  workerIdleMemoryLimit: '300MB',
};
