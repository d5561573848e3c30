/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Some dependencies ship ESM only; compile them to CommonJS like our own sources.
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(.*node_modules/)?(@apidevtools/json-schema-ref-parser|agenda|@agendajs/postgres-backend)/)',
  ],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  reporters: [
    'default',
    '<rootDir>/test/contract/coverage-reporter.js',
    '<rootDir>/test/skipped-reporter.js',
  ],
  // A bound on hangs only: tests wait for conditions (test/helpers/eventually.ts), and on a busy
  // machine starting an app or a worker can take far longer than on an idle one.
  testTimeout: 600_000,
  maxWorkers: 2,
};
