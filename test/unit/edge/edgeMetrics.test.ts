/** The AWS/CloudFront datapoints the edge publishes (local/edge/edgeMetrics.ts). */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { startEdgeMetrics, type CountedRequest } from '../../../local/edge/edgeMetrics.js';

const MINUTE = Date.parse('2026-12-02T00:10:00Z');

function harness(additional: boolean) {
  const sent: Array<{
    MetricName?: string;
    Value?: number;
    Timestamp?: Date;
    Dimensions?: unknown;
  }> = [];
  let now = MINUTE + 30_000;
  const cloudwatch = {
    send: async (command: { input: { MetricData: typeof sent } }) => {
      sent.push(...command.input.MetricData);
      return {};
    },
  } as unknown as CloudWatchClient;
  const metrics = startEdgeMetrics({
    cloudwatch,
    everyMs: 3_600_000,
    additionalMetrics: () => additional,
    now: () => now,
  });
  return { sent, metrics, advance: (ms: number) => (now += ms) };
}

const req = (over: Partial<CountedRequest>): CountedRequest => ({
  at: MINUTE + 1_000,
  distributionId: 'E1',
  method: 'GET',
  status: 200,
  bytesOut: 100,
  bytesIn: 0,
  resultType: 'Hit',
  ...over,
});

describe('edge metrics', () => {
  it('publishes a minute once it is over, request-weighted, with CloudFront dimensions', async () => {
    const { sent, metrics, advance } = harness(true);
    metrics.count(req({}));
    metrics.count(req({ resultType: 'RefreshHit' }));
    metrics.count(req({ resultType: 'Miss', originLatencyMs: 40 }));
    metrics.count(req({ resultType: 'Error', status: 404, originLatencyMs: 20 }));
    metrics.count(req({ resultType: 'Error', status: 502 }));
    expect(await metrics.flush()).toBe(0); // the minute is not over
    advance(60_000);
    await metrics.flush();
    const value = (name: string) => sent.find((d) => d.MetricName === name)?.Value;
    expect(value('Requests')).toBe(5);
    expect(value('BytesDownloaded')).toBe(500);
    expect(value('4xxErrorRate')).toBe(20);
    expect(value('5xxErrorRate')).toBe(20);
    expect(value('TotalErrorRate')).toBe(40);
    expect(value('CacheHitRate')).toBeCloseTo((2 / 3) * 100); // errors are not cacheable requests
    expect(value('OriginLatency')).toBe(30);
    expect(sent.every((d) => d.Timestamp?.getTime() === MINUTE)).toBe(true);
    expect(sent[0]!.Dimensions).toEqual([
      { Name: 'DistributionId', Value: 'E1' },
      { Name: 'Region', Value: 'Global' },
    ]);
    expect(await metrics.flush()).toBe(0); // each minute once
  });

  it('leaves CacheHitRate and OriginLatency out without additional metrics', async () => {
    const { sent, metrics } = harness(false);
    metrics.count(req({ resultType: 'Miss', originLatencyMs: 10 }));
    await metrics.stop();
    expect(sent.map((d) => d.MetricName)).toEqual([
      'Requests',
      'BytesDownloaded',
      'BytesUploaded',
      '4xxErrorRate',
      '5xxErrorRate',
      'TotalErrorRate',
    ]);
  });
});
