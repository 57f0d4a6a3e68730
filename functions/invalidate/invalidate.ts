/**
 * Invalidate core: a batch of invalidation requests in; per distribution one quota-aware
 * CreateInvalidation out (bisected into several when CloudFront rejects the call's input, so
 * one bad path does not hold back the rest); every request either covered by an invalidation
 * CloudFront accepted (one created after its object changed, earlier or now), or deferred (it
 * returns through SQS later). Nothing is dropped.
 *
 * Here: the batch's fan-out — each request's key to the paths of every distribution serving its
 * bucket (servedInvalidations), then each distribution in turn (distribution.ts).
 */
import { servedInvalidations, type BucketOrigin } from '../../shared/distributions.js';
import { appliesToDistribution, uploadIdentity } from '../../shared/invalidation/request.js';
import { errorText } from './cloudfrontErrors.js';
import { invalidateDistribution } from './distribution.js';
import type {
  BatchResult,
  DistributionResult,
  InvalidateCoreDeps,
  InvalidationTarget,
  ParsedRequest,
} from './types.js';

export { MAX_CREATE_CALLS } from './bisect.js';
export { readInFlight, sendPlan } from './distribution.js';
export type {
  BatchResult,
  Deferral,
  DistributionResult,
  InvalidateCoreDeps,
  ParsedRequest,
} from './types.js';

/**
 * Plans and sends the invalidations for a batch. Distributions are handled one after another:
 * CreateInvalidation's API rate is low (about one call every two seconds per account).
 */
export async function invalidateBatch(
  deps: InvalidateCoreDeps,
  batch: readonly ParsedRequest[],
): Promise<BatchResult> {
  const deferred = new Map<string, string>();
  const byDistribution = new Map<string, Map<string, InvalidationTarget>>();
  const identities = new Map<string, string>();
  const eventTimes = new Map<string, number>();
  const receiveCounts = new Map<string, number>();
  const supersets: Array<BatchResult['supersets'][number]> = [];
  let unserved = 0;

  const buckets = [...new Set(batch.map((b) => b.request.bucket))];
  for (const bucket of buckets) {
    const items = batch.filter((b) => b.request.bucket === bucket);
    let origins: BucketOrigin[];
    try {
      origins = await deps.findOrigins(bucket);
    } catch (error) {
      for (const item of items)
        deferred.set(item.id, `could not list distributions: ${errorText(error)}`);
      continue;
    }
    for (const item of items) {
      identities.set(item.id, uploadIdentity(item.request));
      if (item.receiveCount !== undefined) receiveCounts.set(item.id, item.receiveCount);
      const at = Date.parse(item.request.eventTime ?? '');
      if (Number.isFinite(at)) eventTimes.set(item.id, at);
      let served = false;
      for (const origin of origins) {
        const { distributionId } = origin;
        const ways = servedInvalidations(origin, item.request.key);
        if (ways.length === 0) continue;
        served = true;
        // A new key asked for only where a cached 403/404 may hide it (ifErrorCachedOver): done
        // here, with no path, on a distribution that caches that error no longer.
        if (!appliesToDistribution(item.request, origin.missingObjectErrorTtl)) continue;
        // Only `/*` could cover it: never sent; this message alone fails, with the reason (DLQ).
        const impossible = ways.find((w) => w.kind === 'unexpressible');
        if (impossible) {
          deferred.set(
            item.id,
            `${distributionId}: key cannot be invalidated: ${impossible.reason}`,
          );
          continue;
        }
        const paths: string[] = [];
        for (const way of ways) {
          if (way.kind === 'unexpressible') continue;
          paths.push(way.path);
          if (way.kind === 'superset-wildcard')
            supersets.push({
              id: item.id,
              distributionId,
              key: item.request.key,
              path: way.path,
              reason: way.reason,
            });
        }
        const targets =
          byDistribution.get(origin.distributionId) ?? new Map<string, InvalidationTarget>();
        byDistribution.set(origin.distributionId, targets);
        const target: InvalidationTarget = targets.get(origin.originId) ?? {
          origin,
          bucket,
          requests: [],
          tagged: new Map(),
        };
        targets.set(origin.originId, target);
        for (const path of paths) target.requests.push({ id: item.id, path });
        const { cacheTags, cacheTagMembers } = item.request;
        if (cacheTags?.length)
          target.tagged?.set(item.id, {
            object: `${bucket}/${item.request.key}`,
            tags: cacheTags,
            ...(cacheTagMembers ? { members: cacheTagMembers } : {}),
          });
      }
      if (!served) unserved += 1;
    }
  }

  const results: DistributionResult[] = [];
  // An id comes back early only when every distribution that deferred it said when.
  const retryAfter = new Map<string, number>();
  const atVisibility = new Set<string>();
  for (const [distributionId, targets] of byDistribution) {
    const result = await invalidateDistribution(deps, distributionId, [...targets.values()], {
      identities,
      eventTimes,
      receiveCounts,
    });
    results.push(result);
    for (const d of result.deferred) {
      if (!deferred.has(d.id)) deferred.set(d.id, `${distributionId}: ${d.reason}`);
      if (d.retryAfterSeconds === undefined) atVisibility.add(d.id);
      else retryAfter.set(d.id, Math.max(retryAfter.get(d.id) ?? 0, d.retryAfterSeconds));
    }
  }
  for (const id of atVisibility) retryAfter.delete(id);
  return { distributions: results, deferred, retryAfter, unserved, supersets };
}
