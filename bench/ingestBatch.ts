/**
 * Ingest on the emulator: a batch of 10 S3 notifications (versioned bucket, each an overwrite,
 * the AWS event shape with version ids) handled by the same handler Lambda runs, against the
 * slowest of the same records handled one per invocation; and the AWS calls it makes per object.
 * Every run uses keys ingest has never seen, so each pays the same calls (fresh tags to write).
 */
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { performance } from 'node:perf_hooks';
import { loadIngestConfig } from '../functions/ingest/config.js';
import { createIngestHandler } from '../functions/ingest/handler.js';
import { startEmulator } from '../local/emulator.js';
import { createClients, type AwsClients } from '../shared/clients.js';
import { eventFor } from './ingestEvents.js';
import { parallelModelClients } from './ingestModel.js';

export const BATCH_SIZE = 10;

/** One measurement: a batch against the slowest of its records alone. */
export interface IngestMeasurement {
  /** Where the calls went (absent in results from before the model: the emulator). */
  readonly backend?: IngestBackend;
  /** Extra latency added to every AWS call, ms (0: the emulator as it is). */
  readonly addedLatencyMs: number;
  /** Median over repeats of the batch handled in one invocation, ms. */
  readonly batchMs: number;
  /** Median over repeats of the slowest record handled alone, ms. */
  readonly slowestSingleMs: number;
  /** batchMs / slowestSingleMs (target ≤ 1.5). */
  readonly ratio: number;
  /** AWS calls during one batch, per object. */
  readonly callsPerObject: number;
  readonly callsByOperation: Readonly<Record<string, number>>;
  /** The most calls in flight at once during a batch. */
  readonly maxInFlight: number;
  /** Mean ms of one call, by operation, for the records alone and in the batch. */
  readonly callMs: {
    readonly single: Readonly<Record<string, number>>;
    readonly batch: Readonly<Record<string, number>>;
  };
}

/** How much the emulator gains from concurrent calls: 10 GetObjectTagging at once vs in turn. */
export interface EmulatorParallelism {
  readonly oneCallMs: number;
  readonly tenInTurnMs: number;
  readonly tenAtOnceMs: number;
}

export interface IngestBatchResult {
  readonly records: number;
  readonly repeats: number;
  readonly emulator: EmulatorParallelism;
  /** INGEST_CONCURRENCY as the bench ran it (absent before it existed). */
  readonly concurrency?: number;
  readonly measurements: readonly IngestMeasurement[];
  readonly seconds: number;
}

/** The part of an SDK client's middleware stack the bench uses (the same for every client). */
interface Stack {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize' | 'finalizeRequest'; name: string },
  ): void;
}
const stacks = (clients: Pick<AwsClients, 's3' | 'sqs'>): Stack[] =>
  [clients.s3.middlewareStack, clients.sqs.middlewareStack] as unknown as Stack[];

interface Counter {
  calls: Map<string, number>;
  inFlight: number;
  maxInFlight: number;
  ms: Map<string, number>;
}

/** Counts every command sent through the clients (by name) and the most in flight at once. */
function countCalls(clients: Pick<AwsClients, 's3' | 'sqs'>): Counter {
  const counter: Counter = { calls: new Map(), inFlight: 0, maxInFlight: 0, ms: new Map() };
  for (const stack of stacks(clients)) {
    stack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        counter.calls.set(name, (counter.calls.get(name) ?? 0) + 1);
        counter.inFlight += 1;
        counter.maxInFlight = Math.max(counter.maxInFlight, counter.inFlight);
        const t0 = performance.now();
        try {
          return await next(args);
        } finally {
          counter.ms.set(name, (counter.ms.get(name) ?? 0) + performance.now() - t0);
          counter.inFlight -= 1;
        }
      },
      { step: 'initialize', name: 'benchCallCounter' },
    );
  }
  return counter;
}

/** Mean ms of a call, by operation. */
const average = (counter: Counter): Record<string, number> =>
  Object.fromEntries(
    [...counter.calls.entries()]
      .sort()
      .map(([k, v]) => [k, Number(((counter.ms.get(k) ?? 0) / v).toFixed(1))]),
  );

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Medians of `repeats` rounds: one GetObjectTagging, ten in turn, ten at once. */
async function probeEmulator(
  clients: Pick<AwsClients, 's3'>,
  bucket: string,
  key: string,
  repeats: number,
): Promise<EmulatorParallelism> {
  const get = () => clients.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
  const time = async (work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    return performance.now() - t0;
  };
  const one: number[] = [];
  const inTurn: number[] = [];
  const atOnce: number[] = [];
  for (let r = 0; r < repeats; r += 1) {
    one.push(await time(get));
    inTurn.push(
      await time(async () => {
        for (let i = 0; i < 10; i += 1) await get();
      }),
    );
    atOnce.push(await time(() => Promise.all(Array.from({ length: 10 }, get))));
  }
  return { oneCallMs: median(one), tenInTurnMs: median(inTurn), tenAtOnceMs: median(atOnce) };
}

/** Delays every call by `latency.ms` before it is sent (a stand-in for a network round trip). */
function addLatency(clients: Pick<AwsClients, 's3' | 'sqs'>, latency: { ms: number }): void {
  for (const stack of stacks(clients)) {
    stack.add(
      (next) => async (args) => {
        if (latency.ms > 0) await new Promise((r) => setTimeout(r, latency.ms));
        return next(args);
      },
      { step: 'finalizeRequest', name: 'benchAddedLatency' },
    );
  }
}

/** Where the calls go: the emulator, or the in-memory model that serves calls in parallel. */
export type IngestBackend = 'emulator' | 'model';
/** The model's latency per call, ms (S3 and SQS calls inside a region take tens of ms). */
export const MODEL_LATENCY_MS = 25;

interface BackendOptions {
  readonly backend: IngestBackend;
  readonly repeats: number;
  readonly records: number;
  readonly latencies: readonly number[];
}

/** The measurements on one backend (and, on the emulator, its own concurrency). */
async function measureBackend(
  clients: Pick<AwsClients, 's3' | 'sqs'>,
  options: BackendOptions,
): Promise<{
  measurements: IngestMeasurement[];
  parallelism?: EmulatorParallelism;
  concurrency: number;
}> {
  const { repeats, records, backend } = options;
  const bucket = 'bench-ingest-content';
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await clients.s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  const queue = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: 'bench-invalidation-requests' }),
  );
  const config = loadIngestConfig({ INVALIDATION_QUEUE_URL: queue.QueueUrl! });
  const latency = { ms: 0 };
  addLatency(clients, latency);
  const counter = countCalls(clients);
  const handler = createIngestHandler({ clients, config });

  let round = 0;
  /** `records` keys, each uploaded twice: each event (of the second upload) is an overwrite. */
  const overwrites = async () => {
    round += 1;
    const saved = latency.ms;
    latency.ms = 0;
    const uploads = [];
    for (let i = 0; i < records; i += 1) {
      const key = `bench/round-${round}/video-${i}/segment ${i}.ts`;
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'v1' }));
      const out = await clients.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: `v2 ${key}` }),
      );
      uploads.push({ key, versionId: out.VersionId!, eTag: out.ETag!.replace(/"/g, '') });
    }
    latency.ms = saved;
    return uploads;
  };
  /** Deletes every version of a round (the emulator lists versions in time ∝ the bucket's size). */
  const clear = async (uploads: ReadonlyArray<{ key: string }>) => {
    const saved = latency.ms;
    latency.ms = 0;
    const prefix = uploads[0]!.key.split('/').slice(0, 2).join('/') + '/';
    const listed = await clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }),
    );
    const objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key!,
      VersionId: v.VersionId!,
    }));
    if (objects.length)
      await clients.s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
      );
    latency.ms = saved;
  };
  const timed = async (event: SQSEvent) => {
    const t0 = performance.now();
    const response = await handler(event);
    const ms = performance.now() - t0;
    if (response.batchItemFailures.length)
      throw new Error(`ingest bench: ${response.batchItemFailures.length} records failed`);
    return ms;
  };
  const reset = () => {
    counter.calls = new Map();
    counter.ms = new Map();
    counter.maxInFlight = 0;
  };

  // Warm up: clients, the versioning cache, module code paths.
  const warm = await overwrites();
  await timed(eventFor(bucket, warm));
  const parallelism =
    backend === 'emulator'
      ? await probeEmulator(clients, bucket, warm[0]!.key, repeats)
      : undefined;
  await clear(warm);

  const measurements: IngestMeasurement[] = [];
  for (const addedLatencyMs of options.latencies) {
    latency.ms = addedLatencyMs;
    const batches: number[] = [];
    const slowest: number[] = [];
    let calls = new Map<string, number>();
    let maxInFlight = 0;
    let singleMs: Record<string, number> = {};
    let batchCallMs: Record<string, number> = {};
    for (let r = 0; r < repeats; r += 1) {
      const singles = await overwrites();
      reset();
      const times: number[] = [];
      for (const u of singles) times.push(await timed(eventFor(bucket, [u])));
      slowest.push(Math.max(...times));
      singleMs = average(counter);
      await clear(singles);
      const batch = await overwrites();
      reset();
      batches.push(await timed(eventFor(bucket, batch)));
      calls = new Map(counter.calls);
      batchCallMs = average(counter);
      maxInFlight = counter.maxInFlight;
      await clear(batch);
    }
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    const batchMs = median(batches);
    const slowestSingleMs = median(slowest);
    measurements.push({
      backend,
      addedLatencyMs,
      batchMs,
      slowestSingleMs,
      ratio: batchMs / slowestSingleMs,
      callsPerObject: total / records,
      callsByOperation: Object.fromEntries(
        [...calls.entries()].sort().map(([k, v]) => [k, v / records]),
      ),
      maxInFlight,
      callMs: { single: singleMs, batch: batchCallMs },
    });
  }
  const concurrency = (config as { recordConcurrency?: number }).recordConcurrency ?? 0;
  return { measurements, ...(parallelism ? { parallelism } : {}), concurrency };
}

/**
 * Runs the ingest section: on its own moto (for each added latency, `repeats` rounds of the
 * records handled one per invocation, then as a batch), then on the parallel in-memory model.
 */
export async function runIngestBatch(
  options: {
    repeats?: number;
    records?: number;
    addedLatencyMs?: readonly number[];
    model?: boolean;
  } = {},
): Promise<IngestBatchResult> {
  const repeats = options.repeats ?? 5;
  const records = options.records ?? BATCH_SIZE;
  const started = performance.now();
  const emulator = await startEmulator({ port: 0, reuse: false });
  let onEmulator: Awaited<ReturnType<typeof measureBackend>>;
  try {
    const clients = createClients({
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      region: 'us-east-1',
    });
    onEmulator = await measureBackend(clients, {
      backend: 'emulator',
      repeats,
      records,
      latencies: options.addedLatencyMs ?? [0, 20],
    });
  } finally {
    await emulator.stop();
  }
  const onModel =
    options.model === false
      ? undefined
      : await measureBackend(parallelModelClients(MODEL_LATENCY_MS), {
          backend: 'model',
          repeats,
          records,
          latencies: [0],
        });
  return {
    records,
    repeats,
    ...(onEmulator.concurrency ? { concurrency: onEmulator.concurrency } : {}),
    emulator: onEmulator.parallelism!,
    measurements: [...onEmulator.measurements, ...(onModel?.measurements ?? [])],
    seconds: (performance.now() - started) / 1000,
  };
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const where = (m: IngestMeasurement) =>
  m.backend === 'model'
    ? `model: ${MODEL_LATENCY_MS} ms a call, in parallel`
    : `emulator${m.addedLatencyMs ? ` +${m.addedLatencyMs} ms a call` : ''}`;
const num = (x: number) => String(Number(x.toFixed(2)));

/** The Markdown table; `before` is a committed earlier result, when there is one. */
export function ingestBatchTable(after: IngestBatchResult, before?: IngestBatchResult): string[] {
  const ops = (m: IngestMeasurement) =>
    Object.entries(m.callsByOperation)
      .map(([k, v]) => `${k} ${num(v)}`)
      .join(', ');
  const rows = (label: string, r: IngestBatchResult) =>
    r.measurements.map(
      (m) =>
        `| ${label} | ${where(m)} | ` +
        `${ms(m.batchMs)} | ${ms(m.slowestSingleMs)} | ${m.ratio.toFixed(2)}× | ` +
        `${num(m.callsPerObject)} (${ops(m)}) | ${m.maxInFlight} |`,
    );
  return [
    `Ingest: a batch of ${after.records} overwrites (one invocation) against the slowest of the same kind of record alone, ` +
      `median of ${after.repeats}; concurrency ${after.concurrency ?? 'unbounded'}; target ≤ 1.5×:`,
    '',
    '| code | calls served by | batch of 10 | slowest single record | ratio | calls per object | max calls in flight |',
    '|---|---|--:|--:|--:|---|--:|',
    ...(before ? rows('before', before) : []),
    ...rows('after', after),
    '',
    `The emulator's own concurrency (GetObjectTagging): one call ${ms(after.emulator.oneCallMs)}, ` +
      `ten in turn ${ms(after.emulator.tenInTurnMs)}, ten at once ${ms(after.emulator.tenAtOnceMs)} ` +
      `(${(after.emulator.tenInTurnMs / after.emulator.tenAtOnceMs).toFixed(1)}× from concurrency).`,
  ];
}
