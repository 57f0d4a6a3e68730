/**
 * Per-content-class counts from standard logs (the `logs` function's EMF: namespace
 * `CdnPipeline/ContentClasses`, dimensions DistributionId + ContentClass, in the stack's region:
 * read with `clients.cloudwatch`). Which (distribution, class) pairs exist is asked once
 * (ListMetrics, paginated): a distribution without standard logging costs no query. Each pair's
 * five counts are read as one Sum over the whole window (one datapoint a series), packed into
 * as few GetMetricData calls as the API's bounds allow (`queriesPerCall`, as for the CloudFront
 * metrics: at most 500 queries and 100 800 datapoints a call), and checked by the same reader.
 */
import {
  paginateListMetrics,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  CLASS_METRIC_NAMES,
  CLASS_METRICS_NAMESPACE,
  classHitRate,
  emptyCounts,
  type ClassCounts,
  type ClassMetric,
} from '../../shared/classMetrics.js';
import {
  chunk,
  GET_METRIC_DATA_LIMITS,
  queriesPerCall,
  runBatch,
  type MetricDataLimits,
  type MetricWindow,
} from './metrics.js';

/** One content class of one distribution over a window. */
export interface ClassSummary {
  readonly distributionId: string;
  readonly contentClass: string;
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  readonly errors: number;
  readonly bytes: number;
  /** Percent: hits / (hits + misses); undefined when there were neither. */
  readonly hitRate: number | undefined;
  /** Percent of requests with a 4xx or 5xx status; undefined without requests. */
  readonly errorRate: number | undefined;
}

export function summarizeClass(
  distributionId: string,
  contentClass: string,
  c: ClassCounts,
): ClassSummary {
  return {
    distributionId,
    contentClass,
    requests: c.Requests,
    hits: c.Hits,
    misses: c.Misses,
    errors: c.Errors,
    bytes: c.Bytes,
    hitRate: classHitRate(c),
    errorRate: c.Requests > 0 ? (100 * c.Errors) / c.Requests : undefined,
  };
}

/** The (distribution, class) pairs CloudWatch holds counts of, for these distributions. */
export async function listClassPairs(
  cloudwatch: CloudWatchClient,
  distributionIds: readonly string[],
): Promise<Array<{ distributionId: string; contentClass: string }>> {
  const wanted = new Set(distributionIds);
  const pairs = new Map<string, { distributionId: string; contentClass: string }>();
  const pages = paginateListMetrics(
    { client: cloudwatch },
    { Namespace: CLASS_METRICS_NAMESPACE, MetricName: 'Requests' },
  );
  for await (const page of pages) {
    for (const metric of page.Metrics ?? []) {
      const dims = new Map((metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      const distributionId = dims.get('DistributionId');
      const contentClass = dims.get('ContentClass');
      // Exactly these two dimensions: a metric with more is another series.
      if (dims.size !== 2 || !distributionId || !contentClass || !wanted.has(distributionId))
        continue;
      pairs.set(`${distributionId}\0${contentClass}`, { distributionId, contentClass });
    }
  }
  return [...pairs.values()].sort(
    (a, b) =>
      a.distributionId.localeCompare(b.distributionId) ||
      a.contentClass.localeCompare(b.contentClass),
  );
}

/**
 * The window as one period (its length, whole minutes): the counts are sums, so one datapoint
 * per series says it all.
 */
export function wholeWindow(window: MetricWindow): MetricWindow {
  const seconds = Math.max(
    60,
    Math.round((window.end.getTime() - window.start.getTime()) / 60_000) * 60,
  );
  return { ...window, periodSeconds: seconds };
}

/**
 * Every class of these distributions that has counts in the window (requests above 0), by
 * distribution. Throws MetricDataError (metricDataReader.ts) on an answer it cannot read.
 */
export async function fetchClassSummaries(
  cloudwatch: CloudWatchClient,
  distributionIds: readonly string[],
  window: MetricWindow,
  limits: MetricDataLimits = GET_METRIC_DATA_LIMITS,
): Promise<Map<string, ClassSummary[]>> {
  const out = new Map<string, ClassSummary[]>();
  if (!distributionIds.length) return out;
  const pairs = await listClassPairs(cloudwatch, distributionIds);
  if (!pairs.length) return out;
  const whole = wholeWindow(window);
  const queries = pairs.flatMap((pair) =>
    CLASS_METRIC_NAMES.map((metric) => ({
      pair,
      metric,
      query: {
        Id: '',
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: CLASS_METRICS_NAMESPACE,
            MetricName: metric,
            Dimensions: [
              { Name: 'DistributionId', Value: pair.distributionId },
              { Name: 'ContentClass', Value: pair.contentClass },
            ],
          },
          Period: whole.periodSeconds,
          Stat: 'Sum',
        },
      } satisfies MetricDataQuery,
    })),
  );
  const counts = new Map<string, ClassCounts>();
  for (const batch of chunk(queries, queriesPerCall(whole, limits))) {
    const results = await runBatch(
      cloudwatch,
      batch.map(({ query }, i) => ({ ...query, Id: `c${i}` })),
      whole,
    );
    batch.forEach(({ pair, metric }, i) => {
      const key = `${pair.distributionId}\0${pair.contentClass}`;
      const c = counts.get(key) ?? emptyCounts();
      for (const v of results.get(`c${i}`)!.values()) c[metric as ClassMetric] += v;
      counts.set(key, c);
    });
  }
  for (const pair of pairs) {
    const c = counts.get(`${pair.distributionId}\0${pair.contentClass}`)!;
    if (c.Requests <= 0) continue;
    const list = out.get(pair.distributionId) ?? [];
    list.push(summarizeClass(pair.distributionId, pair.contentClass, c));
    out.set(pair.distributionId, list);
  }
  return out;
}
