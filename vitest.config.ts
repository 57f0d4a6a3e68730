import { configDefaults, defineConfig } from 'vitest/config';

const PACKAGE_TESTS = 'test/package/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration files each start their own emulator; two cores, so keep concurrency modest.
    maxWorkers: 2,
    minWorkers: 1,
    env: {
      // Quiet test output: handlers log through Powertools, tests assert on spies and results.
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Never reach a real AWS account from a test.
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'code',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, PACKAGE_TESTS],
        },
      },
      {
        // The deployable config. globalSetup packages the stack once per run, only when a package
        // test is part of it, in the background: the other project's tests run meanwhile, and
        // these run after them (group 1), reading the templates it wrote. They only read, so the
        // files share one worker and the templates it loaded (no isolation, one fork).
        extends: true,
        test: {
          name: 'package',
          include: [PACKAGE_TESTS],
          globalSetup: ['test/package/globalSetup.ts'],
          sequence: { groupOrder: 1 },
          isolate: false,
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
