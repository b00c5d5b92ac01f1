import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages export `source` (their TypeScript) before `default` (built JS).
    conditions: ['source'],
  },
  test: {
    include: ['libs/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
