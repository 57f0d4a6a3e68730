/**
 * The planner alone (`planInvalidation`, one big input per round) against what common tools do,
 * on the same generated overwrites: the second table of `npm run bench`. Measured, not asserted.
 * (Just over 300 lines: the scenario generator and the three tools it compares stay together.)
 *
 * Tools compared:
 * - planner:  shared/invalidation/plan.ts, one call per round, deferred requests come back in the
 *             next round (by then the earlier invalidations have completed);
 * - baseline: one path per key, chunked at 3 000, wildcards sent as plain paths, all calls at once
 *             (the per-deploy plugins and CDK's BucketDeployment with explicit paths);
 * - milliHQ:  paths normalised (duplicates and paths under a shorter wildcard dropped), calls
 *             filled with ≤ 3 000 paths of which ≤ 15 wildcards, no in-flight accounting.
 * Quota model for baseline/milliHQ: their calls overlap (an invalidation takes minutes), nothing
 * completes during the burst; a call that would take the distribution over 3 000 files or 15
 * wildcards in flight is rejected by CloudFront and counted as a violation (not billed).
 */
import { performance } from 'node:perf_hooks';
import { prng } from '../local/prng.js';
import {
  planInvalidation,
  wildcardCandidates,
  type PathRequest,
} from '../shared/invalidation/plan.js';

const QUOTA = { files: 3000, wildcards: 15 } as const;
const LIMITS = { maxFiles: 2800, maxWildcards: 13 } as const;
const COLLAPSE = { minSiblings: 20, maxUnchanged: 100 } as const;
const SIZES = [100, 1_000, 10_000, 50_000] as const;
const SHAPES = ['dense', 'sparse', 'mix'] as const;
const IN_FLIGHT = [0, 2000] as const;
type Shape = (typeof SHAPES)[number];

interface Scenario {
  readonly name: string;
  readonly requests: PathRequest[];
  readonly objectsUnder: Map<string, number>;
}

export interface PlannerAloneRow {
  readonly scenario: string;
  readonly keys: number;
  readonly inFlight: number;
  readonly tool: 'planner' | 'baseline' | 'milliHQ';
  readonly planMs: number;
  readonly calls: number;
  readonly pathsBilled: number;
  readonly deferred: number;
  readonly violations: number;
}

const hex = (rand: () => number, n: number): string =>
  Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

/**
 * Overwritten keys as CloudFront paths, plus what a bucket listing would say about the folders.
 * dense: re-rendered videos, 240 frames each, in `/renders/2026/11/<id>/` (the month holds 4×
 * as many renders as were redone); sparse: `/reports/<uuid>.pdf` among 500 000 reports; mix: 50 %
 * renders, 30 % reports, 20 % images in per-user folders (1–30 changed of 40), and 0.1 % live
 * stream wildcards `/live/<channel>/*`.
 */
function scenario(shape: Shape, keys: number): Scenario {
  const rand = prng(keys * 31 + shape.length);
  const paths: string[] = [];
  const objects = new Map<string, number>();
  const add = (folder: string, n: number): void => {
    objects.set(folder, (objects.get(folder) ?? 0) + n);
  };
  const renders = (n: number): void => {
    const ids = Math.ceil(n / 240);
    for (let i = 0; i < ids && paths.length < keys; i += 1) {
      const id = hex(rand, 12);
      add(`/renders/2026/11/${id}/`, 240);
      for (let f = 1; f <= 240 && n > 0; f += 1, n -= 1) {
        paths.push(`/renders/2026/11/${id}/frame-${String(f).padStart(4, '0')}.png`);
      }
    }
    add('/renders/2026/11/', ids * 240 * 4);
    add('/renders/2026/', ids * 240 * 4 * 3);
    add('/renders/', ids * 240 * 4 * 3 * 2);
  };
  const reports = (n: number): void => {
    for (let i = 0; i < n; i += 1) paths.push(`/reports/${hex(rand, 8)}-${hex(rand, 4)}.pdf`);
    add('/reports/', 500_000);
  };
  const images = (n: number): void => {
    while (n > 0) {
      const user = `/img/u${hex(rand, 6)}/`;
      add(user, 40);
      for (let changed = 1 + Math.floor(rand() * 30); changed > 0 && n > 0; changed -= 1, n -= 1) {
        paths.push(`${user}${hex(rand, 6)}.webp`);
      }
    }
    add('/img/', 2_000_000);
  };
  if (shape === 'dense') renders(keys);
  if (shape === 'sparse') reports(keys);
  if (shape === 'mix') {
    const live = Math.floor(keys / 1000);
    for (let i = 0; i < live; i += 1) paths.push(`/live/ch${i}/*`);
    renders(Math.floor(keys * 0.5));
    reports(Math.floor(keys * 0.3));
    images(keys - paths.length);
  }
  add('/', 5_000_000);
  // Shuffle: overwrites arrive interleaved, not folder by folder.
  for (let i = paths.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [paths[i], paths[j]] = [paths[j]!, paths[i]!];
  }
  const requests = paths.map((path, i) => ({ id: `msg-${i}`, path }));
  // What the invalidate function would learn by listing the candidate folders.
  const objectsUnder = new Map<string, number>();
  for (const folder of [...wildcardCandidates(paths, 2), '/']) {
    const known = objects.get(folder);
    if (known !== undefined) objectsUnder.set(folder, known);
  }
  return { name: shape, requests, objectsUnder };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timed<T>(runs: number, fn: () => T): { result: T; ms: number } {
  const times: number[] = [];
  let result = fn(); // warm-up, not counted
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    result = fn();
    times.push(performance.now() - started);
  }
  return { result, ms: median(times) };
}

/** Calls issued together; each rejected when it would exceed a quota. */
function burst(
  calls: readonly string[][],
  inFlightFiles: number,
): { billed: number; violations: number } {
  let files = inFlightFiles;
  let wildcards = 0;
  let billed = 0;
  let violations = 0;
  for (const call of calls) {
    const w = call.filter((p) => p.endsWith('*')).length;
    const f = call.length - w;
    if (files + f > QUOTA.files || wildcards + w > QUOTA.wildcards) {
      violations += 1;
      continue;
    }
    files += f;
    wildcards += w;
    billed += call.length;
  }
  return { billed, violations };
}

function baseline(requests: readonly PathRequest[]): string[][] {
  const calls: string[][] = [];
  for (let i = 0; i < requests.length; i += QUOTA.files) {
    calls.push(requests.slice(i, i + QUOTA.files).map((r) => r.path));
  }
  return calls;
}

function milliHQ(requests: readonly PathRequest[]): string[][] {
  const distinct = [...new Set(requests.map((r) => r.path))].sort();
  const wildcards = distinct.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  const kept = distinct.filter((p) => {
    const self = p.endsWith('*') ? p.slice(0, -1) : undefined;
    return !wildcards.some(
      (w) => w !== self && p.startsWith(w) && (!self || w.length < self.length),
    );
  });
  const calls: string[][] = [];
  let call: string[] = [];
  let w = 0;
  for (const path of kept) {
    const wild = path.endsWith('*');
    if (call.length === QUOTA.files || (wild && w === QUOTA.wildcards)) {
      calls.push(call);
      call = [];
      w = 0;
    }
    call.push(path);
    if (wild) w += 1;
  }
  if (call.length > 0) calls.push(call);
  return calls;
}

function planner(
  s: Scenario,
  inFlight: number,
  runs: number,
): Omit<PlannerAloneRow, 'scenario' | 'keys' | 'inFlight'> {
  const input = (requests: readonly PathRequest[], files: number) => ({
    requests,
    inFlight: { files, wildcards: 0 },
    limits: LIMITS,
    collapse: COLLAPSE,
    objectsUnder: s.objectsUnder,
  });
  const first = timed(runs, () => planInvalidation(input(s.requests, inFlight)));
  let plan = first.result;
  let calls = 0;
  let billed = 0;
  let violations = 0;
  let files = inFlight;
  for (let round = 0; round < 200; round += 1) {
    if (plan.paths.length > 0) {
      calls += 1;
      billed += plan.paths.length;
      if (files + plan.files > QUOTA.files || plan.wildcards > QUOTA.wildcards) violations += 1;
    }
    if (plan.deferred.length === 0) break;
    const left = new Set(plan.deferred);
    files = 0; // the next round comes after the earlier invalidations completed
    plan = planInvalidation(
      input(
        s.requests.filter((r) => left.has(r.id)),
        files,
      ),
    );
  }
  return {
    tool: 'planner',
    planMs: first.ms,
    calls,
    pathsBilled: billed,
    deferred: first.result.deferred.length,
    violations,
  };
}

export interface PlannerAlone {
  readonly limits: typeof LIMITS;
  readonly collapse: typeof COLLAPSE;
  readonly quota: typeof QUOTA;
  readonly seconds: number;
  readonly rows: PlannerAloneRow[];
}

/** Every size × shape × in-flight scenario, each tool, in one run. */
export function runPlannerAlone(sizes: readonly number[] = SIZES): PlannerAlone {
  const rows: PlannerAloneRow[] = [];
  const started = performance.now();
  for (const keys of sizes) {
    for (const shape of SHAPES) {
      const s = scenario(shape, keys);
      const runs = keys <= 10_000 ? 9 : 5;
      for (const inFlight of IN_FLIGHT) {
        const base = { scenario: s.name, keys, inFlight };
        rows.push({ ...base, ...planner(s, inFlight, runs) });
        const b = timed(runs, () => baseline(s.requests));
        rows.push({
          ...base,
          tool: 'baseline',
          planMs: b.ms,
          calls: b.result.length,
          ...pick(burst(b.result, inFlight)),
          deferred: 0,
        });
        const m = timed(runs, () => milliHQ(s.requests));
        const firstCall = new Set(m.result[0] ?? []);
        const wild = [...firstCall].filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
        const coveredFirst = (p: string): boolean =>
          firstCall.has(p) || wild.some((w) => p.startsWith(w));
        rows.push({
          ...base,
          tool: 'milliHQ',
          planMs: m.ms,
          calls: m.result.length,
          ...pick(burst(m.result, inFlight)),
          deferred: s.requests.filter((r) => !coveredFirst(r.path)).length,
        });
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { limits: LIMITS, collapse: COLLAPSE, quota: QUOTA, seconds, rows };
}

/** The planner-alone table, as Markdown lines. */
export function plannerAloneTable(result: PlannerAlone): string[] {
  const { limits, collapse } = result;
  return [
    `Planner alone (one input per round): limits ${limits.maxFiles}/${limits.maxWildcards}, collapse ≥ ${collapse.minSiblings} siblings, ` +
      `≤ ${collapse.maxUnchanged} unchanged; ${result.seconds.toFixed(1)} s`,
    '',
    '| scenario | keys | in flight | tool | plan ms (median) | calls | paths billed | deferred (1st call) | quota violations |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|',
    ...result.rows.map(
      (r) =>
        `| ${r.scenario} | ${r.keys} | ${r.inFlight} | ${r.tool} | ${r.planMs.toFixed(2)} | ${r.calls} | ${r.pathsBilled} | ${r.deferred} | ${r.violations} |`,
    ),
  ];
}

function pick(b: { billed: number; violations: number }): {
  pathsBilled: number;
  violations: number;
} {
  return { pathsBilled: b.billed, violations: b.violations };
}
