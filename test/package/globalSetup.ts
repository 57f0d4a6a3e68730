/**
 * Packages the stack once per test run for every package test file: `sls package` with the
 * defaults, with `--param` overrides, on existing buckets (sequential: the runs share `.esbuild/` and
 * `.serverless/`). It starts in the background so the other projects' tests run meanwhile;
 * the package tests wait for STATUS_FILE (stack.ts). Teardown waits for it and removes the folder.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packageStack } from '../../scripts/package.js';
import {
  REFUSED,
  RUNS,
  STAGE,
  STATUS_FILE,
  type PackageStatus,
  type RefusedName,
  type RunName,
} from './runs.js';

async function packageAll(dir: string): Promise<void> {
  let status: PackageStatus;
  try {
    const seconds = {} as Record<RunName, number>;
    for (const [run, params] of Object.entries(RUNS) as [RunName, readonly string[]][]) {
      seconds[run] = (await packageStack({ stage: STAGE, out: join(dir, run), params })).seconds;
    }
    console.log(
      `sls package: ${seconds.base.toFixed(1)} s (defaults), ${seconds.withParams.toFixed(1)} s ` +
        `(--param), ${seconds.existingBuckets.toFixed(1)} s (contentBuckets)`,
    );
    // Refused while resolving variables: a second or two each, nothing built.
    const refused = {} as Record<RefusedName, string | null>;
    for (const [name, { stage, params }] of Object.entries(REFUSED) as [
      RefusedName,
      (typeof REFUSED)[RefusedName],
    ][]) {
      try {
        await packageStack({ stage, out: join(dir, name), params });
        refused[name] = null;
      } catch (error) {
        refused[name] = (error as Error).message;
      }
    }
    status = { ok: true, seconds, refused };
  } catch (error) {
    status = { ok: false, error: (error as Error).message };
  }
  // Written whole, then renamed: a reader never sees half a file.
  await writeFile(join(dir, `${STATUS_FILE}.tmp`), JSON.stringify(status));
  await rename(join(dir, `${STATUS_FILE}.tmp`), join(dir, STATUS_FILE));
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'cdn-pipeline-package-'));
  project.provide('packageDir', dir);
  const done = packageAll(dir);
  return async () => {
    await done;
    await rm(dir, { recursive: true, force: true });
  };
}
