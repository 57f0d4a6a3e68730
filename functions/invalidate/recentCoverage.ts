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
import { CoverageIndex } from './coverageIndex.js';

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
  indexes.clear();
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
 * `latest` answers for `recent` (default: built from it).
 */
export function coveredRequests(
  requests: readonly PathRequest[],
  eventTimes: ReadonlyMap<string, number>,
  recent: readonly RecentInvalidation[],
  latest: (path: string) => number = latestInvalidation(recent),
): Set<string> {
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
  const index = new CoverageIndex().update(recent);
  return (path) => index.latest(path);
}

/** Per distribution, idle indexes of recent invalidations, as earlier batches left them. */
const indexes = new Map<string, CoverageIndex[]>();
/** Idle indexes kept per distribution (one per batch in progress at once, in one process). */
const POOL_LIMIT = 4;

/**
 * {@link latestInvalidation} for this distribution's `recent`, from an index an earlier batch of
 * this instance left, moved to that set (the invalidations that joined it since are indexed,
 * those that left it dropped): the same answers, without re-reading fifty invalidations' paths
 * per batch. `release` returns the index once the batch asks no more; until then no other batch
 * uses it (batches of one process may run at once: the local pollers, the bench).
 */
export function recentCoverage(
  distributionId: string,
  recent: readonly RecentInvalidation[],
): { readonly latest: (path: string) => number; readonly release: () => void } {
  const idle = indexes.get(distributionId) ?? [];
  indexes.set(distributionId, idle);
  const index = (idle.pop() ?? new CoverageIndex()).update(recent);
  let released = false;
  return {
    latest: (path) => index.latest(path),
    release: () => {
      if (released) return;
      released = true;
      if (idle.length < POOL_LIMIT) idle.push(index);
    },
  };
}
