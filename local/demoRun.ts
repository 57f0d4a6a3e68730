/**
 * LOCAL ONLY. What `npm run demo` does (local/demo.ts prints it): the local pipeline on its own
 * emulator with the local edge, the samples uploaded and ingested, the distribution's additional
 * metrics turned on (CacheHitRate, as `additionalMetrics: true` in a spec does), Zipf traffic
 * to the edge through `cdnUrl()` URLs with two rounds of overwrites of the most popular objects,
 * their invalidations awaited and their new bytes seen at the edge, the edge's logs and metrics
 * flushed, its log files counted by the logs function (the stage's log bucket → log-events queue
 * → per-class counts in CloudWatch, awaited until they account for every request the edge
 * served), then the report's digest (the same handler as on AWS) mailed into the outbox.
 */
import { CreateMonitoringSubscriptionCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { classify } from '../shared/contentClasses.js';
import { cdnUrl } from '../shared/urls.js';
import { edgeCountsByClass, edgeCountsOverall, type ClassCounts } from './demoCounts.js';
import type { DemoOptions } from './demoOptions.js';
import { DEMO_STAGE } from './demoOptions.js';
import { DEMO_SAMPLES, sampleBody, type Sample } from './demoSamples.js';
import { fetchOnce, runTraffic, type Answer, type TrafficTotals } from './demoTraffic.js';
import type { OutboxMail } from './outbox.js';
import { startLocalPipeline, type LocalPipeline } from './pipeline.js';
import { prng } from './prng.js';
import type { Env } from './startOptions.js';

export interface DemoOverwrite {
  readonly key: string;
  readonly version: number;
  /** From the overwrite's PutObject to the first answer with its bytes; undefined: not seen. */
  readonly freshMs: number | undefined;
}

/** One row of the report's per-class table (standard logs), as the digest computed it. */
export interface ReportClassRow {
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  readonly errors: number;
  readonly bytes: number;
  /** Percent: hits / (hits + misses). */
  readonly hitRate: number | undefined;
}

export interface DemoResult {
  readonly stage: string;
  readonly distributionId: string;
  readonly edgeUrl: string;
  readonly durationSeconds: number;
  readonly rate: number;
  readonly samples: number;
  /** What the viewers got (their requests; probes for freshness after the traffic included). */
  readonly traffic: TrafficTotals;
  readonly overwrites: readonly DemoOverwrite[];
  readonly invalidations: number;
  /** Distinct paths the invalidations named. */
  readonly pathsInvalidated: number;
  /** Paths the invalidations sent, all told: what CloudFront bills. */
  readonly pathsSent: number;
  /** The edge's own counts of what it served. */
  readonly edge: { readonly overall: ClassCounts; readonly byClass: Record<string, ClassCounts> };
  readonly report: {
    readonly file: string;
    readonly subject: string;
    readonly window: { readonly start: string; readonly end: string };
    readonly requests: number | undefined;
    readonly hitRate: number | undefined;
    readonly pathsBilled: number | undefined;
    /** The per-class table of the demo's distribution, by class. */
    readonly byClass: Record<string, ReportClassRow>;
  };
  /** Log files the logs function counted before the report, and the requests in them. */
  readonly logs: { readonly files: number; readonly requests: number };
}

export class DemoFailed extends Error {
  override readonly name = 'DemoFailed';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function until(what: string, ms: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new DemoFailed(`${what}: not within ${ms / 1000} s`);
    await sleep(100);
  }
}

/** The samples in popularity order for this seed (rank 1 first). */
function ranked(seed: number): Sample[] {
  const list = [...DEMO_SAMPLES];
  const random = prng(seed + 1);
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');

export async function runDemo(
  options: DemoOptions,
  env: Env,
  io: { progress: (line: string) => void; signal?: AbortSignal },
): Promise<DemoResult> {
  const { progress } = io;
  const ingested = new Set<string>();
  const invalidated = new Set<string>();
  let invalidations = 0;
  let pathsSent = 0;
  const mails: OutboxMail[] = [];
  // What the logs function counted, per distribution (requests), and what it refused.
  const logged = new Map<string, number>();
  let logFiles = 0;
  const logProblems: string[] = [];
  progress('starting the local pipeline (its own emulator, stage demo, the local edge)…');
  const pipeline: LocalPipeline = await startLocalPipeline({
    port: 0,
    reuseEmulator: false,
    stage: DEMO_STAGE,
    env,
    outboxDir: options.outboxDir,
    edge: { port: options.edgePort },
    ...(io.signal ? { signal: io.signal } : {}),
    log: (line) => progress(line),
    onError: (line) => progress(`error: ${line}`),
    observers: {
      ingest: (o) => {
        if (o.status === 'processed') ingested.add(o.key);
      },
      invalidate: (r) => {
        for (const i of r.invalidations) {
          invalidations += 1;
          pathsSent += i.paths.length;
          for (const p of i.paths) invalidated.add(p);
        }
      },
      logs: (o) => {
        if (o.status !== 'counted') {
          logProblems.push(`${o.object.key}: ${o.status === 'rejected' ? o.error : o.status}`);
          return;
        }
        logFiles += 1;
        for (const [id, n] of Object.entries(o.byDistribution))
          logged.set(id, (logged.get(id) ?? 0) + n);
      },
      mail: (m) => mails.push(m),
    },
  });
  try {
    const { clients, distribution, stack } = pipeline;
    const edge = pipeline.edge;
    if (!edge) throw new DemoFailed(`the local edge did not start on port ${options.edgePort}`);
    progress(`edge ${edge.url}  (distribution ${distribution.id})`);

    // The paid CloudFront metric the report's hit rate reads, as a spec's additionalMetrics does.
    await clients.cloudfront.send(
      new CreateMonitoringSubscriptionCommand({
        DistributionId: distribution.id,
        MonitoringSubscription: {
          RealtimeMetricsSubscriptionConfig: { RealtimeMetricsSubscriptionStatus: 'Enabled' },
        },
      }),
    );
    await edge.refresh();

    const samples = ranked(options.seed);
    const put = (s: Sample, version: number) =>
      clients.s3.send(
        new PutObjectCommand({
          Bucket: stack.bucket,
          Key: s.key,
          Body: sampleBody(s, version),
          ContentType: s.contentType,
        }),
      );
    const classes = [...new Set(DEMO_SAMPLES.map((s) => classify(s.key).contentClass))].join(', ');
    progress(`uploading ${samples.length} samples (${classes})…`);
    for (const s of samples) await put(s, 1);
    await until('ingest of the samples', 60_000, () => samples.every((s) => ingested.has(s.key)));

    const urls = samples.map((s) =>
      cdnUrl(s.key, { domain: distribution.domainName, edgeUrl: edge.url }),
    );
    const paths = urls.map((u) => u.slice(edge.url.length));
    const latest = samples.map(() => 1);
    const overwrites: Array<{ index: number; version: number; at: number; freshMs?: number }> = [];
    let answers = 0;
    let hits = 0;
    const onAnswer = (a: Answer) => {
      answers += 1;
      if (a.cache === 'Hit' || a.cache === 'RefreshHit') hits += 1;
      for (const o of overwrites)
        if (o.index === a.index && o.freshMs === undefined && (a.version ?? 0) >= o.version)
          o.freshMs = a.at - o.at;
    };
    const durationMs = options.durationSeconds * 1000;
    progress(
      `traffic for ${options.durationSeconds} s at ${options.rate} requests/s (Zipf, s = 1, ` +
        `over ${samples.length} objects; most popular: ${samples[0]!.key})`,
    );
    const started = Date.now();
    const ticker = setInterval(() => {
      const fresh = overwrites.filter((o) => o.freshMs !== undefined);
      progress(
        `  ${Math.round((Date.now() - started) / 1000)}/${options.durationSeconds} s  ` +
          `${answers} requests  ${pct(hits, answers)} hits  ${overwrites.length} overwrites` +
          (fresh.length ? `  (${fresh.length} fresh at the edge)` : ''),
      );
    }, 5_000);
    const overwriteRound = async (at: number, ranks: number[]) => {
      await sleep(started + at - Date.now());
      if (io.signal?.aborted) return;
      for (const index of ranks) {
        latest[index] = latest[index]! + 1;
        await put(samples[index]!, latest[index]!);
        overwrites.push({ index, version: latest[index]!, at: Date.now() });
        progress(`  overwrote ${samples[index]!.key} with v${latest[index]}`);
      }
    };
    let traffic: TrafficTotals;
    try {
      [traffic] = await Promise.all([
        runTraffic({
          urls,
          durationMs,
          rate: options.rate,
          seed: options.seed,
          onAnswer,
          ...(io.signal ? { signal: io.signal } : {}),
        }),
        overwriteRound(durationMs / 3, [0, 2]),
        overwriteRound((2 * durationMs) / 3, [0, 1]),
      ]);
    } finally {
      clearInterval(ticker);
    }

    progress('waiting for the overwrites to be invalidated and served fresh…');
    const covered = (path: string) =>
      [...invalidated].some(
        (p) => p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))),
      );
    await until('invalidations of the overwrites', 30_000, () =>
      overwrites.every((o) => covered(paths[o.index]!)),
    );
    const byCache = { ...traffic.byCache };
    let probes = 0;
    for (const o of overwrites) {
      const deadline = Date.now() + 10_000;
      while (o.freshMs === undefined && Date.now() < deadline) {
        const a = await fetchOnce(urls[o.index]!);
        probes += 1;
        byCache[a.cache] = (byCache[a.cache] ?? 0) + 1;
        onAnswer({ ...a, index: o.index, at: Date.now() });
        if (o.freshMs === undefined) await sleep(250);
      }
    }
    traffic = { ...traffic, requests: traffic.requests + probes, byCache };

    await edge.flush();
    const tally = edge.tally();
    // The per-class table reads what the logs function counted: wait until it has every request.
    const served = edgeCountsOverall(tally, distribution.id).requests;
    const counted = () => logged.get(distribution.id) ?? 0;
    progress(`waiting for the edge's log files to be counted (${served} requests)…`);
    const logTicker = setInterval(
      () =>
        progress(
          `  ${counted()}/${served} requests counted from ${logFiles} log files` +
            (logProblems.length ? `  (${logProblems.length} not counted)` : ''),
        ),
      2_000,
    );
    try {
      await until('the log files counted', 60_000, () => {
        if (logProblems.length)
          throw new DemoFailed(`log files not counted: ${logProblems.join('; ')}`);
        return counted() >= served;
      });
    } finally {
      clearInterval(logTicker);
    }
    if (counted() !== served)
      throw new DemoFailed(`the logs counted ${counted()} requests, the edge served ${served}`);
    progress(`  ${counted()}/${served} requests counted from ${logFiles} log files`);
    const { buildReportHandlers } = await import('./handlers.js');
    const report = buildReportHandlers(clients, stack, env, { checkSeconds: 60 });
    // The window ends at the end of this minute, so the traffic just sent is in it.
    const time = new Date(Math.ceil((Date.now() + 1) / 60_000) * 60_000);
    progress('running the report (digest)…');
    const digest = await report.digest({ time: time.toISOString() });
    await until('the report in the outbox', 10_000, () =>
      mails.some((m) => m.subject === digest.mail.subject),
    );
    const mail = mails.filter((m) => m.subject === digest.mail.subject).at(-1)!;
    const row = digest.distributions.find((d) => d.distributionId === distribution.id);
    return {
      stage: DEMO_STAGE,
      distributionId: distribution.id,
      edgeUrl: edge.url,
      durationSeconds: options.durationSeconds,
      rate: options.rate,
      samples: samples.length,
      traffic,
      overwrites: overwrites.map((o) => ({
        key: samples[o.index]!.key,
        version: o.version,
        freshMs: o.freshMs,
      })),
      invalidations,
      pathsInvalidated: invalidated.size,
      pathsSent,
      edge: {
        overall: edgeCountsOverall(tally, distribution.id),
        byClass: edgeCountsByClass(tally, { distributionId: distribution.id }),
      },
      report: {
        file: mail.file,
        subject: mail.subject,
        window: digest.window,
        requests: row?.requests,
        hitRate: row?.hitRate,
        pathsBilled: digest.spend?.pathsBilled,
        byClass: Object.fromEntries(
          digest.classes
            .filter((c) => c.distributionId === distribution.id)
            .map((c) => [
              c.contentClass,
              {
                requests: c.requests,
                hits: c.hits,
                misses: c.misses,
                errors: c.errors,
                bytes: c.bytes,
                hitRate: c.hitRate,
              },
            ]),
        ),
      },
      logs: { files: logFiles, requests: counted() },
    };
  } finally {
    await pipeline.stop();
  }
}
