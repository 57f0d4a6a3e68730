/**
 * Cold start per deployed function against its floor (issue 9): bundle bytes, and module init —
 * the median of N `require`s of the bundle, each in a fresh `node` process with the stack's
 * NODE_OPTIONS (`--enable-source-maps`: the source map is read at load) and the function's
 * Powertools variables. The floor is a bundle built with the same flags that only constructs the
 * SDK clients the function calls (bench/functionClients.ts) plus Powertools Logger and Metrics.
 * Then the same once with the runtime-provided SDK (`@aws-sdk/*` external): locally the SDK is
 * resolved from node_modules through NODE_PATH, as the runtime resolves its own copy, which only
 * approximates the runtime's init.
 *
 * `npm run bench -- --only cold-start [--cold-start-runs 11]`, or `tsx bench/coldStart.ts`.
 * Writes bench/results/cold-start.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildBundle,
  buildFloor,
  bytesByPackage,
  declaredClients,
  readStackBuild,
  ROOT,
  type BuiltBundle,
  type StackBuild,
} from './bundles.js';

export const DEFAULT_RUNS = 11;

export interface ColdStartRow {
  readonly function: string;
  readonly entry: string;
  readonly clients: readonly string[];
  readonly bundleBytes: number;
  readonly floorBytes: number;
  readonly bytesRatio: number;
  /** Wall time of the require, median. */
  readonly initMs: number;
  readonly floorInitMs: number;
  readonly initRatio: number;
  /** CPU time of the require (user + system, all threads), median: less swayed by other load. */
  readonly initCpuMs: number;
  readonly floorInitCpuMs: number;
  readonly initCpuRatio: number;
}

export interface ColdStartReport {
  readonly date: string;
  readonly node: string;
  readonly cpus: string;
  readonly runs: number;
  readonly nodeOptions: string;
  readonly esbuild: Record<string, unknown>;
  readonly bundled: readonly ColdStartRow[];
  readonly sdkExternal: readonly ColdStartRow[];
  /** Largest packages per bundle (bytes in the output), bundled SDK. */
  readonly topPackages: Record<string, Array<[string, number]>>;
  readonly seconds: number;
}

const MEASURE = [
  "const { performance } = require('node:perf_hooks');",
  'const cpu = process.cpuUsage();',
  'const t = performance.now();',
  'require(process.argv[1]);',
  'const wall = performance.now() - t;',
  'const used = process.cpuUsage(cpu);',
  "process.stdout.write(wall + ' ' + (used.user + used.system) / 1000);",
].join('\n');

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** One `require` of `file` in a fresh node process; ms. */
function requireOnce(file: string, nodeOptions: string, sdkExternal: boolean): Sample {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_OPTIONS: nodeOptions,
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'cold-start-bench',
    POWERTOOLS_SERVICE_NAME: 'cold-start-bench',
    POWERTOOLS_METRICS_NAMESPACE: 'CdnPipeline',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // The runtime resolves its SDK from its own node_modules (on NODE_PATH); ours stands in.
    ...(sdkExternal ? { NODE_PATH: join(ROOT, 'node_modules') } : {}),
  };
  // stderr piped, not shown: the SDK warns about Node < 22 on every run.
  const out = execFileSync(process.execPath, ['-e', MEASURE, file], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [wall, cpu] = out.split(' ').map(Number);
  if (!Number.isFinite(wall) || !Number.isFinite(cpu))
    throw new Error(`cold start: no timing from ${file}: ${out}`);
  return { wall: wall!, cpu: cpu! };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median init of each file, the runs interleaved so machine noise falls on all alike. */
function medianInits(
  files: readonly string[],
  runs: number,
  nodeOptions: string,
  sdkExternal: boolean,
): Map<string, Sample> {
  const samples = new Map<string, Sample[]>(files.map((f) => [f, []]));
  for (const f of files) requireOnce(f, nodeOptions, sdkExternal); // warm the file cache
  for (let i = 0; i < runs; i += 1)
    for (const f of files) samples.get(f)!.push(requireOnce(f, nodeOptions, sdkExternal));
  return new Map(
    [...samples].map(([f, s]) => [
      f,
      { wall: median(s.map((x) => x.wall)), cpu: median(s.map((x) => x.cpu)) },
    ]),
  );
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** Builds every function's bundle and floor (shared entries and client sets built once), measures. */
async function rowSet(
  stack: StackBuild,
  dir: string,
  runs: number,
  sdkExternal: boolean,
): Promise<{ rows: ColdStartRow[]; bundles: Map<string, BuiltBundle> }> {
  const suffix = sdkExternal ? '.sdk-external' : '';
  const bundles = new Map<string, BuiltBundle>();
  const floors = new Map<string, BuiltBundle>();
  for (const fn of stack.functions) {
    if (!bundles.has(fn.entry)) {
      const out = join(dir, `${fn.entry.replace(/[/.]/g, '_')}${suffix}.js`);
      bundles.set(fn.entry, await buildBundle(fn.entry, out, stack, { sdkExternal }));
    }
    const clients = declaredClients(fn.name);
    const id = [...clients].sort().join('+');
    if (!floors.has(id)) floors.set(id, await buildFloor(clients, dir, stack, { sdkExternal }));
  }
  const files = [...bundles.values(), ...floors.values()].map((b) => b.file);
  const init = medianInits(files, runs, stack.nodeOptions, sdkExternal);
  const rows = stack.functions.map((fn): ColdStartRow => {
    const clients = declaredClients(fn.name);
    const bundle = bundles.get(fn.entry)!;
    const floor = floors.get([...clients].sort().join('+'))!;
    const own = init.get(bundle.file)!;
    const base = init.get(floor.file)!;
    return {
      function: fn.name,
      entry: `${fn.entry} (${fn.exportName})`,
      clients,
      bundleBytes: bundle.bytes,
      floorBytes: floor.bytes,
      bytesRatio: round(bundle.bytes / floor.bytes),
      initMs: round(own.wall, 1),
      floorInitMs: round(base.wall, 1),
      initRatio: round(own.wall / base.wall),
      initCpuMs: round(own.cpu, 1),
      floorInitCpuMs: round(base.cpu, 1),
      initCpuRatio: round(own.cpu / base.cpu),
    };
  });
  return { rows, bundles };
}

/** Measures every deployed function (or those named in `only`, for the smoke test). */
export async function runColdStart(
  runs = DEFAULT_RUNS,
  only?: readonly string[],
): Promise<ColdStartReport> {
  const started = Date.now();
  const all = readStackBuild();
  const stack = only
    ? { ...all, functions: all.functions.filter((f) => only.includes(f.name)) }
    : all;
  const dir = mkdtempSync(join(tmpdir(), 'cdn-pipeline-cold-start-'));
  try {
    const bundled = await rowSet(stack, dir, runs, false);
    const sdkExternal = await rowSet(stack, dir, runs, true);
    const topPackages: Record<string, Array<[string, number]>> = {};
    for (const [entry, b] of bundled.bundles)
      topPackages[entry] = [...bytesByPackage(b.metafile)].slice(0, 8);
    return {
      date: new Date().toISOString(),
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      runs,
      nodeOptions: stack.nodeOptions,
      esbuild: { ...stack.esbuild, exclude: stack.exclude } as Record<string, unknown>,
      bundled: bundled.rows,
      sdkExternal: sdkExternal.rows,
      topPackages,
      seconds: round((Date.now() - started) / 1000, 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const n = (x: number): string => x.toLocaleString('en-US').replace(/,/g, ' ');

function table(rows: readonly ColdStartRow[]): string[] {
  return [
    '| function | bundle bytes | floor bytes | ratio | init ms | floor init ms | ratio | init CPU ms | floor CPU ms | ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.function} | ${n(r.bundleBytes)} | ${n(r.floorBytes)} | ${r.bytesRatio.toFixed(2)} | ` +
        `${r.initMs.toFixed(1)} | ${r.floorInitMs.toFixed(1)} | ${r.initRatio.toFixed(2)} | ` +
        `${r.initCpuMs.toFixed(1)} | ${r.floorInitCpuMs.toFixed(1)} | ${r.initCpuRatio.toFixed(2)} |`,
    ),
  ];
}

/** The Markdown tables `npm run bench` prints. */
export function coldStartTables(report: ColdStartReport): string[] {
  const worst = (rows: readonly ColdStartRow[]) =>
    `worst ratio: bytes ${Math.max(...rows.map((r) => r.bytesRatio)).toFixed(2)}, ` +
    `init ${Math.max(...rows.map((r) => r.initRatio)).toFixed(2)}, ` +
    `init CPU ${Math.max(...rows.map((r) => r.initCpuRatio)).toFixed(2)} (target ≤ 1.30)`;
  const external = new Map(report.sdkExternal.map((r) => [r.function, r]));
  const versus = report.bundled.map((r) => {
    const e = external.get(r.function)!;
    return `| ${r.function} | ${n(r.bundleBytes)} | ${n(e.bundleBytes)} | ${r.initMs.toFixed(1)} | ${e.initMs.toFixed(1)} | ${r.initCpuMs.toFixed(1)} | ${e.initCpuMs.toFixed(1)} |`;
  });
  return [
    `Cold start (issue 9): bundles built with serverless.yml's custom.esbuild; init = median of ` +
      `${report.runs} requires, each in a fresh node ${report.node} process, NODE_OPTIONS=` +
      `${report.nodeOptions || '(none)'}; floor = the function's SDK clients + Powertools Logger ` +
      `and Metrics, same flags; ${report.cpus}; ${report.seconds} s`,
    '',
    'SDK bundled (as deployed):',
    '',
    ...table(report.bundled),
    '',
    worst(report.bundled),
    '',
    'SDK external (@aws-sdk/* from the runtime; init approximated: resolved from node_modules):',
    '',
    ...table(report.sdkExternal),
    '',
    worst(report.sdkExternal),
    '',
    'SDK bundled vs external (the choice: the lower init wins):',
    '',
    '| function | bundled bytes | external bytes | bundled init ms | external init ms | bundled CPU ms | external CPU ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...versus,
  ];
}

/** Writes bench/results/cold-start.json as the repository's formatter would. */
export async function writeColdStart(
  report: ColdStartReport,
  label = 'cold-start',
): Promise<string> {
  const prettier = await import('prettier');
  const file = fileURLToPath(new URL(`./results/${label}.json`, import.meta.url));
  const config = await prettier.resolveConfig(file);
  writeFileSync(file, await prettier.format(JSON.stringify(report), { ...config, parser: 'json' }));
  return `bench/results/${label}.json`;
}

/** `npm run bench -- --only cold-start`: measure, print, write. */
export async function coldStartMain(runs = DEFAULT_RUNS, label = 'cold-start'): Promise<void> {
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--cold-start-runs: a whole number ≥ 1: ${runs}`);
  const report = await runColdStart(runs);
  const written = await writeColdStart(report, label);
  console.log([...coldStartTables(report), '', `Written: ${written}`].join('\n'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = Number(process.env.COLD_START_RUNS ?? DEFAULT_RUNS);
  await coldStartMain(runs, process.env.COLD_START_LABEL ?? 'cold-start');
}
