/**
 * The per-content-class request counts that the `logs` function publishes from CloudFront's
 * standard logs (as EMF) and the report reads back: their namespace, names, units and
 * dimensions, defined once. Counts, never rates: a hit rate over any window is
 * Σ hits / (Σ hits + Σ misses), so it is request-weighted by construction.
 *
 * - `Requests`: every logged request.
 * - `Hits`: `x-edge-result-type` `Hit` or `RefreshHit` (in cache; a RefreshHit was revalidated).
 * - `Misses`: `x-edge-result-type` `Miss`.
 * - `Errors`: `sc-status` 400 to 599 (what CloudFront's TotalErrorRate counts; an `Error` result
 *   with status 200 is a viewer that hung up, not an error).
 * - `Bytes`: Σ `sc-bytes`, what the viewers downloaded.
 *
 * The hit rate leaves out what is neither a hit nor a miss (`Error`, `Redirect`,
 * `LimitExceeded`, `CapacityExceeded`), as CloudFront's CacheHitRate leaves out what it cannot
 * cache.
 */

/** Where the counts live (the stack's region: EMF lands where the function runs). */
export const CLASS_METRICS_NAMESPACE = 'CdnPipeline/ContentClasses';

export const CLASS_METRICS = {
  Requests: 'Count',
  Hits: 'Count',
  Misses: 'Count',
  Errors: 'Count',
  Bytes: 'Bytes',
} as const;
export type ClassMetric = keyof typeof CLASS_METRICS;
export const CLASS_METRIC_NAMES = Object.keys(CLASS_METRICS) as readonly ClassMetric[];

/** The dimensions of every class metric, in this order (and no other: no `service`). */
export const CLASS_DIMENSIONS = ['DistributionId', 'ContentClass'] as const;

/** One (distribution, class) total. */
export type ClassCounts = Record<ClassMetric, number>;

export function emptyCounts(): ClassCounts {
  return { Requests: 0, Hits: 0, Misses: 0, Errors: 0, Bytes: 0 };
}

/** Percent, or undefined when nothing was a hit or a miss. */
export function classHitRate(counts: Pick<ClassCounts, 'Hits' | 'Misses'>): number | undefined {
  const cacheable = counts.Hits + counts.Misses;
  return cacheable > 0 ? (100 * counts.Hits) / cacheable : undefined;
}
