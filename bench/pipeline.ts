/**
 * Local pipeline throughput: uploads N objects, then overwrites them, through the pipeline
 * `npm start` composes (`local/pipeline.ts`), on its own embedded emulator. Reports, in the same run, the emulator's
 * own PutObject rate (the ceiling on this machine) beside the pipeline's rates. Measured, not
 * asserted. `npx tsx bench/pipeline.ts [--objects 300] [--json]`
 */
import './quiet.js';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { startLocalPipeline } from '../local/pipeline.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '300' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.objects);
const CONCURRENCY = 16;

async function pool<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

async function until(check: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the pipeline');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let ingested = 0;
let invalidatedRequests = 0;
let invalidations = 0;
// The pipeline npm start runs (its own emulator, no outbox or report schedules).
const pipeline = await startLocalPipeline({
  port: 0,
  reuseEmulator: false,
  stage: 'bench',
  env: {},
  onError: () => {},
  observers: {
    ingest: (o) => {
      if (o.status === 'processed') ingested += 1;
    },
    invalidate: (r) => {
      invalidations += r.invalidations.length;
      invalidatedRequests += r.invalidations.reduce((n, i) => n + i.requests, 0);
    },
  },
});
try {
  const { clients, stack: res } = pipeline;

  // Baseline: the emulator alone, PutObject into a bucket nobody listens to.
  const bare = 'cdn-pipeline-bench-bare';
  await clients.s3.send(new CreateBucketCommand({ Bucket: bare }));
  const keys = Array.from({ length: N }, (_, i) => `renders/job-${i % 10}/frame-${i}.png`);
  let t = performance.now();
  await pool(keys, (Key) =>
    clients.s3.send(new PutObjectCommand({ Bucket: bare, Key, Body: 'x' })),
  );
  const bareMs = performance.now() - t;

  // New objects: classified and tagged, no invalidation.
  t = performance.now();
  await pool(keys, (Key) =>
    clients.s3.send(new PutObjectCommand({ Bucket: res.bucket, Key, Body: 'v1' })),
  );
  const uploadMs = performance.now() - t;
  await until(() => ingested >= N);
  const newMs = performance.now() - t;

  // Overwrites: classified, tagged, and invalidated.
  t = performance.now();
  await pool(keys, (Key) =>
    clients.s3.send(new PutObjectCommand({ Bucket: res.bucket, Key, Body: 'v2' })),
  );
  await until(() => ingested >= 2 * N && invalidatedRequests >= N);
  const overwriteMs = performance.now() - t;

  const rows = [
    { what: 'emulator PutObject alone (ceiling)', ms: bareMs, perSecond: (N / bareMs) * 1000 },
    { what: 'uploads of new objects', ms: uploadMs, perSecond: (N / uploadMs) * 1000 },
    { what: 'new objects: upload → tagged', ms: newMs, perSecond: (N / newMs) * 1000 },
    {
      what: 'overwrites: upload → invalidated',
      ms: overwriteMs,
      perSecond: (N / overwriteMs) * 1000,
    },
  ];
  if (values.json) {
    console.log(JSON.stringify({ objects: N, invalidations, rows }, null, 2));
  } else {
    console.log(`${N} objects, ${CONCURRENCY} concurrent uploads; node ${process.version}\n`);
    console.log('| step | total s | objects/s |\n|---|---:|---:|');
    for (const r of rows)
      console.log(`| ${r.what} | ${(r.ms / 1000).toFixed(1)} | ${r.perSecond.toFixed(0)} |`);
    console.log(`\n${invalidations} CreateInvalidation calls for ${N} overwritten keys`);
  }
} finally {
  await pipeline.stop();
}
