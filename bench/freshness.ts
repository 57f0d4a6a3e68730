/**
 * Freshness at the edge (issue 12): how long after an overwrite the local edge serves the new
 * bytes, against the invalidate batching window. The local pipeline as `npm start` runs it
 * (local/pipeline.ts: its own emulator, the pollers with LOCAL_POLLING, the local edge): a few
 * objects are uploaded and cached at the edge; then, in rounds started at seeded random points
 * of the window, some of them are overwritten at once and each one's URL is polled every 50 ms
 * until its new version comes back. Per overwrite, from its PutObject's answer: the invalidation
 * covering its path created (the invalidate function's report), and its new bytes at the edge.
 * p50 / p99 (nearest rank) / max, measured, never asserted.
 *
 * `npm run bench -- --only freshness [--freshness-runs 30]`, or `tsx bench/freshness.ts`.
 * Writes bench/results/freshness.json.
 */
import './quiet.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fetchOnce } from '../local/demoTraffic.js';
import { startLocalPipeline } from '../local/pipeline.js';
import { prng } from '../local/prng.js';
import { cdnUrl } from '../shared/urls.js';

export const DEFAULT_FRESHNESS_RUNS = 30;
/** Overwrites per round (at once), and the objects they rotate over. */
const PER_ROUND = 3;
const OBJECTS = 6;
const POLL_MS = 50;
const GIVE_UP_MS = 30_000;

export interface Spread {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly min: number;
}

export interface FreshnessReport {
  readonly date: string;
  readonly node: string;
  readonly cpus: string;
  readonly runs: number;
  /** The invalidate poller's batching window here (LOCAL_POLLING), ms. */
  readonly windowMs: number;
  /** How often the edge lists invalidations, ms. */
  readonly edgePollMs: number;
  readonly pollMs: number;
  /** Overwrite → invalidation created, ms. */
  readonly invalidationMs: Spread;
  /** Overwrite → new bytes served by the edge, ms. */
  readonly freshMs: Spread;
  /** Overwrites not served fresh within 30 s. */
  readonly neverFresh: number;
  readonly samples: ReadonlyArray<{ readonly invalidationMs?: number; readonly freshMs?: number }>;
}

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    min: sorted[0] ?? NaN,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function runFreshness(runs = DEFAULT_FRESHNESS_RUNS): Promise<FreshnessReport> {
  const created = new Map<string, number>(); // path → when an invalidation covering it was made
  const ingested = new Set<string>();
  const pipeline = await startLocalPipeline({
    port: 0,
    reuseEmulator: false,
    stage: 'bench-fresh',
    env: {},
    edge: { port: 0 },
    observers: {
      ingest: (o) => {
        if (o.status === 'processed') ingested.add(o.key);
      },
      invalidate: (r) => {
        const at = Date.now();
        for (const i of r.invalidations) for (const p of i.paths) created.set(p, at);
      },
    },
  });
  try {
    const { clients, stack, distribution } = pipeline;
    const edge = pipeline.edge!;
    const keys = Array.from({ length: OBJECTS }, (_, i) => `images/fresh-${i}.png`);
    const urls = keys.map((k) => cdnUrl(k, { domain: distribution.domainName, edgeUrl: edge.url }));
    const paths = urls.map((u) => u.slice(edge.url.length));
    const version = keys.map(() => 1);
    const put = (i: number) =>
      clients.s3.send(
        new PutObjectCommand({
          Bucket: stack.bucket,
          Key: keys[i],
          Body: `v${version[i]} ${keys[i]}\n`,
          ContentType: 'image/png',
        }),
      );
    for (let i = 0; i < OBJECTS; i++) await put(i);
    const deadline = Date.now() + 60_000;
    while (!keys.every((k) => ingested.has(k)) && Date.now() < deadline) await sleep(100);
    for (const url of urls) await fetchOnce(url); // cached at the edge: v1

    const windowMs = pipeline.polling.invalidate.windowMs;
    const random = prng(12);
    const samples: Array<{ invalidationMs?: number; freshMs?: number }> = [];
    let next = 0;
    while (samples.length < runs) {
      await sleep(random() * windowMs); // a different point of the window each round
      const round = Array.from(
        { length: Math.min(PER_ROUND, runs - samples.length) },
        () => next++ % OBJECTS,
      );
      await Promise.all(
        round.map(async (i) => {
          version[i]! += 1;
          const want = version[i]!;
          created.delete(paths[i]!);
          await put(i);
          const at = Date.now();
          let freshMs: number | undefined;
          while (Date.now() - at < GIVE_UP_MS) {
            const answer = await fetchOnce(urls[i]!);
            if ((answer.version ?? 0) >= want) {
              freshMs = Date.now() - at;
              break;
            }
            await sleep(POLL_MS);
          }
          const made = created.get(paths[i]!);
          samples.push({
            ...(made !== undefined ? { invalidationMs: Math.max(0, made - at) } : {}),
            ...(freshMs !== undefined ? { freshMs } : {}),
          });
        }),
      );
    }
    const of = (f: 'invalidationMs' | 'freshMs') =>
      samples.flatMap((s) => (s[f] !== undefined ? [s[f]] : []));
    return {
      date: new Date().toISOString(),
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      runs: samples.length,
      windowMs,
      edgePollMs: 500,
      pollMs: POLL_MS,
      invalidationMs: spread(of('invalidationMs')),
      freshMs: spread(of('freshMs')),
      neverFresh: samples.filter((s) => s.freshMs === undefined).length,
      samples,
    };
  } finally {
    await pipeline.stop();
  }
}

const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');

/** The Markdown table the README's performance section shows. */
export function freshnessTable(r: FreshnessReport): string[] {
  const row = (name: string, x: Spread) =>
    `| ${name} | ${s(x.p50)} | ${s(x.p99)} | ${s(x.max)} | ${(x.p50 / r.windowMs).toFixed(2)}× |`;
  return [
    `Freshness at the local edge: ${r.runs} overwrites, invalidate window ${s(r.windowMs)}, ` +
      `edge lists invalidations every ${s(r.edgePollMs)}, URL polled every ${r.pollMs} ms` +
      (r.neverFresh ? `; ${r.neverFresh} never fresh within 30 s` : ''),
    '',
    '| from the overwrite (PutObject answered) to | p50 | p99 | max | p50 / window |',
    '|---|---|---|---|---|',
    row('invalidation created', r.invalidationMs),
    row('new bytes served by the edge', r.freshMs),
  ];
}

/** `npm run bench -- --only freshness`: measure, print, write. */
export async function freshnessMain(runs = DEFAULT_FRESHNESS_RUNS): Promise<void> {
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--freshness-runs: a whole number ≥ 1: ${runs}`);
  const report = await runFreshness(runs);
  const prettier = await import('prettier');
  const file = fileURLToPath(new URL('./results/freshness.json', import.meta.url));
  const config = await prettier.resolveConfig(file);
  writeFileSync(file, await prettier.format(JSON.stringify(report), { ...config, parser: 'json' }));
  console.log([...freshnessTable(report), '', 'Written: bench/results/freshness.json'].join('\n'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await freshnessMain(Number(process.env.FRESHNESS_RUNS ?? DEFAULT_FRESHNESS_RUNS));
}
