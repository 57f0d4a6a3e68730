import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLOUDFRONT_METRIC_NAMES,
  MAX_QUERIES_PER_CALL,
  MetricDataError,
  emptySeries,
  fetchDistributionMetrics,
  lastWindow,
  previousWindow,
  summarize,
  trend,
  weightedAverage,
  type CloudFrontMetric,
  type MetricWindow,
  type Point,
  type SeriesByMetric,
} from '../../../functions/report/metrics.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 21, 12, 0);
/** Points at minutes 0, 1, 2, … from T0. */
const at = (...values: number[]): Point[] => values.map((v, i) => ({ t: T0 + i * MIN, v }));
const point = (minute: number, v: number): Point => ({ t: T0 + minute * MIN, v });

const series = (partial: Partial<Record<CloudFrontMetric, readonly Point[]>>): SeriesByMetric => ({
  ...emptySeries(),
  ...partial,
});

describe('weightedAverage', () => {
  describe.each<[string, Point[], Point[], number | undefined]>([
    ['returns the rate of a single period', at(90), at(100), 90],
    ['weights each period by its requests', at(90, 50), at(900, 100), (90 * 900 + 50 * 100) / 1000],
    ['ignores a zero-request period (its rate has no weight)', at(90, 0, 70), at(100, 0, 100), 80],
    [
      'skips a rate with no matching request point (gap in Requests)',
      [point(0, 90), point(1, 10), point(2, 70)],
      [point(0, 100), point(2, 300)],
      (90 * 100 + 70 * 300) / 400,
    ],
    [
      'skips requests with no matching rate point (gap in the rate)',
      [point(0, 90), point(2, 70)],
      [point(0, 100), point(1, 5000), point(2, 300)],
      (90 * 100 + 70 * 300) / 400,
    ],
    ['returns undefined when every period has zero requests', at(90, 80), at(0, 0), undefined],
    ['returns undefined when there is no rate at all', [], at(100, 200), undefined],
    ['returns undefined when there are no requests at all', at(90), [], undefined],
    ['returns undefined when the series do not overlap', at(90), [point(5, 100)], undefined],
    ['treats a 0 % rate as data, not as missing', at(0, 100), at(300, 100), 25],
    ['drops non-finite values', [point(0, Number.NaN), point(1, 60)], at(100, 100), 60],
  ])('%s', (_title, rates, requests, expected) => {
    it(`gives ${String(expected)}`, () => {
      const got = weightedAverage(rates, requests);
      if (expected === undefined) expect(got).toBeUndefined();
      else expect(got).toBeCloseTo(expected, 10);
    });
  });

  it('differs from the mean of percentages on a skewed input (the classic wrong answer)', () => {
    // A busy minute at 95 % and a quiet minute at 5 %: the mean of percentages says 50 %.
    const rates = at(95, 5);
    const requests = at(10_000, 10);
    const meanOfPercentages = (95 + 5) / 2;
    const ours = weightedAverage(rates, requests)!;
    expect(meanOfPercentages).toBe(50);
    expect(ours).toBeCloseTo((95 * 10_000 + 5 * 10) / 10_010, 10);
    expect(ours).toBeGreaterThan(94.9);
    expect(Math.abs(ours - meanOfPercentages)).toBeGreaterThan(40);
  });
});

describe('summarize', () => {
  it('returns totals and request-weighted rates with additional metrics on', () => {
    const s = summarize(
      'E1',
      series({
        Requests: at(1000, 0, 3000),
        BytesDownloaded: at(1e6, 0, 3e6),
        CacheHitRate: at(60, 0, 100),
        '4xxErrorRate': at(2, 0, 6),
        '5xxErrorRate': at(1, 0, 0),
        TotalErrorRate: at(3, 0, 6),
        OriginLatency: at(200, 0, 100),
      }),
    );
    expect(s).toEqual({
      distributionId: 'E1',
      requests: 4000,
      bytesDownloaded: 4e6,
      hitRate: 90,
      errorRate4xx: 5,
      errorRate5xx: 0.25,
      totalErrorRate: 5.25,
      originLatencyMs: 125,
      additionalMetrics: true,
      periods: 3,
      periodsWithRequests: 2,
    });
  });

  it('returns hitRate undefined and additionalMetrics false when the additional metrics are off', () => {
    const s = summarize(
      'E2',
      series({ Requests: at(500, 500), '4xxErrorRate': at(10, 0), '5xxErrorRate': at(0, 0) }),
    );
    expect(s.hitRate).toBeUndefined();
    expect(s.originLatencyMs).toBeUndefined();
    expect(s.additionalMetrics).toBe(false);
    expect(s.errorRate4xx).toBe(5);
    expect(s.totalErrorRate).toBeUndefined();
    expect(s.requests).toBe(1000);
  });

  it('returns zeros and undefined rates on empty series', () => {
    expect(summarize('E3', emptySeries())).toEqual({
      distributionId: 'E3',
      requests: 0,
      bytesDownloaded: 0,
      hitRate: undefined,
      errorRate4xx: undefined,
      errorRate5xx: undefined,
      totalErrorRate: undefined,
      originLatencyMs: undefined,
      additionalMetrics: false,
      periods: 0,
      periodsWithRequests: 0,
    });
  });

  it('counts periods across metrics even where Requests has a gap', () => {
    const s = summarize('E4', series({ Requests: at(10), '4xxErrorRate': [point(3, 1)] }));
    expect(s.periods).toBe(2);
    expect(s.periodsWithRequests).toBe(1);
    expect(s.errorRate4xx).toBeUndefined();
  });
});

describe('trend', () => {
  describe.each<[number | undefined, number | undefined, 'rate' | 'count', number | undefined]>([
    [92.5, 90, 'rate', 2.5],
    [80, 90, 'rate', -10],
    [undefined, 90, 'rate', undefined],
    [90, undefined, 'rate', undefined],
    [1500, 1000, 'count', 0.5],
    [500, 1000, 'count', -0.5],
    [0, 0, 'count', 0],
    [10, 0, 'count', undefined],
    [undefined, 10, 'count', undefined],
    [0, 0, 'rate', 0],
  ])('trend(%s, %s, %s)', (current, previous, kind, change) => {
    it(`has change ${String(change)}`, () => {
      const t = trend(current, previous, kind);
      expect(t.current).toBe(current);
      expect(t.previous).toBe(previous);
      if (change === undefined) expect(t.change).toBeUndefined();
      else expect(t.change).toBeCloseTo(change, 10);
    });
  });
});

describe('windows', () => {
  it('lastWindow ends on a period boundary and previousWindow precedes it', () => {
    const w = lastWindow(new Date('2026-11-21T12:34:56.789Z'), 24);
    expect(w).toEqual({
      start: new Date('2026-11-20T12:34:00.000Z'),
      end: new Date('2026-11-21T12:34:00.000Z'),
      periodSeconds: 60,
    });
    expect(previousWindow(w)).toEqual({
      start: new Date('2026-11-19T12:34:00.000Z'),
      end: new Date('2026-11-20T12:34:00.000Z'),
      periodSeconds: 60,
    });
  });
});

describe('fetchDistributionMetrics (call shape, aws-sdk-client-mock)', () => {
  const cw = mockClient(CloudWatchClient);
  const client = new CloudWatchClient({ region: 'us-east-1' });
  const window: MetricWindow = {
    start: new Date(T0),
    end: new Date(T0 + 60 * MIN),
    periodSeconds: 60,
  };
  afterEach(() => cw.reset());

  const calls = () =>
    cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input as GetMetricDataCommandInput);
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `E${String(i).padStart(3, '0')}`);

  describe.each([
    [1, 1],
    [2, 1],
    [71, 1], // 497 queries
    [72, 2], // 504 queries
    [80, 2],
    [143, 3], // 1 001 queries
  ])('%i distributions', (distributions, expectedCalls) => {
    it(`makes ${expectedCalls} GetMetricData call(s) of ≤ ${MAX_QUERIES_PER_CALL} queries`, async () => {
      cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
      const result = await fetchDistributionMetrics(client, ids(distributions), window);
      const inputs = calls();
      expect(inputs).toHaveLength(expectedCalls);
      const counts = inputs.map((i) => i.MetricDataQueries!.length);
      expect(Math.max(...counts)).toBeLessThanOrEqual(MAX_QUERIES_PER_CALL);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(distributions * 7);
      for (const input of inputs) {
        const queryIds = input.MetricDataQueries!.map((q) => q.Id);
        expect(new Set(queryIds).size).toBe(queryIds.length);
        expect(queryIds.every((id) => /^[a-z][A-Za-z0-9_]*$/.test(id!))).toBe(true);
      }
      // Every distribution comes back, with empty series.
      expect([...result.keys()]).toEqual(ids(distributions));
      expect(result.get('E000')).toEqual(emptySeries());
    });
  });

  it('asks AWS/CloudFront with DistributionId + Region=Global and each metric’s statistic', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await fetchDistributionMetrics(client, ['EABC', 'EDEF'], window);
    const [input] = calls();
    expect(input!.StartTime).toEqual(window.start);
    expect(input!.EndTime).toEqual(window.end);
    expect(input!.MetricDataQueries).toHaveLength(14);
    const stats = Object.fromEntries(
      input!
        .MetricDataQueries!.slice(0, 7)
        .map((q) => [q.MetricStat!.Metric!.MetricName, q.MetricStat!.Stat]),
    );
    expect(stats).toEqual({
      Requests: 'Sum',
      BytesDownloaded: 'Sum',
      '4xxErrorRate': 'Average',
      '5xxErrorRate': 'Average',
      TotalErrorRate: 'Average',
      CacheHitRate: 'Average',
      OriginLatency: 'Average',
    });
    for (const q of input!.MetricDataQueries!) {
      expect(q.MetricStat!.Metric!.Namespace).toBe('AWS/CloudFront');
      expect(q.MetricStat!.Period).toBe(60);
      expect(q.MetricStat!.Metric!.Dimensions).toEqual([
        { Name: 'DistributionId', Value: expect.stringMatching(/^E(ABC|DEF)$/) },
        { Name: 'Region', Value: 'Global' },
      ]);
    }
  });

  it('rounds StartTime down to the minute, as AWS does for recent data', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await fetchDistributionMetrics(client, ['E1'], { ...window, start: new Date(T0 + 45_000) });
    expect(calls()[0]!.StartTime).toEqual(new Date(T0));
  });

  it('follows NextToken and merges one query’s pages in time order', async () => {
    const page = (id: string, minutes: number[], values: number[]): MetricDataResult => ({
      Id: id,
      StatusCode: 'PartialData',
      Timestamps: minutes.map((m) => new Date(T0 + m * MIN)),
      Values: values,
    });
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [page('q0', [2, 1], [30, 20])], NextToken: 'next' })
      .resolvesOnce({ MetricDataResults: [{ ...page('q0', [0], [10]), StatusCode: 'Complete' }] });
    const result = await fetchDistributionMetrics(client, ['E1'], window);
    expect(calls()).toHaveLength(2);
    expect(calls()[1]!.NextToken).toBe('next');
    expect(result.get('E1')!.Requests).toEqual(at(10, 20, 30));
    for (const m of CLOUDFRONT_METRIC_NAMES.filter((m) => m !== 'Requests')) {
      expect(result.get('E1')![m]).toEqual([]);
    }
  });

  it('throws MetricDataError when CloudWatch reports a query as failed', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'q0', StatusCode: 'Forbidden', Messages: [{ Code: 'x', Value: 'denied' }] },
      ],
    });
    await expect(fetchDistributionMetrics(client, ['E1'], window)).rejects.toThrow(MetricDataError);
  });

  it('makes no call for no distributions, and rejects a bad window', async () => {
    expect((await fetchDistributionMetrics(client, [], window)).size).toBe(0);
    expect(calls()).toHaveLength(0);
    await expect(
      fetchDistributionMetrics(client, ['E1'], { ...window, periodSeconds: 90 }),
    ).rejects.toThrow(/window.periodSeconds/);
    await expect(
      fetchDistributionMetrics(client, ['E1'], { ...window, end: window.start }),
    ).rejects.toThrow(/window/);
  });
});
