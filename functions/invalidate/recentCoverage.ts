/**
 * Requests that an invalidation already accepted covers: one created after the object changed,
 * whose paths include (or whose wildcard covers) every path the request needs. Such a request
 * needs nothing more — its cached copies were dropped after the new version existed — so it is
 * acknowledged without a call.
 *
 * Why: S3 delivers events at least once and SQS redelivers after a timeout, regrouping messages,
 * so the same event comes again beside other messages. A CallerReference over the batch cannot
 * recognise it (the batch differs), and one per event would cost a call per object. Asking
 * CloudFront what it already does for us can: the invalidations created since the oldest event of
 * the batch, read once per batch and distribution (an invalidation never changes, so each is
 * fetched once per instance). It also spares a burst's later batches what an earlier batch's
 * wildcard already covered.
 *
 * Bounds: at most MAX_RECENT invalidations are read (newest first); a request none of them covers
 * is planned as before. Clocks: S3's event time and CloudFront's CreateTime are AWS clocks; the
 * invalidation must be at least CLOCK_SKEW_MS younger than the event to count.
 */
import {
  GetInvalidationCommand,
  paginateListInvalidations,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import type { PathRequest } from '../../shared/invalidation/plan.js';
import { isWildcardPath } from '../../shared/keys.js';

/** At most this many recent invalidations are read per distribution and batch. */
export const MAX_RECENT = 50;
/** An invalidation covers an event only when created at least this long after it. */
export const CLOCK_SKEW_MS = 1000;
const FETCH_CONCURRENCY = 8;
/** Invalidation paths fetched, per instance (oldest forgotten first). */
const CACHE_LIMIT = 500;
const fetched = new Map<string, readonly string[]>();
const cacheKey = (distributionId: string, s: { id: string; createTime: number }) =>
  `${distributionId}/${s.id}@${s.createTime}`;

/** Forgets the invalidations fetched (tests: one instance per case). */
export function forgetRecentInvalidations(): void {
  fetched.clear();
}

export interface RecentInvalidation {
  readonly id: string;
  readonly createTime: number;
  readonly paths: readonly string[];
}

/** This distribution's invalidations created at or after `since` (ms), newest first, bounded. */
export async function recentInvalidations(
  cloudfront: CloudFrontClient,
  distributionId: string,
  since: number,
): Promise<RecentInvalidation[]> {
  const summaries: Array<{ id: string; createTime: number }> = [];
  for await (const page of paginateListInvalidations(
    { client: cloudfront, pageSize: 100 },
    { DistributionId: distributionId },
  )) {
    const items = page.InvalidationList?.Items ?? [];
    let older = 0;
    for (const item of items) {
      const createTime = item.CreateTime?.getTime();
      if (!item.Id || createTime === undefined || createTime < since) older += 1;
      else summaries.push({ id: item.Id, createTime });
    }
    // Newest first: a page with older ones ends the scan.
    if (older > 0 || summaries.length >= MAX_RECENT) break;
  }
  const chosen = summaries.sort((a, b) => b.createTime - a.createTime).slice(0, MAX_RECENT);
  const missing = chosen.filter((s) => !fetched.has(cacheKey(distributionId, s)));
  for (let i = 0; i < missing.length; i += FETCH_CONCURRENCY) {
    const details = await Promise.all(
      missing
        .slice(i, i + FETCH_CONCURRENCY)
        .map((s) =>
          cloudfront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: s.id })),
        ),
    );
    details.forEach((d, j) => {
      if (fetched.size >= CACHE_LIMIT) fetched.delete(fetched.keys().next().value!);
      const paths = d.Invalidation?.InvalidationBatch?.Paths?.Items ?? [];
      fetched.set(cacheKey(distributionId, missing[i + j]!), paths);
    });
  }
  return chosen.map((s) => ({ ...s, paths: fetched.get(cacheKey(distributionId, s)) ?? [] }));
}

/**
 * Ids of the requests whose every path an invalidation in `recent` covers, created at least
 * CLOCK_SKEW_MS after the request's event (`eventTimes`; a request without one is never covered).
 */
export function coveredRequests(
  requests: readonly PathRequest[],
  eventTimes: ReadonlyMap<string, number>,
  recent: readonly RecentInvalidation[],
): Set<string> {
  const latest = latestInvalidation(recent);
  const uncovered = new Set<string>();
  const seen = new Set<string>();
  for (const { id, path } of requests) {
    seen.add(id);
    const event = eventTimes.get(id);
    if (event === undefined || latest(path) < event + CLOCK_SKEW_MS) uncovered.add(id);
  }
  return new Set([...seen].filter((id) => !uncovered.has(id)));
}

/**
 * When the latest invalidation in `recent` that covers a path was created (ms), or -Infinity.
 */
export function latestInvalidation(
  recent: readonly RecentInvalidation[],
): (path: string) => number {
  const exact = new Map<string, number>();
  const wildcards: Array<{ prefix: string; createTime: number }> = [];
  for (const invalidation of recent)
    for (const path of invalidation.paths) {
      if (isWildcardPath(path))
        wildcards.push({ prefix: path.slice(0, -1), createTime: invalidation.createTime });
      else exact.set(path, Math.max(exact.get(path) ?? -Infinity, invalidation.createTime));
    }
  const latest = (path: string): number => {
    let at = isWildcardPath(path) ? -Infinity : (exact.get(path) ?? -Infinity);
    const own = isWildcardPath(path) ? path.slice(0, -1) : path;
    for (const w of wildcards) if (w.createTime > at && own.startsWith(w.prefix)) at = w.createTime;
    return at;
  };
  return latest;
}
