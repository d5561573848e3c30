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
  reporters: ['default', '<rootDir>/test/contract/coverage-reporter.js'],
  testTimeout: 30_000,
  maxWorkers: 2,
};
