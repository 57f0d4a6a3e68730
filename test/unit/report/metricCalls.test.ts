/**
 * The report's GetMetricData calls sit exactly at the API's bound, max(⌈queries / 500⌉,
 * ⌈datapoints / 100 800⌉), against a CloudWatch faked in memory that keeps those limits and pages
 * with NextToken beyond them (bench/reportCalls.ts: the emulator keeps neither limit).
 */
import { describe, expect, it } from 'vitest';
import {
  fakeValue,
  limitedCloudWatch,
  MetricDataLimitError,
  fakeGetMetricData,
} from '../../../bench/reportCalls.js';
import {
  CLOUDFRONT_METRIC_NAMES,
  GET_METRIC_DATA_LIMITS,
  fetchDistributionMetrics,
  lastWindow,
  metricDataCallBound,
  periodsIn,
  queriesPerCall,
  type MetricWindow,
} from '../../../functions/report/metrics.js';

const NOW = new Date(Date.UTC(2026, 11, 1, 12, 0, 30));
const DAY = lastWindow(NOW, 24);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `E${String(i).padStart(12, '0')}`);

/** Every series of `sampled` distributions is whole, with the fake's value at every minute. */
function expectWhole(
  fetched: Awaited<ReturnType<typeof fetchDistributionMetrics>>,
  sampled: readonly string[],
  window: MetricWindow,
) {
  for (const id of sampled)
    for (const metric of CLOUDFRONT_METRIC_NAMES) {
      const series = fetched.get(id)![metric];
      expect(series, `${id} ${metric}`).toHaveLength(periodsIn(window));
      expect(series.every((p) => p.v === fakeValue(id, metric, p.t))).toBe(true);
    }
}

describe('the GetMetricData call bound', () => {
  it('is max(⌈queries / 500⌉, ⌈datapoints / 100 800⌉)', () => {
    expect(metricDataCallBound(7, 1440)).toBe(1);
    expect(metricDataCallBound(350, 1440)).toBe(5);
    expect(metricDataCallBound(3500, 1440)).toBe(50);
    expect(metricDataCallBound(3500, 15)).toBe(7);
    expect(metricDataCallBound(0, 1440)).toBe(0);
  });

  it('packs 70 day-long series a call (70 × 1 440 = 100 800), 500 of a 15-minute window', () => {
    expect(periodsIn(DAY)).toBe(1440);
    expect(queriesPerCall(DAY)).toBe(70);
    expect(queriesPerCall(lastWindow(NOW, 0.25))).toBe(500);
  });
});

describe('fetchDistributionMetrics, calls against the limits', () => {
  describe.each([
    [1, 1],
    [50, 5],
    [500, 50],
  ])('%i distributions × 7 metrics × 24 h of minutes', (distributions, expected) => {
    it(`makes ${expected} call(s), the bound, each answered in one page`, async () => {
      const all = ids(distributions);
      const sampled = [all[0]!, all[Math.floor(distributions / 2)]!, all.at(-1)!];
      const fake = limitedCloudWatch({ withValues: (id) => sampled.includes(id) });
      const fetched = await fetchDistributionMetrics(fake.client, all, DAY);
      expect(fake.calls).toHaveLength(expected);
      expect(fake.calls).toHaveLength(metricDataCallBound(distributions * 7, 1440));
      for (const call of fake.calls) {
        expect(call.NextToken).toBeUndefined();
        expect(call.MetricDataQueries!.length).toBeLessThanOrEqual(500);
        expect(call.MetricDataQueries!.length * 1440).toBeLessThanOrEqual(100_800);
      }
      // Every series asked for once, across distributions.
      const asked = fake.calls.flatMap((c) =>
        c.MetricDataQueries!.map(
          (q) =>
            `${q.MetricStat!.Metric!.Dimensions![0]!.Value}/${q.MetricStat!.Metric!.MetricName}`,
        ),
      );
      expect(new Set(asked).size).toBe(distributions * 7);
      expect(asked).toHaveLength(distributions * 7);
      expect([...fetched.keys()]).toEqual(all);
      expectWhole(fetched, sampled, DAY);
    });
  });

  it('makes ⌈queries / 500⌉ calls for a check window (15 min): 7 for 500 distributions', async () => {
    const fake = limitedCloudWatch({ withValues: () => false });
    await fetchDistributionMetrics(fake.client, ids(500), lastWindow(NOW, 0.25));
    expect(fake.calls.map((c) => c.MetricDataQueries!.length)).toEqual(Array(7).fill(500));
  });

  it('follows NextToken when CloudWatch cuts a packed call short, every series whole', async () => {
    // Three distributions (21 series) fit one call; a CloudWatch paging at 1 000 points cuts it.
    const limits = { maxQueries: 500, maxDatapoints: 1_000 };
    const fake = limitedCloudWatch({ limits });
    const fetched = await fetchDistributionMetrics(fake.client, ids(3), DAY);
    expect(fake.calls.length).toBe(Math.ceil((21 * 1440) / 1000));
    expect(fake.calls.slice(1).every((c) => c.NextToken !== undefined)).toBe(true);
    expectWhole(fetched, ids(3), DAY);
  });

  it('packs to smaller limits when given them, still at their bound', async () => {
    const limits = { maxQueries: 10, maxDatapoints: 3 * 1440 };
    const fake = limitedCloudWatch({ limits });
    const fetched = await fetchDistributionMetrics(fake.client, ids(4), DAY, limits);
    expect(fake.calls.map((c) => c.MetricDataQueries!.length)).toEqual([...Array(9).fill(3), 1]);
    expect(fake.calls).toHaveLength(metricDataCallBound(28, 1440, limits));
    expectWhole(fetched, ids(4), DAY);
  });
});

describe('the fake CloudWatch keeps the limits', () => {
  it('refuses more than 500 queries in one call', () => {
    const queries = Array.from({ length: 501 }, (_, i) => ({ Id: `q${i}` }));
    expect(() =>
      fakeGetMetricData({ MetricDataQueries: queries, StartTime: DAY.start, EndTime: DAY.end }),
    ).toThrow(MetricDataLimitError);
    expect(GET_METRIC_DATA_LIMITS).toEqual({ maxQueries: 500, maxDatapoints: 100_800 });
  });
});
