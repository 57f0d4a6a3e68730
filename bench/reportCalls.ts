/**
 * The report's GetMetricData calls for 1, 50 and 500 distributions × 7 metrics × 24 h of 1-minute
 * data, counted through the real metrics code (`fetchDistributionMetrics`) against a CloudWatch
 * faked in memory that keeps GetMetricData's limits (500 queries a call, 100 800 datapoints a
 * page, NextToken beyond) and has a datapoint for every series every minute: the worst case. The
 * emulator cannot stand in: it ignores the datapoint limit and never returns a NextToken.
 */
import {
  CloudWatchClient,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  CLOUDFRONT_METRIC_NAMES,
  GET_METRIC_DATA_LIMITS,
  buildMetricQueries,
  fetchDistributionMetrics,
  lastWindow,
  metricDataCallBound,
  periodsIn,
  type MetricDataLimits,
} from '../functions/report/metrics.js';

export const REPORT_SIZES = [1, 50, 500] as const;
const MIN = 60_000;

/** The value the fake holds for a series at a time: tells every series apart. */
export function fakeValue(distributionId: string, metric: string, t: number): number {
  let h = 0;
  for (const c of `${distributionId}/${metric}`) h = (h * 31 + c.charCodeAt(0)) % 100_003;
  const value = h + ((t / MIN) % 1000) / 1000;
  // Rates are percentages: the report refuses one above 100 (metricDataReader.ts).
  return metric.endsWith('Rate') ? value % 100 : value;
}

/** What CloudWatch answers a call over its query limit with. */
export class MetricDataLimitError extends Error {
  override readonly name = 'ValidationError';
}

export interface FakeCloudWatchOptions {
  /** GetMetricData's limits (default the API's). */
  readonly limits?: MetricDataLimits;
  /**
   * Which distributions' series carry their values in the answers (default all). The others'
   * datapoints still count towards each page's 100 800, so the calls are the same, but nothing
   * is built for them: 500 distributions × 7 × 1 440 points would take the bench half a minute.
   */
  readonly withValues?: (distributionId: string) => boolean;
}

/**
 * GetMetricData as CloudWatch answers it within the limits, every series with a point every
 * period: the queries' datapoints in time order (ScanBy TimestampAscending; point i of the
 * stream is period ⌊i / Q⌋ of query i mod Q), at most `maxDatapoints` a page, then a NextToken.
 */
export function fakeGetMetricData(
  input: GetMetricDataCommandInput,
  options: FakeCloudWatchOptions = {},
): GetMetricDataCommandOutput {
  const limits = options.limits ?? GET_METRIC_DATA_LIMITS;
  const queries = input.MetricDataQueries ?? [];
  if (queries.length > limits.maxQueries)
    throw new MetricDataLimitError(
      `MetricDataQueries: ${queries.length} > ${limits.maxQueries} queries in one call`,
    );
  const start = Math.floor(new Date(input.StartTime!).getTime() / MIN) * MIN;
  const end = new Date(input.EndTime!).getTime();
  const offset = Number(input.NextToken ?? 0);
  const periodMs = (queries[0]?.MetricStat?.Period ?? 60) * 1000;
  const periods = Math.max(0, Math.ceil((end - start) / periodMs));
  const q = queries.length;
  const total = periods * q;
  const stop = Math.min(total, offset + limits.maxDatapoints);
  const more = stop < total;
  const results: MetricDataResult[] = [];
  queries.forEach((query, at) => {
    const metric = query.MetricStat!.Metric!;
    const distributionId = metric.Dimensions!.find((d) => d.Name === 'DistributionId')!.Value!;
    const first = offset + ((((at - offset) % q) + q) % q);
    if (first >= stop) return;
    const result = {
      Id: query.Id!,
      Label: metric.MetricName!,
      StatusCode: more ? 'PartialData' : 'Complete',
      Timestamps: [] as Date[],
      Values: [] as number[],
    } as const;
    if (options.withValues?.(distributionId) ?? true)
      for (let i = first; i < stop; i += q) {
        const t = start + Math.floor(i / q) * periodMs;
        result.Timestamps.push(new Date(t));
        result.Values.push(fakeValue(distributionId, metric.MetricName!, t));
      }
    results.push(result);
  });
  return {
    MetricDataResults: results,
    ...(more ? { NextToken: String(stop) } : {}),
    Messages: [],
    $metadata: {},
  };
}

/** A real CloudWatchClient whose GetMetricData calls are answered (and counted) by the fake. */
export function limitedCloudWatch(options: FakeCloudWatchOptions = {}): {
  client: CloudWatchClient;
  readonly calls: GetMetricDataCommandInput[];
} {
  const client = new CloudWatchClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const calls: GetMetricDataCommandInput[] = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      if (context.commandName !== 'GetMetricDataCommand')
        throw new Error(`fake CloudWatch: ${context.commandName} is not faked`);
      const input = args.input as GetMetricDataCommandInput;
      calls.push(input);
      return { output: fakeGetMetricData(input, options) as never, response: {} };
    },
    { step: 'initialize', name: 'fakeGetMetricData' },
  );
  return { client, calls };
}

export interface ReportCallsRow {
  readonly distributions: number;
  readonly queries: number;
  readonly datapoints: number;
  /** The API's bound: max(⌈queries / 500⌉, ⌈datapoints / 100 800⌉). */
  readonly bound: number;
  /** Calls the report makes now. */
  readonly calls: number;
  /** Calls when packed by the query limit alone (500 a call, pages followed): the code before. */
  readonly callsPackedByQueries: number;
  /** One call per series. */
  readonly callsOnePerSeries: number;
}

/**
 * Runs the real fetch for each size, three ways (as the report packs its queries now; by the
 * query limit alone; one series a call), and checks the first and last distributions' series
 * came back whole and right.
 */
export async function runReportCalls(
  sizes: readonly number[] = REPORT_SIZES,
  now: Date = new Date(),
): Promise<ReportCallsRow[]> {
  const window = lastWindow(now, 24);
  const points = periodsIn(window);
  const rows: ReportCallsRow[] = [];
  for (const distributions of sizes) {
    const ids = Array.from({ length: distributions }, (_, i) => `E${String(i).padStart(12, '0')}`);
    const sampled = new Set([ids[0]!, ids.at(-1)!]);
    const withValues = (id: string) => sampled.has(id);
    const queries = buildMetricQueries(ids, window.periodSeconds).length;
    const count = async (packing?: MetricDataLimits) => {
      const fake = limitedCloudWatch({ withValues });
      const fetched = await fetchDistributionMetrics(fake.client, ids, window, packing);
      for (const id of sampled)
        for (const metric of CLOUDFRONT_METRIC_NAMES) {
          const series = fetched.get(id)![metric];
          if (series.length !== points || series.some((p) => p.v !== fakeValue(id, metric, p.t)))
            throw new Error(`report bench: ${metric} of ${id} did not come back whole`);
        }
      return fake.calls.length;
    };
    rows.push({
      distributions,
      queries,
      datapoints: queries * points,
      bound: metricDataCallBound(queries, points),
      calls: await count(),
      callsPackedByQueries: await count({
        maxQueries: GET_METRIC_DATA_LIMITS.maxQueries,
        maxDatapoints: Number.MAX_SAFE_INTEGER,
      }),
      callsOnePerSeries: await count({
        maxQueries: 1,
        maxDatapoints: GET_METRIC_DATA_LIMITS.maxDatapoints,
      }),
    });
  }
  return rows;
}

const n = (x: number) => x.toLocaleString('en-US').replace(/,/g, ' ');

export function reportCallsTable(rows: readonly ReportCallsRow[]): string[] {
  return [
    'Report: GetMetricData calls for 7 metrics × 24 h of 1-minute data (every series full), through the real metrics code:',
    '',
    '| distributions | queries | datapoints | calls | bound | packed by queries alone (before) | one call per series |',
    '|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map(
      (r) =>
        `| ${n(r.distributions)} | ${n(r.queries)} | ${n(r.datapoints)} | ${r.calls} | ${r.bound} | ` +
        `${r.callsPackedByQueries} | ${n(r.callsOnePerSeries)} |`,
    ),
  ];
}
