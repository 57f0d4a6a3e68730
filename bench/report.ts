/**
 * The workload table and the targets: runs every strategy on each workload, formats the
 * rows as Markdown, and reads the targets (HLS share, times below dedupe, uniform calls, CPU)
 * off one run's rows. Used by `npm run bench` and its smoke test.
 */
import { loadInvalidateConfig } from '../functions/invalidate/config.js';
import { STRATEGIES } from './baselines.js';
import { runFeed, type FeedOptions, type FeedResult, type Strategy } from './feed.js';
import { hlsBurst, type Workload } from './workloads.js';

/** CloudFront 2026: invalidations report Completed in under 25 s at P95 (cloudfront-facts §10). */
export const DEFAULT_COMPLETION_SECONDS = 25;
/**
 * Simulated length of one invocation: discovery (cached), ListInvalidations and GetInvalidation,
 * up to 50 bucket listings one after another, and CreateInvalidation (CloudFront's API answers
 * in hundreds of milliseconds to seconds). While one runs, the next batch fills: with a backlog,
 * two invocations start together and read the same in-flight state, as maximumConcurrency 2 lets
 * them.
 */
export const INVOCATION_SECONDS = 5;
/**
 * From an overwrite to its request on the invalidation-requests queue: S3's event delivery
 * ("typically in seconds"), ingest's batch and its SendMessage.
 */
export const EVENT_LAG_SECONDS = 2;
const CPU_TARGET_MS = 50;

export interface BenchTargets {
  readonly hlsBilledShareOfPerObject?: { value: number; target: number; met: boolean };
  readonly hlsTimesBelowDedupe?: { value: number; target: number; met: boolean };
  readonly uniformCalls?: { value: number; target: number; met: boolean };
  readonly cpuMsPer10kRecords: { value: number; target: number; met: boolean };
}

/** One row: the feed's counts, and its CPU as the median of `cpuRuns` repeated feeds. */
export interface BenchRow extends FeedResult {
  readonly cpuRuns: readonly number[];
  /** Whether every repeat gave the same counts (the feed is deterministic; false is a finding). */
  readonly repeatsAgree: boolean;
}

const counts = (r: FeedResult) => JSON.stringify({ ...r, cpuMsPer10kRecords: 0 });

/**
 * Every strategy on every workload, after a small warm-up feed. The pipeline's feed runs
 * `pipelineRepeats` times and its CPU is the median (the machine is shared); the baselines' CPU,
 * for reference only, runs once.
 */
export async function runWorkloads(
  workloads: readonly Workload[],
  options: FeedOptions,
  run: {
    readonly strategies?: readonly Strategy[];
    readonly pipelineRepeats?: number;
    readonly warmUp?: boolean;
  } = {},
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Warm-up, discarded: the first workload should not pay for the process's cold JIT alone.
  if (run.warmUp ?? true) {
    const small = hlsBurst({ ladders: 2, segments: 200, otherLadders: 2, spanMs: 10_000 });
    for (const strategy of run.strategies ?? STRATEGIES) await runFeed(small, strategy, options);
  }
  for (const workload of workloads) {
    for (const strategy of run.strategies ?? STRATEGIES) {
      const repeats = strategy.name === 'pipeline' ? Math.max(1, run.pipelineRepeats ?? 3) : 1;
      const feeds: FeedResult[] = [];
      for (let i = 0; i < repeats; i += 1) feeds.push(await runFeed(workload, strategy, options));
      const cpuRuns = feeds.map((f) => f.cpuMsPer10kRecords);
      const median = [...cpuRuns].sort((a, b) => a - b)[Math.floor(cpuRuns.length / 2)]!;
      rows.push({
        ...feeds[0]!,
        cpuMsPer10kRecords: median,
        cpuRuns,
        repeatsAgree: feeds.every((f) => counts(f) === counts(feeds[0]!)),
      });
    }
  }
  return rows;
}

export const n = (x: number) => x.toLocaleString('en-US').replace(/,/g, ' ');

export function workloadTable(results: readonly BenchRow[]): string[] {
  return [
    '| workload | strategy | calls (refused) | paths billed | over-invalidated | max in flight (files / wildcards) | rounds | max wait s | CPU ms / 10 000 records delivered |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => {
      const rounds = r.toDlq ? `${r.rounds}, ${n(r.toDlq)} to DLQ` : String(r.rounds);
      const cpu = `${r.cpuMsPer10kRecords.toFixed(1)}${r.repeatsAgree ? '' : ' (repeats differ!)'}`;
      return `| ${r.workload} | ${r.strategy} | ${n(r.calls)} (${n(r.refusedCalls)}) | ${n(r.pathsBilled)} | ${n(r.overInvalidated)} | ${n(r.maxInFlightFiles)} / ${r.maxInFlightWildcards} | ${rounds} | ${n(r.maxWaitSeconds)} | ${cpu} |`;
    }),
  ];
}

/** The targets at the deployed defaults, from one run's rows. */
export function targets(results: readonly BenchRow[]): BenchTargets {
  const row = (workload: string, strategy: string) =>
    results.find((r) => r.workload === workload && r.strategy === strategy);
  const hls = row('HLS burst', 'pipeline');
  const hlsDedupe = row('HLS burst', '(b) dedupe + chunks of 3 000');
  const uniform = row('uniform keys', 'pipeline');
  const ceiling = loadInvalidateConfig({}).maxInflightPaths;
  const cpu = Math.max(
    ...results.filter((r) => r.strategy === 'pipeline').map((r) => r.cpuMsPer10kRecords),
  );
  const share = hls ? hls.pathsBilled / hls.records : undefined;
  const below = hls && hlsDedupe ? hlsDedupe.pathsBilled / Math.max(1, hls.pathsBilled) : undefined;
  const callsTarget = uniform ? Math.ceil(uniform.records / ceiling) + 1 : undefined;
  return {
    ...(share !== undefined
      ? { hlsBilledShareOfPerObject: { value: share, target: 0.02, met: share <= 0.02 } }
      : {}),
    ...(below !== undefined
      ? { hlsTimesBelowDedupe: { value: below, target: 20, met: below >= 20 } }
      : {}),
    ...(uniform && callsTarget !== undefined
      ? {
          uniformCalls: {
            value: uniform.calls,
            target: callsTarget,
            met: uniform.calls <= callsTarget,
          },
        }
      : {}),
    cpuMsPer10kRecords: { value: cpu, target: CPU_TARGET_MS, met: cpu <= CPU_TARGET_MS },
  };
}

export function targetLines(t: BenchTargets): string[] {
  const mark = (met: boolean) => (met ? 'met' : 'NOT met');
  const lines: string[] = [];
  if (t.hlsBilledShareOfPerObject) {
    const x = t.hlsBilledShareOfPerObject;
    lines.push(
      `- HLS burst, pipeline paths billed / objects: ${(x.value * 100).toFixed(1)} % (target ≤ 2 %): ${mark(x.met)}`,
    );
  }
  if (t.hlsTimesBelowDedupe) {
    const x = t.hlsTimesBelowDedupe;
    lines.push(
      `- HLS burst, (b) paths billed / pipeline's: ${x.value.toFixed(1)}× (target ≥ 20×): ${mark(x.met)}`,
    );
  }
  if (t.uniformCalls) {
    const x = t.uniformCalls;
    lines.push(
      `- uniform keys, pipeline calls: ${x.value} (target ≤ ⌈paths / ceiling⌉ + 1 = ${x.target}): ${mark(x.met)}`,
    );
  }
  const c = t.cpuMsPer10kRecords;
  lines.push(
    `- invalidate step CPU, worst workload: ${c.value.toFixed(1)} ms per 10 000 records (target ≤ ${c.target} ms): ${mark(c.met)}`,
  );
  return lines;
}
