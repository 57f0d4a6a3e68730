/**
 * LOCAL ONLY. The demo's viewers: GET requests to the local edge at a steady rate for a while,
 * the object of each picked by Zipf popularity (local/demoZipf.ts), a few at once over kept-alive
 * connections, no Accept-Encoding (the identity bytes, whose first line is their version). Each
 * answer is reported (status, X-Cache, version) for the demo's counts and freshness figures.
 */
import { Agent, request } from 'node:http';
import { prng } from './prng.js';
import { versionOf } from './demoSamples.js';
import { zipfSampler } from './demoZipf.js';

export interface Answer {
  readonly index: number;
  readonly status: number;
  /** `Hit`, `RefreshHit`, `Miss`, `Error` (X-Cache without " from cloudfront"), or `failed`. */
  readonly cache: string;
  readonly version: number | undefined;
  readonly at: number;
}

export interface TrafficOptions {
  /** The objects' URLs, most popular first. */
  readonly urls: readonly string[];
  readonly durationMs: number;
  /** Requests a second, all viewers together. */
  readonly rate: number;
  readonly concurrency?: number;
  readonly seed?: number;
  /** Zipf exponent (default 1). */
  readonly s?: number;
  readonly onAnswer?: (answer: Answer) => void;
  readonly signal?: AbortSignal;
}

export interface TrafficTotals {
  readonly requests: number;
  readonly failed: number;
  readonly byCache: Readonly<Record<string, number>>;
}

/** One GET: status, X-Cache and the body's version. */
export function fetchOnce(url: string, agent?: Agent): Promise<Omit<Answer, 'index' | 'at'>> {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers: { 'user-agent': 'cdn-pipeline-demo' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          cache: String(res.headers['x-cache'] ?? 'none').replace(/ from cloudfront$/i, ''),
          version: versionOf(Buffer.concat(chunks)),
        }),
      );
      res.on('error', () => resolve({ status: 0, cache: 'failed', version: undefined }));
    });
    req.on('error', () => resolve({ status: 0, cache: 'failed', version: undefined }));
    req.end();
  });
}

export async function runTraffic(options: TrafficOptions): Promise<TrafficTotals> {
  const concurrency = options.concurrency ?? 4;
  const pick = zipfSampler(options.urls.length, options.s ?? 1, prng(options.seed ?? 1));
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const byCache: Record<string, number> = {};
  let requests = 0;
  let failed = 0;
  const started = Date.now();
  const end = started + options.durationMs;
  const gapMs = (1000 * concurrency) / options.rate;

  const viewer = async (n: number) => {
    let next = started + (gapMs * n) / concurrency;
    while (!options.signal?.aborted) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (Date.now() >= end || options.signal?.aborted) return;
      const index = pick();
      const answer = await fetchOnce(options.urls[index]!, agent);
      requests += 1;
      if (answer.cache === 'failed') failed += 1;
      byCache[answer.cache] = (byCache[answer.cache] ?? 0) + 1;
      options.onAnswer?.({ ...answer, index, at: Date.now() });
      next = Math.max(next + gapMs, Date.now() - gapMs); // behind schedule: no burst to catch up
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, n) => viewer(n)));
  } finally {
    agent.destroy();
  }
  return { requests, failed, byCache };
}
