/**
 * The invalidate steps the benchmark compares, each fed the same batches:
 *
 * - pipeline: the stack's own step, through its public entry (`invalidateBatch`, with the
 *   function's config at its schema defaults, discovery through `cachedOriginFinder`, bodies
 *   parsed with the request schema as the handler does);
 * - (a) one invalidation per object: one CreateInvalidation of one path per message;
 * - (b) dedupe, then chunks of 3 000: one call per ≤ 3 000 distinct paths of the batch;
 * - (c) `/*` per batch: one call purging the whole distribution per batch;
 * - (d) cache tags, A MODEL until the pipeline sends `#tag` items: one call per batch with one
 *   `#tag` item per changed ladder or folder (objects tagged by their folder).
 *
 * A baseline fails the messages of a call CloudFront refuses (they come back through SQS), as a
 * careful tool would; none of them reads what is in flight.
 */
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { cachedOriginFinder } from '../shared/distributions.js';
import { invalidationPathForKey } from '../shared/keys.js';
import { invalidationRequestSchema } from '../shared/invalidation/request.js';
import { loadInvalidateConfig } from '../functions/invalidate/config.js';
import { forgetLearned } from '../functions/invalidate/bisect.js';
import { budgetFor } from '../functions/invalidate/budget.js';
import { forgetListedPaths } from '../functions/invalidate/folderCounts.js';
import { forgetHeld } from '../functions/invalidate/hold.js';
import { invalidateBatch } from '../functions/invalidate/invalidate.js';
import { forgetRecentInvalidations } from '../functions/invalidate/recentCoverage.js';
import { CLOUDFRONT_QUOTA, DISTRIBUTION_ID } from './fakeAws.js';
import type { FeedRecord, StepContext, Strategy } from './feed.js';

export const pipeline: Strategy = {
  name: 'pipeline',
  instance: ({ cloudfront, s3, dynamodb, clock }) => {
    // A new Lambda instance starts with nothing learned (rejected paths, fetched invalidations).
    forgetLearned();
    forgetRecentInvalidations();
    forgetHeld();
    forgetListedPaths();
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
        request: invalidationRequestSchema.parse(JSON.parse(r.body)),
        receiveCount: r.receiveCount,
      }));
      const result = await invalidateBatch(
        { cloudfront, s3, config, findOrigins, ...(budget ? { budget } : {}) },
        parsed,
      );
      // As the handler does: each deferred message comes back when the step says (held, quota).
      return new Map([...result.deferred.keys()].map((id) => [id, result.retryAfter.get(id)]));
    };
  },
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

export const cacheTagsModel: Strategy = {
  name: '(d) cache tags (model)',
  instance: (context) => (batch) =>
    chunked(context, batch, (r) => `#${context.workload.tagOf(r.key)}`),
};

export const STRATEGIES = [pipeline, perObject, dedupeChunks, purgeAll, cacheTagsModel] as const;
