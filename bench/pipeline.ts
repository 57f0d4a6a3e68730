/**
 * `npm run bench:pipeline`: the local pipeline end to end (issue 9), through the composition
 * `npm start` runs (`local/pipeline.ts`) on its own embedded emulator. In one run: the emulator's
 * bare PutObject rate (the ceiling on this machine), N uploads of new objects from 16 concurrent
 * clients → tagged, then N overwrites → invalidation created (per key: from its PutObject's
 * answer to the first invalidation covering its path), the CreateInvalidation calls beside their
 * lower bound, and the most batches each poller had in flight. Measured, never asserted; writes
 * bench/results/<label>.json.
 *
 * A phase that does not finish within `--max-minutes` (the emulator's cost grows with the
 * bucket) is written down as incomplete, with what was done by then.
 *
 * `npm run bench:pipeline -- [--objects 2000] [--clients 16] [--max-minutes 30]
 *   [--label pipeline] [--json]`
 */
import './quiet.js';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { InvalidationOutcome } from '../functions/invalidate/types.js';
import { startLocalPipeline } from '../local/pipeline.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '16' },
    label: { type: 'string', default: 'pipeline' },
    'max-minutes': { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.objects);
const CLIENTS = Number(values.clients);
const label = values.label!;
if (!Number.isInteger(N) || N < 1) throw new Error(`--objects: a whole number ≥ 1: ${N}`);
if (!Number.isInteger(CLIENTS) || CLIENTS < 1)
  throw new Error(`--clients: a whole number ≥ 1: ${values.clients}`);
if (!/^[A-Za-z0-9._-]+$/.test(label))
  throw new Error(`--label: letters, digits, ".", "_" and "-" only: ${label}`);
/** Issue 9's targets. */
const TARGETS = { throughputRatio: 0.67, p99OverWindowMs: 2000 } as const;
const WAIT_MS = Number(values['max-minutes']) * 60_000;
if (!(WAIT_MS > 0)) throw new Error(`--max-minutes: a number above 0: ${values['max-minutes']}`);
const incomplete: string[] = [];

async function pool<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

/** Waits for `check`; after WAIT_MS notes `what()` as incomplete and goes on. */
async function until(check: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) {
      incomplete.push(`${what()} after ${WAIT_MS / 60_000} min`);
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The keys of `pending` an invalidation's paths cover (exact paths, and `/prefix*` wildcards). */
function covered(paths: readonly string[], pending: ReadonlySet<string>): string[] {
  const exact = new Set(paths.filter((p) => !p.endsWith('*')));
  const prefixes = paths.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return [...pending].filter((key) => {
    const path = `/${key}`; // the bench's keys need no encoding
    return exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix));
  });
}

const tagged = new Set<string>();
/** Ingest outcomes of the new-objects phase: more than `tagged.size` means duplicates. */
let processedNew = 0;
/** Overwritten key → when its PutObject answered (ms, performance clock). */
const overwrittenAt = new Map<string, number>();
const awaitingInvalidation = new Set<string>();
const latencies: number[] = [];
const overwriteInvalidations: InvalidationOutcome[] = [];
const maxInFlight = { ingest: 0, invalidate: 0 };
let phase: 'setup' | 'new' | 'overwrite' = 'setup';

const pipeline = await startLocalPipeline({
  port: 0,
  reuseEmulator: false,
  stage: 'bench',
  env: {},
  onError: () => {},
  observers: {
    ingest: (o) => {
      if (o.status === 'processed' && phase === 'new') {
        tagged.add(o.key);
        processedNew += 1;
      }
    },
    invalidate: (r) => {
      if (phase !== 'overwrite') return;
      const now = performance.now();
      for (const invalidation of r.invalidations) {
        overwriteInvalidations.push(invalidation);
        for (const key of covered(invalidation.paths, awaitingInvalidation)) {
          const at = overwrittenAt.get(key);
          if (at === undefined) continue; // requested before its PutObject answered: not yet timed
          latencies.push(now - at);
          awaitingInvalidation.delete(key);
        }
      }
    },
    batch: (queue, result) => {
      maxInFlight[queue] = Math.max(maxInFlight[queue], result.inFlight);
    },
  },
});
try {
  const { clients, stack, polling, distribution } = pipeline;
  const keys = Array.from({ length: N }, (_, i) => `renders/job-${i % 10}/frame-${i}.png`);

  // The ceiling: the emulator alone, PutObject into a bucket nobody listens to.
  const bare = 'cdn-pipeline-bench-bare';
  await clients.s3.send(new CreateBucketCommand({ Bucket: bare }));
  let t = performance.now();
  await pool(keys, (Key) =>
    clients.s3.send(new PutObjectCommand({ Bucket: bare, Key, Body: 'x' })),
  );
  const bareMs = performance.now() - t;

  // New objects: classified and tagged, no invalidation.
  phase = 'new';
  t = performance.now();
  await pool(keys, (Key) =>
    clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key, Body: 'v1' })),
  );
  const uploadMs = performance.now() - t;
  await until(
    () => tagged.size >= N,
    () => `new objects: ${tagged.size} of ${N} tagged`,
  );
  const taggedMs = performance.now() - t;
  const taggedCount = tagged.size;

  // Overwrites: each key timed from its PutObject's answer to the invalidation covering it.
  for (const key of keys) awaitingInvalidation.add(key);
  phase = 'overwrite';
  t = performance.now();
  await pool(keys, async (Key) => {
    await clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key, Body: 'v2' }));
    overwrittenAt.set(Key, performance.now());
  });
  const overwriteUploadMs = performance.now() - t;
  await until(
    () => awaitingInvalidation.size === 0,
    () => `overwrites: ${N - awaitingInvalidation.size} of ${N} invalidated`,
  );
  const overwriteMs = performance.now() - t;

  const bareRate = (N / bareMs) * 1000;
  const taggedRate = (taggedCount / taggedMs) * 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const windowMs = polling.invalidate.windowMs;
  const calls = overwriteInvalidations.length;
  // Each invocation gets at most batchSize requests and makes at least one call per distribution.
  const lowerBound = Math.ceil(N / polling.invalidate.batchSize);
  const report = {
    label,
    date: new Date().toISOString(),
    commit: commit(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    loadAverage: loadavg()[0] ?? 0,
    objects: N,
    clients: CLIENTS,
    ...(incomplete.length ? { incomplete } : {}),
    polling,
    distributions: [distribution.id],
    bare: { ms: bareMs, perSecond: bareRate },
    newObjects: {
      uploadMs,
      uploadPerSecond: (N / uploadMs) * 1000,
      taggedMs,
      tagged: taggedCount,
      /** Records ingested more than once (a batch that outlasted the visibility timeout). */
      duplicates: processedNew - tagged.size,
      taggedPerSecond: taggedRate,
      ratioToBare: taggedRate / bareRate,
    },
    overwrites: {
      uploadMs: overwriteUploadMs,
      allInvalidatedMs: overwriteMs,
      latencyMs: { p50, p99, max: sorted.at(-1) ?? NaN },
      createInvalidationCalls: calls,
      lowerBound,
      paths: overwriteInvalidations.reduce((n, i) => n + i.paths.length, 0),
      wildcards: overwriteInvalidations.reduce((n, i) => n + i.wildcards, 0),
    },
    maxBatchesInFlight: maxInFlight,
    targets: {
      throughputRatio: {
        value: taggedRate / bareRate,
        target: TARGETS.throughputRatio,
        met: taggedRate / bareRate >= TARGETS.throughputRatio,
      },
      p99OverwriteToInvalidationMs: {
        value: p99,
        target: windowMs + TARGETS.p99OverWindowMs,
        met: p99 <= windowMs + TARGETS.p99OverWindowMs,
      },
    },
  };
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const prettier = await import('prettier');
  const config = await prettier.resolveConfig(fileURLToPath(import.meta.url));
  writeFileSync(
    new URL(`${label}.json`, dir),
    await prettier.format(JSON.stringify(report), { ...config, parser: 'json' }),
  );
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const s = (ms: number) => (ms / 1000).toFixed(1);
    const rate = (ms: number) => ((N / ms) * 1000).toFixed(0);
    const yes = (met: boolean) => (met ? 'met' : 'missed');
    const { ingest, invalidate } = polling;
    console.log(
      [
        `${N} objects, ${CLIENTS} concurrent clients; commit ${report.commit}; node ` +
          `${process.version}; ${report.cpus}; load ${report.loadAverage.toFixed(1)}`,
        `pollers: ingest batches of ${ingest.batchSize}, window ${ingest.windowMs} ms, ≤ ` +
          `${ingest.maxConcurrency} at once (max seen ${maxInFlight.ingest}); invalidate ` +
          `batches of ${invalidate.batchSize}, window ${invalidate.windowMs} ms, ≤ ` +
          `${invalidate.maxConcurrency} at once (max seen ${maxInFlight.invalidate})`,
        '',
        '| step | total s | objects/s |',
        '|---|---:|---:|',
        `| emulator PutObject alone (ceiling) | ${s(bareMs)} | ${rate(bareMs)} |`,
        `| uploads of new objects | ${s(uploadMs)} | ${rate(uploadMs)} |`,
        `| new objects: upload → tagged | ${s(taggedMs)} | ${taggedRate.toFixed(0)} |`,
        `| overwrites: upload → every key invalidated | ${s(overwriteMs)} | ${rate(overwriteMs)} |`,
        '',
        `upload → tagged ${(taggedRate / bareRate).toFixed(2)}× the bare PutObject rate ` +
          `(target ≥ ${TARGETS.throughputRatio}×: ${yes(report.targets.throughputRatio.met)})`,
        `overwrite → invalidation created: p50 ${s(p50)} s, p99 ${s(p99)} s (target ≤ window ` +
          `${s(windowMs)} s + 2 s: ${yes(report.targets.p99OverwriteToInvalidationMs.met)})`,
        `${calls} CreateInvalidation calls for ${N} overwrites (lower bound ${lowerBound}: ` +
          `⌈${N} / batch size ${invalidate.batchSize}⌉ on 1 distribution)`,
        ...(incomplete.length ? ['', `INCOMPLETE: ${incomplete.join('; ')}`] : []),
        '',
        `Written: bench/results/${label}.json`,
      ].join('\n'),
    );
  }
} finally {
  await pipeline.stop();
}
