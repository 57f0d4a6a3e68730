/**
 * The packaged stack as the package tests read it: the templates and artifacts globalSetup.ts
 * built once for the whole run. Each test file calls `usePackagedStack()` at its top.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, inject } from 'vitest';
import { TEMPLATE_FILE } from '../../scripts/package.js';
import { RUNS, STATUS_FILE, type PackageStatus, type RefusedName, type RunName } from './runs.js';
import type { CfnTemplate } from './template.js';

export interface Packaged {
  /** The folder `sls package` wrote to. */
  readonly dir: string;
  readonly template: CfnTemplate;
  /** A function's zip, by function name. */
  artifact(name: string): Promise<Buffer>;
}

export type PackagedStack = Readonly<Record<RunName, Packaged>>;

/** Each run takes ~10-40 s alone; on a loaded machine minutes (each may take up to 180 s). */
const WAIT_MS = 600_000;

async function waitForStatus(dir: string): Promise<PackageStatus> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      return JSON.parse(await readFile(join(dir, STATUS_FILE), 'utf8')) as PackageStatus;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (Date.now() > deadline) throw new Error(`no ${STATUS_FILE} in ${dir} after ${WAIT_MS} ms`);
    await sleep(250);
  }
}

function packageDir(): string {
  const dir = inject('packageDir');
  if (!dir)
    throw new Error('packageDir not provided: run the package tests through vitest.config.ts');
  return dir;
}

async function load(): Promise<PackagedStack> {
  const dir = packageDir();
  const status = await waitForStatus(dir);
  if (!status.ok) throw new Error(status.error);
  const read = async (run: RunName): Promise<Packaged> => {
    const runDir = join(dir, run);
    return {
      dir: runDir,
      template: JSON.parse(await readFile(join(runDir, TEMPLATE_FILE), 'utf8')) as CfnTemplate,
      artifact: (name) => readFile(join(runDir, `${name}.zip`)),
    };
  };
  const runs = Object.keys(RUNS) as RunName[];
  return Object.fromEntries(
    await Promise.all(runs.map(async (run) => [run, await read(run)] as const)),
  ) as PackagedStack;
}

let loading: Promise<PackagedStack> | undefined;

/**
 * The packaged stack, filled in by a `beforeAll` this registers (so call it at a file's top
 * level and read the fields inside tests only).
 */
export function usePackagedStack(): PackagedStack {
  const stack = {} as Record<RunName, Packaged>;
  beforeAll(async () => {
    Object.assign(stack, await (loading ??= load()));
  }, WAIT_MS + 10_000);
  return stack;
}

/**
 * What osls printed for each packaging it must refuse (runs.ts `REFUSED`); null when it packaged.
 * Call inside a test or hook.
 */
export async function refusedPackagings(): Promise<Readonly<Record<RefusedName, string | null>>> {
  const status = await waitForStatus(packageDir());
  if (!status.ok) throw new Error(status.error);
  return status.refused;
}
