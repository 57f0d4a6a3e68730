/**
 * Standard logs, locally, through the real local pipeline: provisioning asked for standard
 * logging (v2) and EnsureLogging wrote the delivery to the emulator (not to AWS); the local edge
 * writes its log files where that delivery says (the stage's log bucket, under the suffix path
 * `<id>/yyyy/MM/dd/HH/`, named as CloudFront names them); the bucket notifies the log-events
 * queue, the logs function counts each file, and the per-class counts land in the emulator's
 * CloudWatch on the minute the requests were served, with the edge's own counts.
 */
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDeliveriesCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogOutcome } from '../../functions/logs/logs.js';
import { CLASS_METRICS_NAMESPACE } from '../../shared/classMetrics.js';
import { edgeCountsByClass } from '../../local/demoCounts.js';
import { logFileKey } from '../../local/edge/accessLog.js';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline.js';
import { localLogsClient } from '../../local/provision.js';
import { DEFAULT_LOG_BUCKET } from '../../local/edge/server.js';
import { createTaggedDistribution } from '../helpers/distributions.js';

const STAGE = 'stdlogs';
let pipeline: LocalPipeline;
const ingested: string[] = [];
const outcomes: LogOutcome[] = [];

beforeAll(async () => {
  pipeline = await startLocalPipeline({
    port: 0,
    reuseEmulator: false,
    stage: STAGE,
    env: {},
    edge: { port: 0 },
    observers: {
      ingest: (o) => {
        if (o.status === 'processed') ingested.push(o.key);
      },
      logs: (o) => outcomes.push(o),
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

describe('logFileKey', () => {
  it("fills a delivery's suffix-path variables with the file's distribution and hour", () => {
    const hour = new Date('2026-12-02T04:00:00Z');
    expect(logFileKey('{DistributionId}/{yyyy}/{MM}/{dd}/{HH}/', 'E1ABC', hour, 'ab12')).toBe(
      'E1ABC/2026/12/02/04/E1ABC.2026-12-02-04.ab12.gz',
    );
    expect(logFileKey('cloudfront/', 'E1ABC', hour, 'ab12')).toBe(
      'cloudfront/E1ABC.2026-12-02-04.ab12.gz',
    );
  });
});

describe('standard logs of the local edge', () => {
  it('provisioning wrote the delivery to the emulator for the stage distribution', async () => {
    const logs = localLogsClient(pipeline.clients.cloudfront);
    const out = await logs.send(new DescribeDeliveriesCommand({}));
    const mine = (out.deliveries ?? []).filter(
      (d) => d.deliverySourceName === `cdn-pipeline-${pipeline.distribution.id}`,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]!.s3DeliveryConfiguration?.suffixPath).toBe(
      '{DistributionId}/{yyyy}/{MM}/{dd}/{HH}',
    );
  });

  it('counts what the edge served, per class, on the minute it was served', async () => {
    const { clients, stack, distribution } = pipeline;
    const edge = pipeline.edge!;
    const keys = ['videos/clip.mp4', 'images/logo.png', 'docs/guide.pdf'];
    for (const key of keys)
      await clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: key }));
    await until('ingest', 30_000, () => keys.every((k) => ingested.includes(k)));
    await edge.refresh();
    const served = Date.now();
    for (const key of [...keys, keys[0]!, keys[0]!, keys[1]!, 'missing.txt'])
      await (await fetch(`${edge.url}/${key}`)).arrayBuffer();

    const { logFiles } = await edge.flush();
    expect(logFiles.length).toBeGreaterThan(0);
    const id = distribution.id;
    const prefix = new RegExp(
      `^${stack.standardLogBucket}/${id}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/${id}\\.\\d{4}-\\d{2}-\\d{2}-\\d{2}\\.[0-9a-f]+\\.gz$`,
    );
    for (const file of logFiles) expect(file).toMatch(prefix);

    const byClass = edgeCountsByClass(edge.tally(), { distributionId: id });
    const total = Object.values(byClass).reduce((n, c) => n + c.requests, 0);
    expect(total).toBe(7);
    const counted = () =>
      outcomes.reduce((n, o) => n + (o.status === 'counted' ? (o.byDistribution[id] ?? 0) : 0), 0);
    await until('the log files counted', 30_000, () => counted() >= total);
    expect(counted()).toBe(total);
    expect(outcomes.every((o) => o.status === 'counted')).toBe(true);

    // The counts are already in CloudWatch when the observer hears of a file.
    const minute = Math.floor(served / 60_000) * 60_000;
    for (const [contentClass, edgeCounts] of Object.entries(byClass)) {
      const sum = async (metric: string) => {
        const out = await clients.cloudwatch.send(
          new GetMetricStatisticsCommand({
            Namespace: CLASS_METRICS_NAMESPACE,
            MetricName: metric,
            Dimensions: [
              { Name: 'DistributionId', Value: id },
              { Name: 'ContentClass', Value: contentClass },
            ],
            StartTime: new Date(minute - 60_000),
            EndTime: new Date(minute + 3 * 60_000),
            Period: 60,
            Statistics: ['Sum'],
          }),
        );
        return out.Datapoints ?? [];
      };
      const requests = await sum('Requests');
      const minutes = requests.map((d) => d.Timestamp!.getTime());
      for (const m of minutes) expect(m === minute || m === minute + 60_000).toBe(true);
      expect(
        requests.reduce((n, d) => n + d.Sum!, 0),
        contentClass,
      ).toBe(edgeCounts.requests);
      const hits = (await sum('Hits')).reduce((n, d) => n + d.Sum!, 0);
      expect(hits, contentClass).toBe(edgeCounts.hits);
    }
  });

  it('leaves a distribution without a delivery out of the log bucket (and of the counts)', async () => {
    const { clients, stack } = pipeline;
    const edge = pipeline.edge!;
    // Of this stage and managed: only the missing delivery keeps its requests out of the counts.
    const other = await createTaggedDistribution(
      clients.cloudfront,
      'stdlogs-other',
      { 'cdn-pipeline:managed': 'true', 'cdn-pipeline:stage': STAGE },
      { originBucket: stack.bucket },
    );
    await edge.refresh();
    expect(edge.distributions().some((d) => d.id === other)).toBe(true);
    const before = outcomes.length;
    await (await fetch(`${edge.url}/_edge/${other}/images/logo.png`)).arrayBuffer();
    const { logFiles } = await edge.flush();
    expect(logFiles).toHaveLength(1);
    expect(logFiles[0]!.startsWith(`${DEFAULT_LOG_BUCKET}/`)).toBe(true);
    expect(logFiles[0]).toContain(`${other}.`);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(
      outcomes.slice(before).some((o) => o.status === 'counted' && other in o.byDistribution),
    ).toBe(false);
  });
});
