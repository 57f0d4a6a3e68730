/**
 * CloudFront distribution metrics: fetched with GetMetricData in batches, summarised in
 * TypeScript. Every ratio is request-weighted (Σ rate·requests / Σ requests over the periods
 * where both are known), never a mean of percentages, and nothing is invented where CloudWatch
 * has no datapoints. CloudFront publishes its metrics in us-east-1 only: pass
 * `clients.cloudwatchGlobal`.
 *
 * A little over 300 lines: the queries and the request-weighted sums they feed belong together.
 */
import {
  paginateGetMetricData,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { InvalidInputError } from '../../shared/errors.js';
import { MetricDataError, metricDataReader } from './metricDataReader.js';

/** The metrics the report reads, with the statistic each one is fetched with. */
export const CLOUDFRONT_METRICS = {
  Requests: 'Sum',
  BytesDownloaded: 'Sum',
  '4xxErrorRate': 'Average',
  '5xxErrorRate': 'Average',
  TotalErrorRate: 'Average',
  CacheHitRate: 'Average',
  OriginLatency: 'Average',
} as const;
export type CloudFrontMetric = keyof typeof CLOUDFRONT_METRICS;

/** Metric names in a fixed order (the order queries are built in). */
export const CLOUDFRONT_METRIC_NAMES = Object.keys(
  CLOUDFRONT_METRICS,
) as readonly CloudFrontMetric[];

/** Metrics that exist only when the distribution's additional metrics are on (paid). */
export const ADDITIONAL_METRICS: readonly CloudFrontMetric[] = ['CacheHitRate', 'OriginLatency'];

export const CLOUDFRONT_NAMESPACE = 'AWS/CloudFront';
/** CloudWatch: at most 500 MetricDataQuery structures per GetMetricData call. */
export const MAX_QUERIES_PER_CALL = 500;
/** CloudWatch: at most 100 800 datapoints returned per GetMetricData call (more: NextToken). */
export const MAX_DATAPOINTS_PER_CALL = 100_800;

/** GetMetricData's limits per call (the API's by default; tests pass smaller ones). */
export interface MetricDataLimits {
  readonly maxQueries: number;
  readonly maxDatapoints: number;
}
export const GET_METRIC_DATA_LIMITS: MetricDataLimits = Object.freeze({
  maxQueries: MAX_QUERIES_PER_CALL,
  maxDatapoints: MAX_DATAPOINTS_PER_CALL,
});
/** CloudFront publishes 1-minute datapoints; finer periods return nothing. */
export const CLOUDFRONT_PERIOD_SECONDS = 60;

export interface MetricWindow {
  readonly start: Date;
  readonly end: Date;
  readonly periodSeconds: number;
}

/** One datapoint: period start (epoch ms) and value. */
export interface Point {
  readonly t: number;
  readonly v: number;
}

export type SeriesByMetric = Readonly<Record<CloudFrontMetric, readonly Point[]>>;

/** GetMetricData answered a query with an error status, or an answer it cannot read. */
export { MetricDataError };

/** A series for every metric, all empty. */
export function emptySeries(): SeriesByMetric {
  return Object.fromEntries(
    CLOUDFRONT_METRIC_NAMES.map((m) => [m, []]),
  ) as unknown as SeriesByMetric;
}

/**
 * The `hours` before `now`, ending on a period boundary, in `periodSeconds` periods (default one
 * minute: ratios are weighted per minute, as CloudFront publishes them; a coarser `Average` is
 * already an unweighted mean of minutes).
 */
export function lastWindow(
  now: Date,
  hours: number,
  periodSeconds: number = CLOUDFRONT_PERIOD_SECONDS,
): MetricWindow {
  const periodMs = periodSeconds * 1000;
  const end = Math.floor(now.getTime() / periodMs) * periodMs;
  return { start: new Date(end - hours * 3_600_000), end: new Date(end), periodSeconds };
}

/** The window of the same length just before `window` (for trends). */
export function previousWindow(window: MetricWindow): MetricWindow {
  const length = window.end.getTime() - window.start.getTime();
  return {
    start: new Date(window.start.getTime() - length),
    end: new Date(window.start.getTime()),
    periodSeconds: window.periodSeconds,
  };
}

function checkWindow(window: MetricWindow): void {
  const { start, end, periodSeconds } = window;
  if (!(start.getTime() < end.getTime())) {
    throw new InvalidInputError('window', 'start must be before end');
  }
  if (!Number.isInteger(periodSeconds) || periodSeconds <= 0 || periodSeconds % 60 !== 0) {
    throw new InvalidInputError(
      'window.periodSeconds',
      `must be a positive multiple of 60 (got ${periodSeconds})`,
    );
  }
}

interface QueryRef {
  readonly distributionId: string;
  readonly metric: CloudFrontMetric;
}

/** One query per (distribution, metric), ids `q0`, `q1`, … (unique within a call). */
export function buildMetricQueries(
  distributionIds: readonly string[],
  periodSeconds: number,
): Array<{ query: MetricDataQuery; ref: QueryRef }> {
  return distributionIds.flatMap((distributionId) =>
    CLOUDFRONT_METRIC_NAMES.map((metric) => ({
      ref: { distributionId, metric },
      query: {
        Id: '',
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: CLOUDFRONT_NAMESPACE,
            MetricName: metric,
            Dimensions: [
              { Name: 'DistributionId', Value: distributionId },
              { Name: 'Region', Value: 'Global' },
            ],
          },
          Period: periodSeconds,
          Stat: CLOUDFRONT_METRICS[metric],
        },
      },
    })),
  );
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Sorted by time, one value per timestamp (a later page wins), non-finite values dropped. */
function toSeries(points: ReadonlyMap<number, number>): Point[] {
  return [...points.entries()]
    .filter(([, v]) => Number.isFinite(v))
    .sort(([a], [b]) => a - b)
    .map(([t, v]) => ({ t, v }));
}

/**
 * Runs one batch of ≤ 500 queries through every page, and returns the datapoints by query id.
 * Throws {@link MetricDataError} when CloudWatch reports a query as failed or answers in a way
 * that cannot be read as it is (metricDataReader.ts), so a caller never mistakes "could not
 * read" for "no traffic", nor a malformed answer for a rate.
 */
export async function runBatch(
  cloudwatch: CloudWatchClient,
  queries: readonly MetricDataQuery[],
  window: MetricWindow,
): Promise<Map<string, Map<number, number>>> {
  const reader = metricDataReader(queries);
  const pages = paginateGetMetricData(
    { client: cloudwatch },
    {
      MetricDataQueries: [...queries],
      // AWS rounds a recent StartTime down to the minute; do it here so the emulator (which
      // buckets from StartTime as given) agrees.
      StartTime: new Date(Math.floor(window.start.getTime() / 60_000) * 60_000),
      EndTime: window.end,
      ScanBy: 'TimestampAscending',
    },
  );
  for await (const page of pages) reader.add(page);
  return reader.finish();
}

/** The StartTime a call is made with (as runBatch sends it): AWS rounds a recent one down to the minute. */
function callStart(window: MetricWindow): Date {
  return new Date(Math.floor(window.start.getTime() / 60_000) * 60_000);
}

/** Datapoints one query can return over the window: one per period (EndTime is exclusive). */
export function periodsIn(window: MetricWindow): number {
  const span = window.end.getTime() - callStart(window).getTime();
  return Math.ceil(span / (window.periodSeconds * 1000));
}

/**
 * Queries per call such that one call answers them all, no second page: at most `maxQueries`,
 * and at most as many as `maxDatapoints` can hold whole (at least one: a longer series pages).
 */
export function queriesPerCall(
  window: MetricWindow,
  limits: MetricDataLimits = GET_METRIC_DATA_LIMITS,
): number {
  const fit = Math.floor(limits.maxDatapoints / Math.max(1, periodsIn(window)));
  return Math.max(1, Math.min(limits.maxQueries, fit));
}

/**
 * The fewest GetMetricData calls that can read `queries` series of `pointsPerQuery` datapoints:
 * max(⌈queries / maxQueries⌉, ⌈datapoints / maxDatapoints⌉).
 */
export function metricDataCallBound(
  queries: number,
  pointsPerQuery: number,
  limits: MetricDataLimits = GET_METRIC_DATA_LIMITS,
): number {
  if (queries === 0) return 0;
  return Math.max(
    Math.ceil(queries / limits.maxQueries),
    Math.ceil((queries * pointsPerQuery) / limits.maxDatapoints),
  );
}

/**
 * GetMetricData for every (distribution, metric) series, packed across distributions so that
 * each call carries as many whole series as its 500 queries and 100 800 datapoints hold (70 of
 * 24 h at one minute, 500 of 15 min): the calls are then max(⌈queries / 500⌉, ⌈datapoints /
 * 100 800⌉) whenever the window's periods divide 100 800 (a day of minutes does), and a page
 * CloudWatch cuts short is still followed by NextToken. Namespace `AWS/CloudFront`, dimensions
 * DistributionId + Region=Global. Returns every distribution asked for (empty series when
 * CloudWatch has none), each series sorted by time.
 */
export async function fetchDistributionMetrics(
  cloudwatch: CloudWatchClient,
  distributionIds: readonly string[],
  window: MetricWindow,
  limits: MetricDataLimits = GET_METRIC_DATA_LIMITS,
): Promise<Map<string, SeriesByMetric>> {
  checkWindow(window);
  const ids = [...new Set(distributionIds)];
  const collected = new Map<string, Record<CloudFrontMetric, Point[]>>(
    ids.map((id) => [id, { ...emptySeries() } as Record<CloudFrontMetric, Point[]>]),
  );
  const perCall = queriesPerCall(window, limits);
  for (const batch of chunk(buildMetricQueries(ids, window.periodSeconds), perCall)) {
    const queries = batch.map(({ query }, i) => ({ ...query, Id: `q${i}` }));
    const results = await runBatch(cloudwatch, queries, window);
    batch.forEach(({ ref }, i) => {
      collected.get(ref.distributionId)![ref.metric] = toSeries(results.get(`q${i}`)!);
    });
  }
  return new Map([...collected].map(([id, series]) => [id, series as SeriesByMetric]));
}

// ---------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------

export interface TrafficSummary {
  readonly distributionId: string;
  readonly requests: number;
  readonly bytesDownloaded: number;
  /**
   * Percent, request-weighted (Σ rate·requests / Σ requests over periods with requests);
   * undefined when the metric has no data (additional metrics off) or there were no requests.
   * Never invented.
   */
  readonly hitRate: number | undefined;
  readonly errorRate4xx: number | undefined;
  readonly errorRate5xx: number | undefined;
  readonly totalErrorRate: number | undefined;
  /** Request-weighted mean of the per-period averages, in ms. */
  readonly originLatencyMs: number | undefined;
  /** CacheHitRate or OriginLatency datapoints present. */
  readonly additionalMetrics: boolean;
  /** Distinct period timestamps with a datapoint of any metric. */
  readonly periods: number;
  /** Periods whose Requests sum is above 0. */
  readonly periodsWithRequests: number;
}

/**
 * Σ rate·requests / Σ requests, joining the two series on the period timestamp. A period counts
 * only when both a rate and a request count exist for it and the count is above 0: a rate with
 * no matching count has no known weight, a count with no rate has no known rate, and neither is
 * guessed. Undefined when no period qualifies (no data, or no requests at all).
 */
export function weightedAverage(
  rates: readonly Point[],
  requests: readonly Point[],
): number | undefined {
  const weights = new Map<number, number>();
  for (const p of requests) {
    if (Number.isFinite(p.v) && p.v > 0) weights.set(p.t, p.v);
  }
  let weighted = 0;
  let total = 0;
  for (const p of rates) {
    const w = weights.get(p.t);
    if (w === undefined || !Number.isFinite(p.v)) continue;
    weighted += p.v * w;
    total += w;
  }
  return total > 0 ? weighted / total : undefined;
}

const sum = (points: readonly Point[]) => points.reduce((acc, p) => acc + p.v, 0);

/** Totals and request-weighted ratios of one distribution's series. */
export function summarize(distributionId: string, series: SeriesByMetric): TrafficSummary {
  const requests = series.Requests;
  const timestamps = new Set<number>();
  for (const metric of CLOUDFRONT_METRIC_NAMES) for (const p of series[metric]) timestamps.add(p.t);
  return {
    distributionId,
    requests: sum(requests),
    bytesDownloaded: sum(series.BytesDownloaded),
    hitRate: weightedAverage(series.CacheHitRate, requests),
    errorRate4xx: weightedAverage(series['4xxErrorRate'], requests),
    errorRate5xx: weightedAverage(series['5xxErrorRate'], requests),
    totalErrorRate: weightedAverage(series.TotalErrorRate, requests),
    originLatencyMs: weightedAverage(series.OriginLatency, requests),
    additionalMetrics: ADDITIONAL_METRICS.some((m) => series[m].length > 0),
    periods: timestamps.size,
    periodsWithRequests: requests.filter((p) => p.v > 0).length,
  };
}

export interface Trend {
  readonly current: number | undefined;
  readonly previous: number | undefined;
  /**
   * For a rate (percent): current − previous, in percentage points. For a count:
   * current / previous − 1, a fraction (0.25 = 25 % more; 0 when both are 0). Undefined when
   * either side is unknown, or for a count when previous is 0 and current is not.
   */
  readonly change: number | undefined;
}

/** Change between two periods; see {@link Trend.change} for the units. */
export function trend(
  current: number | undefined,
  previous: number | undefined,
  kind: 'rate' | 'count',
): Trend {
  let change: number | undefined;
  if (current !== undefined && previous !== undefined) {
    if (kind === 'rate') change = current - previous;
    else if (previous !== 0) change = current / previous - 1;
    else if (current === 0) change = 0;
  }
  return { current, previous, change };
}
