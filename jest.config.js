/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Every core (jest's default leaves one idle: one worker on a 2-core CI machine).
  maxWorkers: '100%',
  // Transpile only (tsconfig.jest.json: isolatedModules): a type check per test file took most of the suite's time;
  // `npm test` type-checks sources and tests once, in pretest.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
};
