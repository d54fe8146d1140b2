// End-to-end suite (test/e2e/*.e2e.ts): terraform + moto + the policy gate. Run it
// through scripts/e2e.sh (npm run e2e), which prepares the pinned moto venv first.
// The files end in .e2e.ts so the unit suite (jest.config.js, *.test.ts) never runs them.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/e2e"],
  testMatch: ["**/*.e2e.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }],
  },
  // One suite, strictly in order: the steps share a moto server and Terraform state.
  maxWorkers: 1,
  testTimeout: 600000,
  // Stop at the first failing suite; within the suite each step reports its own failure.
  bail: 1,
  verbose: true,
};
