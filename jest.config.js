// Type-checking happens once, in `npm run typecheck` (tsc --noEmit); jest only
// transpiles, which keeps each provider-importing test file fast.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The end-to-end run has its own config (jest.e2e.config.js) and script.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/e2e/"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }],
  },
  setupFilesAfterEnv: ["<rootDir>/test/setup-jest.ts"],
  testTimeout: 120000,
};
