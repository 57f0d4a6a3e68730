/**
 * The invalidate steps the benchmark compares, each fed the same batches:
 *
 * - pipeline: the stack's own step, through its public entry (`invalidateBatch`, with the
 *   function's config at its schema defaults, discovery through `cachedOriginFinder`, bodies
 *   parsed with the request schema as the handler does);
 * - (a) one invalidation per object: one CreateInvalidation of one path per message;
 * - (b) dedupe, then chunks of 3 000: one call per ≤ 3 000 distinct paths of the batch;
 * - (c) `/*` per batch: one call purging the whole distribution per batch;
 * - (d) with cache tags: the stack's own step again, on messages that carry each object's cache
 *   tag (its ladder or folder, `workload.tagOf`) and the uploader's member count (how many of the
 *   bucket's objects carry it), as ingest sends them when CACHE_TAG_BUCKETS names the bucket and
 *   the distribution has `cacheTagHeader: x-amz-meta-cache-tag` (the fake's has). The planner
 *   decides where a `#tag` item is cheaper (shared/invalidation/tags.ts).
 *
 * A baseline fails the messages of a call CloudFront refuses (they come back through SQS), as a
 * careful tool would; none of them reads what is in flight.
 */
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { cachedOriginFinder } from '../shared/distributions.js';
import { invalidationPathForKey } from '../shared/keys.js';
import {
  invalidationRequestSchema,
  type InvalidationRequest,
} from '../shared/invalidation/request.js';
import { loadInvalidateConfig } from '../functions/invalidate/config.js';
import { forgetLearned } from '../functions/invalidate/bisect.js';
import { budgetFor } from '../functions/invalidate/budget.js';
import { forgetListedPaths } from '../functions/invalidate/folderCounts.js';
import { forgetHeld } from '../functions/invalidate/hold.js';
import { forgetTagMembers } from '../functions/invalidate/tagged.js';
import { invalidateBatch } from '../functions/invalidate/invalidate.js';
import { forgetRecentInvalidations } from '../functions/invalidate/recentCoverage.js';
import { CLOUDFRONT_QUOTA, DISTRIBUTION_ID } from './fakeAws.js';
import type { FeedRecord, InvalidateInstance, StepContext, Strategy } from './feed.js';
import type { Workload } from './workloads.js';

type Decorate = (request: InvalidationRequest, key: string) => InvalidationRequest;

/** One warm instance of the stack's step; `decorate` adds what ingest would add (cache tags). */
function pipelineInstance(
  { cloudfront, s3, dynamodb, clock }: StepContext,
  decorate: Decorate = (r) => r,
): InvalidateInstance {
  // A new Lambda instance starts with nothing learned (rejected paths, fetched invalidations).
  forgetLearned();
  forgetRecentInvalidations();
  forgetHeld();
  forgetListedPaths();
  forgetTagMembers();
  // The deployed defaults: serverless.yml passes a function setting only when it is set; the
  // ledger table it always sets (one budget shared by the instances, as deployed).
  const config = loadInvalidateConfig({ INVALIDATION_LEDGER_TABLE: 'bench-ledger' });
  const budget = budgetFor(config, dynamodb, 'bench');
  const findOrigins = cachedOriginFinder(cloudfront, {
    ...(config.distributionIds ? { ids: config.distributionIds } : {}),
    ttlMs: config.discoveryCacheMs,
    now: clock,
  });
  return async (batch) => {
    const parsed = batch.map((r) => ({
      id: r.messageId,
      request: decorate(invalidationRequestSchema.parse(JSON.parse(r.body)), r.key),
      receiveCount: r.receiveCount,
    }));
    const result = await invalidateBatch(
      { cloudfront, s3, config, findOrigins, ...(budget ? { budget } : {}) },
      parsed,
    );
    // As the handler does: each deferred message comes back when the step says (held, quota).
    return new Map([...result.deferred.keys()].map((id) => [id, result.retryAfter.get(id)]));
  };
}

export const pipeline: Strategy = {
  name: 'pipeline',
  instance: (context) => pipelineInstance(context),
};

let references = 0;

/** Sends `paths` in one call; the messages `ids` fail when CloudFront refuses it. */
async function send(
  context: StepContext,
  paths: readonly string[],
  ids: readonly string[],
  failed: Set<string>,
): Promise<void> {
  try {
    references += 1;
    await context.cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: DISTRIBUTION_ID,
        InvalidationBatch: {
          CallerReference: `bench-${references}`,
          Paths: { Quantity: paths.length, Items: [...paths] },
        },
      }),
    );
  } catch {
    for (const id of ids) failed.add(id);
  }
}

const pathOf = (r: FeedRecord) => invalidationPathForKey(r.key)!;

export const perObject: Strategy = {
  name: '(a) one per object',
  instance: (context) => async (batch) => {
    const failed = new Set<string>();
    for (const r of batch) await send(context, [pathOf(r)], [r.messageId], failed);
    return failed;
  },
};

/** Groups the batch by item (path or tag), then calls of ≤ 3 000 items. */
async function chunked(
  context: StepContext,
  batch: readonly FeedRecord[],
  itemOf: (r: FeedRecord) => string,
): Promise<Set<string>> {
  const byItem = new Map<string, string[]>();
  for (const r of batch) {
    const item = itemOf(r);
    const ids = byItem.get(item);
    if (ids) ids.push(r.messageId);
    else byItem.set(item, [r.messageId]);
  }
  const items = [...byItem.keys()];
  const failed = new Set<string>();
  for (let i = 0; i < items.length; i += CLOUDFRONT_QUOTA.files) {
    const chunk = items.slice(i, i + CLOUDFRONT_QUOTA.files);
    await send(
      context,
      chunk,
      chunk.flatMap((item) => byItem.get(item)!),
      failed,
    );
  }
  return failed;
}

export const dedupeChunks: Strategy = {
  name: '(b) dedupe + chunks of 3 000',
  instance: (context) => (batch) => chunked(context, batch, pathOf),
};

export const purgeAll: Strategy = {
  name: '(c) /* per batch',
  instance: (context) => async (batch) => {
    const failed = new Set<string>();
    await send(
      context,
      ['/*'],
      batch.map((r) => r.messageId),
      failed,
    );
    return failed;
  },
};

const tagSizes = new WeakMap<Workload, Map<string, number>>();

/** How many of the bucket's objects carry each tag: what the uploader declares. */
function membersOf(workload: Workload): Map<string, number> {
  let sizes = tagSizes.get(workload);
  if (!sizes) {
    sizes = new Map();
    for (const key of workload.bucketKeys) {
      const tag = workload.tagOf(key);
      sizes.set(tag, (sizes.get(tag) ?? 0) + 1);
    }
    tagSizes.set(workload, sizes);
  }
  return sizes;
}

export const withCacheTags: Strategy = {
  name: '(d) with cache tags',
  instance: (context) => {
    const sizes = membersOf(context.workload);
    return pipelineInstance(context, (request, key) => {
      const tag = context.workload.tagOf(key);
      return { ...request, cacheTags: [tag], cacheTagMembers: { [tag]: sizes.get(tag) ?? 1 } };
    });
  },
};

export const STRATEGIES = [pipeline, perObject, dedupeChunks, purgeAll, withCacheTags] as const;
