/**
 * The report's metric reads against the emulator's CloudWatch: realistic 1-minute `AWS/CloudFront`
 * datapoints seeded with PutMetricData, read back with GetMetricData, weighted in TypeScript (the
 * emulator has no metric math, and we would not use it anyway). Also the month's `PathsBilled`.
 *
 * moto 5.2.1 quirks seen here: with dimensions in a query it ignores the namespace (a datapoint
 * with the same name and dimensions in any namespace is summed in), so each metric name and
 * dimension set is seeded in one namespace only; it buckets periods from StartTime as given (AWS
 * rounds it down to the minute); it ignores MaxDatapoints and never returns a NextToken.
 */
import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emptySeries,
  fetchDistributionMetrics,
  lastWindow,
  summarize,
  type CloudFrontMetric,
  type MetricWindow,
  type SeriesByMetric,
} from '../../functions/report/metrics.js';
import { recommend } from '../../functions/report/recommendations.js';
import { fetchPathsBilledThisMonth, startOfMonthUtc } from '../../functions/report/spend.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const MIN = 60_000;
const UNITS: Record<CloudFrontMetric, 'Count' | 'Bytes' | 'Percent' | 'Milliseconds'> = {
  Requests: 'Count',
  BytesDownloaded: 'Bytes',
  '4xxErrorRate': 'Percent',
  '5xxErrorRate': 'Percent',
  TotalErrorRate: 'Percent',
  CacheHitRate: 'Percent',
  OriginLatency: 'Milliseconds',
};

/** Values per minute from the window's 10th minute on; `null` is "no datapoint that minute". */
type Seed = Partial<Record<CloudFrontMetric, ReadonlyArray<number | null>>>;

/** Busy, additional metrics on; one zero-request minute (with a stray 0 % hit rate) and a gap. */
const HIT: Seed = {
  Requests: [1000, 3000, 0, 4000, 2000],
  BytesDownloaded: [1e6, 3e6, 0, 4e6, 2e6],
  CacheHitRate: [90, 70, 0, 85, null],
  '4xxErrorRate': [2, 4, null, 1, 3],
  '5xxErrorRate': [0, 0.5, null, 0, 1],
  TotalErrorRate: [2, 4.5, null, 1, 4],
  OriginLatency: [120, 200, null, 100, 150],
};
/** Default metrics only (additional metrics off). */
const PLAIN: Seed = {
  Requests: [500, 1500],
  BytesDownloaded: [5e5, 1.5e6],
  '4xxErrorRate': [10, 2],
  '5xxErrorRate': [0, 0],
  TotalErrorRate: [10, 2],
};
/** Steady traffic with a two-minute 5xx burst. */
const BURST: Seed = {
  Requests: [1000, 1000, 1000, 1000, 1000, 1000],
  BytesDownloaded: [1e6, 1e6, 1e6, 1e6, 1e6, 1e6],
  CacheHitRate: [95, 95, 95, 95, 95, 95],
  '4xxErrorRate': [1, 1, 1, 1, 1, 1],
  '5xxErrorRate': [0, 0, 30, 60, 0, 0],
  TotalErrorRate: [1, 1, 31, 61, 1, 1],
  OriginLatency: [80, 80, 900, 1200, 80, 80],
};

const IDS = { hit: 'E1HITRATE', plain: 'E2PLAIN', burst: 'E3BURST', empty: 'E4NODATA' } as const;

let emu: TestEmulator;
let window: MetricWindow;
let fetched: Map<string, SeriesByMetric>;

const minute = (i: number) => window.start.getTime() + (10 + i) * MIN;

async function seed(distributionId: string, data: Seed): Promise<void> {
  const datums: MetricDatum[] = [];
  for (const [metric, values] of Object.entries(data) as Array<
    [CloudFrontMetric, (number | null)[]]
  >) {
    values.forEach((value, i) => {
      if (value === null) return;
      datums.push({
        MetricName: metric,
        Dimensions: [
          { Name: 'DistributionId', Value: distributionId },
          { Name: 'Region', Value: 'Global' },
        ],
        Timestamp: new Date(minute(i)),
        Value: value,
        Unit: UNITS[metric],
      });
    });
  }
  await emu.clients.cloudwatchGlobal.send(
    new PutMetricDataCommand({ Namespace: 'AWS/CloudFront', MetricData: datums }),
  );
}

beforeAll(async () => {
  emu = await startTestEmulator();
  window = lastWindow(new Date(), 1);
  await seed(IDS.hit, HIT);
  await seed(IDS.plain, PLAIN);
  await seed(IDS.burst, BURST);
  // Same metric names outside the window (before and at its end) and another distribution: ignored.
  await emu.clients.cloudwatchGlobal.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/CloudFront',
      MetricData: [-MIN, 60 * MIN].map((offset) => ({
        MetricName: 'Requests',
        Dimensions: [
          { Name: 'DistributionId', Value: IDS.hit },
          { Name: 'Region', Value: 'Global' },
        ],
        Timestamp: new Date(window.start.getTime() + offset),
        Value: 1e9,
        Unit: 'Count',
      })),
    }),
  );
  fetched = await fetchDistributionMetrics(
    emu.clients.cloudwatchGlobal,
    [IDS.hit, IDS.plain, IDS.burst, IDS.empty],
    window,
  );
});

afterAll(() => emu?.stop());

describe('fetchDistributionMetrics against the emulator', () => {
  it('returns every distribution asked for, the one without data with empty series', () => {
    expect([...fetched.keys()]).toEqual([IDS.hit, IDS.plain, IDS.burst, IDS.empty]);
    expect(fetched.get(IDS.empty)).toEqual(emptySeries());
  });

  it('returns 1-minute points in ascending time, at the seeded timestamps, gaps left as gaps', () => {
    const s = fetched.get(IDS.hit)!;
    expect(s.Requests).toEqual(HIT.Requests!.map((v, i) => ({ t: minute(i), v })));
    expect(s.CacheHitRate.map((p) => p.t)).toEqual([0, 1, 2, 3].map(minute));
    expect(s['4xxErrorRate'].map((p) => p.t)).toEqual([0, 1, 3, 4].map(minute));
  });

  it('weights the hit rate, errors and latency by requests (distribution with additional metrics)', () => {
    const s = summarize(IDS.hit, fetched.get(IDS.hit)!);
    expect(s).toEqual({
      distributionId: IDS.hit,
      requests: 10_000,
      bytesDownloaded: 10_000_000,
      // (90·1000 + 70·3000 + 85·4000) / 8000: the minute without a rate and the empty minute
      // are left out. The mean of the published percentages would say 61.25.
      hitRate: 80,
      // (2·1000 + 4·3000 + 1·4000 + 3·2000) / 10000
      errorRate4xx: 2.4,
      // (0.5·3000 + 1·2000) / 10000
      errorRate5xx: 0.35,
      totalErrorRate: 2.75,
      // (120·1000 + 200·3000 + 100·4000 + 150·2000) / 10000
      originLatencyMs: 142,
      additionalMetrics: true,
      periods: 5,
      periodsWithRequests: 4,
    });
  });

  it('reports no hit rate, never a made-up one, when additional metrics are off', () => {
    const s = summarize(IDS.plain, fetched.get(IDS.plain)!);
    expect(s.hitRate).toBeUndefined();
    expect(s.originLatencyMs).toBeUndefined();
    expect(s.additionalMetrics).toBe(false);
    expect(s.requests).toBe(2000);
    // (10·500 + 2·1500) / 2000
    expect(s.errorRate4xx).toBe(4);
    expect(s.errorRate5xx).toBe(0);
    expect(recommend({ summary: s }).map((r) => r.id)).toEqual(['additional-metrics-off']);
  });

  it('weights a 5xx burst by the traffic it hit', () => {
    const s = summarize(IDS.burst, fetched.get(IDS.burst)!);
    // (30·1000 + 60·1000) / 6000
    expect(s.errorRate5xx).toBe(15);
    expect(s.hitRate).toBe(95);
    expect(s.requests).toBe(6000);
    const recs = recommend({ summary: s });
    expect(recs.map((r) => [r.id, r.severity])).toEqual([['high-5xx', 'critical']]);
    expect(recs[0]!.evidence).toContain('15.0%');
    expect(recs[0]!.evidence).toContain('about 900 errors');
  });

  it('returns nothing for a window before any data', async () => {
    const early = {
      start: new Date(window.start.getTime() - 3 * 3_600_000),
      end: new Date(window.start.getTime() - 2 * 3_600_000),
      periodSeconds: 60,
    };
    const result = await fetchDistributionMetrics(emu.clients.cloudwatchGlobal, [IDS.hit], early);
    expect(summarize(IDS.hit, result.get(IDS.hit)!).periods).toBe(0);
    expect(recommend({ summary: summarize(IDS.hit, result.get(IDS.hit)!) })).toEqual([]);
  });
});

describe('fetchPathsBilledThisMonth against the emulator', () => {
  it('sums PathsBilled for this service since the first of the month UTC', async () => {
    const now = new Date();
    const monthStart = startOfMonthUtc(now).getTime();
    const mid = Math.floor((monthStart + now.getTime()) / 2);
    const datum = (service: string, t: number, value: number): MetricDatum => ({
      MetricName: 'PathsBilled',
      Dimensions: [{ Name: 'service', Value: service }],
      Timestamp: new Date(t),
      Value: value,
      Unit: 'Count',
    });
    await emu.clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'CdnPipeline',
        MetricData: [
          datum('cdn-pipeline-test', monthStart, 120),
          datum('cdn-pipeline-test', mid, 30),
          datum('cdn-pipeline-test', mid, 3),
          // Last month, and another service: not counted.
          datum('cdn-pipeline-test', monthStart - 3_600_000, 5000),
          datum('someone-else', mid, 777),
        ],
      }),
    );
    const paths = await fetchPathsBilledThisMonth(emu.clients.cloudwatch, {
      namespace: 'CdnPipeline',
      serviceName: 'cdn-pipeline-test',
      now,
    });
    expect(paths).toBe(153);
    expect(
      await fetchPathsBilledThisMonth(emu.clients.cloudwatch, {
        namespace: 'CdnPipeline',
        serviceName: 'nobody',
        now,
      }),
    ).toBe(0);
  });
});
