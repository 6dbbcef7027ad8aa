// Three tiers: unit (pure logic), integration (services on the real Postgres and Redis), e2e (the whole app over HTTP).
const tsJest = ['ts-jest', { diagnostics: false }];
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
module.exports = {
  // Booting an app on a cold, loaded 2-core machine can pass the 5 s default: a timed-out beforeAll would let its app
  // start after the file's teardown and keep its queue workers alive.
  testTimeout: 30_000,
  // A handle left open by a failed test must not keep the run alive until CI's deadline.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      rootDir: '.',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/fake-llm/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
