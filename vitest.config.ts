import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration files each start their own emulator; two cores, so keep concurrency modest.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
