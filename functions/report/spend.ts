/**
 * Invalidation spend this month against CloudFront's 1 000 free paths, from the `PathsBilled`
 * EMF metric the invalidate function publishes (one path per file path or wildcard sent). The
 * free tier is per AWS account: invalidations made outside this stack count against it too.
 */
import { paginateGetMetricData, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { MetricDataError } from './metrics.js';

/** CloudFront: the first 1 000 invalidation paths each month are free (per account). */
export const FREE_PATHS_PER_MONTH = 1000;
/** CloudFront: price per path above the free tier. */
export const PRICE_PER_PATH_USD = 0.005;
/** The EMF metric the invalidate function publishes. */
export const PATHS_BILLED_METRIC = 'PathsBilled';
/** No projection before this much of the month has passed (one busy hour is not a month). */
export const MIN_PROJECTION_ELAPSED_MS = 24 * 3_600_000;

const DAY_SECONDS = 86_400;

/** 00:00 UTC on the first day of `now`'s month. */
export function startOfMonthUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** 00:00 UTC on the first day of the next month. */
export function startOfNextMonthUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/**
 * Sum of `PathsBilled` (namespace `options.namespace`, dimension `service=<serviceName>`) since
 * the first of the month UTC, in daily periods (valid at every CloudWatch retention tier), read
 * from the stack's region: pass `clients.cloudwatch`.
 */
export async function fetchPathsBilledThisMonth(
  cloudwatch: CloudWatchClient,
  options: { namespace: string; serviceName: string; now: Date },
): Promise<number> {
  const start = startOfMonthUtc(options.now);
  if (options.now.getTime() <= start.getTime()) return 0;
  const pages = paginateGetMetricData(
    { client: cloudwatch },
    {
      StartTime: start,
      EndTime: options.now,
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        {
          Id: 'paths',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: options.namespace,
              MetricName: PATHS_BILLED_METRIC,
              Dimensions: [{ Name: 'service', Value: options.serviceName }],
            },
            Period: DAY_SECONDS,
            Stat: 'Sum',
          },
        },
      ],
    },
  );
  let total = 0;
  for await (const page of pages) {
    for (const result of page.MetricDataResults ?? []) {
      if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
        throw new MetricDataError(`GetMetricData ${PATHS_BILLED_METRIC}: ${result.StatusCode}`);
      }
      for (const v of result.Values ?? []) if (Number.isFinite(v)) total += v;
    }
  }
  return total;
}

export interface Spend {
  readonly pathsBilled: number;
  readonly freePaths: number;
  /** Paths above the free tier. */
  readonly billablePaths: number;
  /** billablePaths × $0.005, to a tenth of a cent. */
  readonly estimatedUsd: number;
  /** Linear projection to month end; absent in the month's first day. */
  readonly projectedPaths?: number;
}

/** Paths billed so far this month, what they cost and where the month is heading. */
export function invalidationSpend(pathsBilled: number, now: Date): Spend {
  const billablePaths = Math.max(0, pathsBilled - FREE_PATHS_PER_MONTH);
  const spend: Spend = {
    pathsBilled,
    freePaths: FREE_PATHS_PER_MONTH,
    billablePaths,
    estimatedUsd: Math.round(billablePaths * PRICE_PER_PATH_USD * 1000) / 1000,
  };
  const start = startOfMonthUtc(now).getTime();
  const elapsed = now.getTime() - start;
  if (elapsed < MIN_PROJECTION_ELAPSED_MS) return spend;
  const month = startOfNextMonthUtc(now).getTime() - start;
  return { ...spend, projectedPaths: Math.round((pathsBilled * month) / elapsed) };
}
