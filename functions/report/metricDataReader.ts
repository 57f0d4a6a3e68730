/**
 * Reading GetMetricData's answer, page by page, into datapoints by query id — and refusing an
 * answer that cannot be read as it is, rather than turning it into a wrong rate: a result whose
 * Values and Timestamps do not pair up, a value no CloudFront metric can have (a negative count,
 * a rate above 100 %), an Id nobody asked for, a NextToken that repeats (the paginator would ask
 * for the same page forever), a query still PartialData on the last page. Each refusal is a
 * {@link MetricDataError} naming the field (`MetricDataResults[2].Values[5]`). Non-finite values
 * are dropped (no rate is known for that minute); a query with no result has no data, as
 * CloudWatch says of a metric it holds nothing of.
 */
import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { CdnPipelineError } from '../../shared/errors.js';

/**
 * GetMetricData answered in a way the report cannot use: a query failed (InternalError,
 * Forbidden) or the answer is malformed. `field` names what, when it is the answer's shape.
 */
export class MetricDataError extends CdnPipelineError {
  readonly field: string | undefined;
  constructor(message: string, options?: { cause?: unknown; field?: string }) {
    super(options?.field ? `${options.field}: ${message}` : message, options);
    this.field = options?.field;
  }
}

/** One page of GetMetricData's answer (the parts read here). */
export interface MetricDataPage {
  readonly MetricDataResults?: readonly MetricDataResult[];
  readonly NextToken?: string;
}

export interface MetricDataReader {
  /** Reads one page; throws MetricDataError on what it cannot read. */
  add(page: MetricDataPage): void;
  /** After the last page: the datapoints (period start in epoch ms → value) by query id. */
  finish(): Map<string, Map<number, number>>;
}

function describeQuery(query: MetricDataQuery | undefined): string {
  const metric = query?.MetricStat?.Metric;
  const distribution = metric?.Dimensions?.find((d) => d.Name === 'DistributionId')?.Value;
  return [metric?.MetricName, distribution && `of ${distribution}`].filter(Boolean).join(' ');
}

/** Why `value` cannot be a datapoint of `metricName`, or undefined. */
function valueProblem(metricName: string | undefined, value: number): string | undefined {
  if (value < 0) return `is ${value}; no CloudFront metric is negative`;
  if (metricName?.endsWith('Rate') && value > 100)
    return `is ${value}; ${metricName} is a percentage (0 to 100)`;
  return undefined;
}

/** A reader for the answer to `queries` (each with a unique Id). */
export function metricDataReader(queries: readonly MetricDataQuery[]): MetricDataReader {
  const byId = new Map<string, Map<number, number>>(queries.map((q) => [q.Id!, new Map()]));
  const queryById = new Map(queries.map((q) => [q.Id!, q]));
  /** The queries the latest page left PartialData (an error if that page is the last). */
  let partial: Array<{ id: string; index: number }> = [];
  const tokens = new Map<string, number>();
  let pageNumber = 0;

  return {
    add(page) {
      pageNumber += 1;
      partial = [];
      for (const [i, result] of (page.MetricDataResults ?? []).entries()) {
        const at = `MetricDataResults[${i}]`;
        const query = queryById.get(result.Id ?? '');
        const context = ` (query ${result.Id}: ${describeQuery(query)}, page ${pageNumber})`;
        if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
          const detail = result.Messages?.map((m) => m.Value).join('; ');
          throw new MetricDataError(
            `GetMetricData query ${result.Id} (${result.Label ?? ''}): ${result.StatusCode}${detail ? ` — ${detail}` : ''}`,
            { field: `${at}.StatusCode` },
          );
        }
        const points = byId.get(result.Id ?? '');
        if (!points || !query) {
          throw new MetricDataError(
            `${JSON.stringify(result.Id ?? null)} answers no query of this call (page ${pageNumber})`,
            { field: `${at}.Id` },
          );
        }
        const timestamps = result.Timestamps ?? [];
        const values = result.Values;
        if (timestamps.length > 0 && values === undefined)
          throw new MetricDataError(`missing for ${timestamps.length} timestamps${context}`, {
            field: `${at}.Values`,
          });
        if ((values ?? []).length !== timestamps.length)
          throw new MetricDataError(
            `${values?.length ?? 0} values for ${timestamps.length} timestamps: they pair by position${context}`,
            { field: `${at}.Values` },
          );
        const metricName = query.MetricStat?.Metric?.MetricName;
        for (const [j, stamp] of timestamps.entries()) {
          const t = new Date(stamp).getTime();
          if (!Number.isFinite(t))
            throw new MetricDataError(`${JSON.stringify(stamp)} is not a valid time${context}`, {
              field: `${at}.Timestamps[${j}]`,
            });
          const v = values![j]!;
          if (!Number.isFinite(v)) continue;
          const why = valueProblem(metricName, v);
          if (why) throw new MetricDataError(`${why}${context}`, { field: `${at}.Values[${j}]` });
          points.set(t, v);
        }
        if (result.StatusCode === 'PartialData') partial.push({ id: result.Id!, index: i });
      }
      if (page.NextToken !== undefined) {
        const earlier = tokens.get(page.NextToken);
        if (earlier !== undefined)
          throw new MetricDataError(
            `page ${pageNumber} repeats the token of page ${earlier}: following it would read the same pages forever`,
            { field: 'NextToken' },
          );
        tokens.set(page.NextToken, pageNumber);
      }
    },
    finish() {
      const [first] = partial;
      if (first)
        throw new MetricDataError(
          `is PartialData on the last page (page ${pageNumber}, no NextToken): the answer for query ${first.id} (${describeQuery(queryById.get(first.id))}) is incomplete`,
          { field: `MetricDataResults[${first.index}].StatusCode` },
        );
      return byId;
    },
  };
}
