/**
 * The functions' EMF metrics reach the emulator's CloudWatch when they run locally
 * (local/emfSink.ts through local/handlers.ts): overwrites through the real local pipeline
 * become invalidations, their `PathsBilled` lands under the invalidate function's service name,
 * and the digest counts them against the 1 000 free paths, as on AWS.
 */
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvalidateReport } from '../../functions/invalidate/types.js';
import { buildReportHandlers, functionServiceName } from '../../local/handlers.js';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline.js';

const STAGE = 'emf';
let pipeline: LocalPipeline;
const ingested: string[] = [];
const reports: InvalidateReport[] = [];

beforeAll(async () => {
  pipeline = await startLocalPipeline({
    port: 0,
    reuseEmulator: false,
    stage: STAGE,
    env: {},
    observers: {
      ingest: (o) => {
        if (o.status === 'processed') ingested.push(o.key);
      },
      invalidate: (r) => reports.push(r),
    },
  });
}, 90_000);
afterAll(async () => {
  await pipeline?.stop();
});

async function until(what: string, ms: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const put = (key: string, body: string) =>
  pipeline.clients.s3.send(
    new PutObjectCommand({ Bucket: pipeline.stack.bucket, Key: key, Body: body }),
  );

async function sumOf(metric: string, fn: string): Promise<number> {
  const out = await pipeline.clients.cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'CdnPipeline',
      MetricName: metric,
      Dimensions: [{ Name: 'service', Value: functionServiceName(STAGE, fn) }],
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 60_000),
      Period: 3600,
      Statistics: ['Sum'],
    }),
  );
  return (out.Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0);
}

describe('EMF metrics of the local functions', () => {
  it('puts PathsBilled in CloudWatch and the digest counts the paths billed', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `images/photo-${i}.png`);
    for (const key of keys) await put(key, 'v1');
    await until('ingest of the new keys', 30_000, () => keys.every((k) => ingested.includes(k)));
    for (const key of keys) await put(key, 'v2');
    const billed = () =>
      reports.flatMap((r) => r.invalidations).reduce((n, i) => n + i.paths.length, 0);
    await until('invalidations of the overwrites', 30_000, () => billed() >= keys.length);
    const paths = billed();

    expect(await sumOf('PathsBilled', 'invalidate')).toBe(paths);
    // Each function's metrics under its own service name, though they share one process.
    expect(await sumOf('ObjectsIngested', 'ingest')).toBe(2 * keys.length);
    expect(await sumOf('ObjectsIngested', 'invalidate')).toBe(0);
    expect(await sumOf('PathsBilled', 'ingest')).toBe(0);

    const report = buildReportHandlers(pipeline.clients, pipeline.stack, {}, { checkSeconds: 60 });
    // The emulator truncates EndTime to the second: a digest in the second of the last datum
    // would not see it (CloudWatch's own delay is longer). A second later, as a schedule runs.
    const digest = await report.digest({ time: new Date(Date.now() + 1_000).toISOString() });
    expect(digest.spend?.pathsBilled).toBe(paths);
    expect(digest.mail.body).toMatch(new RegExp(`paths billed\\s+${paths} of 1,000 free`));
    // The digest's own metrics arrive under the report-digest service name.
    expect(await sumOf('DigestMails', 'report-digest')).toBe(1);
  }, 90_000);
});
