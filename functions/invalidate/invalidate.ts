/**
 * Invalidate core: a batch of invalidation requests in; per distribution one quota-aware
 * CreateInvalidation out (bisected into several when CloudFront rejects the call's input, so
 * one bad path does not hold back the rest); every request either covered by an invalidation
 * CloudFront accepted, or deferred (it returns through SQS later). Nothing is dropped.
 */
import { CreateInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { CALLER_REFERENCE_PREFIX } from '../../shared/catalogue.js';
import { callerReference } from '../../shared/invalidation/callerReference.js';
import type { InvalidateConfig } from '../../shared/config.js';
import {
  servedPaths,
  type BucketOrigin,
  type BucketOriginFinder,
} from '../../shared/distributions.js';
import { inFlightPaths, type InFlight } from '../../shared/invalidation/inflight.js';
import { uploadIdentity, type InvalidationRequest } from '../../shared/invalidation/request.js';
import {
  planInvalidation,
  wildcardCandidates,
  type PathRequest,
  type Plan,
} from '../../shared/invalidation/plan.js';
import { isWildcardPath, keyPrefixForPath } from '../../shared/keys.js';
import type { InvalidationOutcome } from './types.js';

export interface InvalidateCoreDeps {
  readonly cloudfront: CloudFrontClient;
  readonly s3: S3Client;
  readonly config: InvalidateConfig;
  readonly findOrigins: BucketOriginFinder;
}

export interface ParsedRequest {
  readonly id: string;
  readonly request: InvalidationRequest;
}

export interface DistributionResult {
  readonly distributionId: string;
  readonly requested: number;
  readonly plan?: Plan;
  readonly inFlight?: InFlight;
  /** The CreateInvalidation calls CloudFront accepted (several when a rejection was bisected). */
  readonly invalidations: readonly InvalidationOutcome[];
  /** Request ids that must come back later, with the reason. */
  readonly deferred: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
  readonly throttled: boolean;
}

export interface BatchResult {
  readonly distributions: readonly DistributionResult[];
  readonly deferred: ReadonlyMap<string, string>;
  readonly unserved: number;
}

/** Errors that mean "not now": quota full, throttled, or a transient service failure. */
export function isThrottle(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return (
    name === 'TooManyInvalidationsInProgress' ||
    name === 'Throttling' ||
    name === 'ThrottlingException'
  );
}

/**
 * Errors that mean "this input is wrong": a 4xx CloudFront answered about the call itself
 * (InvalidArgument, BatchTooLarge, InconsistentQuantities, …), not throttling. Sending the same
 * paths again fails the same way. Anything else (throttling, 5xx, network) is worth retrying.
 */
export function isRejection(error: unknown): boolean {
  if (isThrottle(error)) return false;
  const e = error as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 400 && status < 500;
  return e?.$fault === 'client';
}

/** Rejections that are about the account or the distribution, never about a path. */
const CALL_LEVEL_REJECTIONS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'NoSuchDistribution',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
]);

function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

/** At most this many bucket listings per distribution and batch, to size wildcards. */
const MAX_FOLDER_LISTINGS = 50;

/**
 * At most this many CreateInvalidation calls per distribution and batch. Bisecting n paths to
 * isolate one rejected path costs about 2·log2(n) calls (3 000 paths: 24); what is left when the
 * cap is reached is deferred.
 */
export const MAX_CREATE_CALLS = 24;

/** Whether invalidating `sent` also invalidates the requested `path` (exact, or `prefix*`). */
function covers(sent: readonly string[], path: string): boolean {
  return sent.some((p) => p === path || (isWildcardPath(p) && path.startsWith(p.slice(0, -1))));
}

/**
 * Number of objects under each candidate folder, read from the bucket, counting only as far as
 * the answer matters: a folder with more than `limit(folder)` objects is reported as limit + 1.
 */
async function countObjects(
  s3: S3Client,
  bucket: string,
  origin: BucketOrigin,
  folders: readonly string[],
  limit: (folder: string) => number,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const folder of folders) {
    const max = limit(folder);
    let count = 0;
    const pages = paginateListObjectsV2(
      { client: s3, pageSize: Math.min(1000, max + 1) },
      { Bucket: bucket, Prefix: keyPrefixForPath(folder, origin.originPath) },
    );
    for await (const page of pages) {
      count += page.KeyCount ?? page.Contents?.length ?? 0;
      if (count > max) break;
    }
    counts.set(folder, Math.min(count, max + 1));
  }
  return counts;
}

/**
 * Object counts for the folders the planner may turn into wildcards: folders dense enough at the
 * configured threshold, or — when the file budget cannot hold every path — at any density,
 * the root included. Skipped when no wildcard can be sent anyway.
 */
async function folderCounts(
  deps: InvalidateCoreDeps,
  targets: readonly Target[],
  inFlight: InFlight,
): Promise<Map<string, number> | undefined> {
  const { config } = deps;
  if (config.maxInflightWildcards - inFlight.wildcards <= 0) return undefined;
  const counts = new Map<string, number>();
  const files = new Set(
    targets.flatMap((t) => t.requests.map((r) => r.path)).filter((p) => !isWildcardPath(p)),
  );
  const pressure = files.size > config.maxInflightPaths - inFlight.files;
  for (const target of targets) {
    const paths = target.requests.map((r) => r.path);
    const folders = wildcardCandidates(paths, pressure ? 2 : config.collapseMinSiblings);
    if (pressure) folders.push('/');
    const chosen = folders.filter((f) => !counts.has(f)).slice(0, MAX_FOLDER_LISTINGS);
    const requestedUnder = (folder: string) => paths.filter((p) => p.startsWith(folder)).length;
    const found = await countObjects(
      deps.s3,
      target.bucket,
      target.origin,
      chosen,
      (folder) => requestedUnder(folder) + config.wildcardMaxUnchanged,
    );
    for (const [folder, n] of found) counts.set(folder, n);
  }
  return counts;
}

interface Target {
  readonly origin: BucketOrigin;
  readonly bucket: string;
  readonly requests: PathRequest[];
}

async function invalidateOne(
  deps: InvalidateCoreDeps,
  distributionId: string,
  targets: readonly Target[],
  identities: ReadonlyMap<string, string>,
): Promise<DistributionResult> {
  const requests = targets.flatMap((t) => t.requests);
  const deferAll = (reason: string, throttled = false): DistributionResult => ({
    distributionId,
    requested: requests.length,
    invalidations: [],
    deferred: [...new Set(requests.map((r) => r.id))].map((id) => ({ id, reason })),
    throttled,
  });
  const { config } = deps;
  let inFlight: InFlight;
  let objectsUnder: Map<string, number> | undefined;
  try {
    inFlight = await inFlightPaths(deps.cloudfront, distributionId);
    objectsUnder = await folderCounts(deps, targets, inFlight);
  } catch (error) {
    return deferAll(`could not read quota state: ${errorText(error)}`, isThrottle(error));
  }

  const planFor = (files: number, wildcards: number) => {
    const plan = planInvalidation({
      requests,
      inFlight: { files, wildcards },
      limits: { maxFiles: config.maxInflightPaths, maxWildcards: config.maxInflightWildcards },
      collapse: {
        minSiblings: config.collapseMinSiblings,
        maxUnchanged: config.wildcardMaxUnchanged,
      },
      ...(objectsUnder ? { objectsUnder } : {}),
    });
    const accepted = [...new Set(plan.accepted.map((id) => identities.get(id) ?? id))];
    return { plan, reference: callerReference(distributionId, plan.paths, accepted) };
  };
  let { plan, reference } = planFor(inFlight.files, inFlight.wildcards);
  // A redelivered batch whose invalidation is still in progress (the function crashed or timed
  // out after CreateInvalidation) sees its own invalidation in flight and would plan
  // differently. Planning once more without each of our own in-flight invalidations finds it
  // again: the same CallerReference, so CloudFront returns it instead of creating a second one.
  if (!inFlight.invalidations.some((i) => i.callerReference === reference)) {
    for (const own of inFlight.invalidations) {
      if (!own.callerReference.startsWith(CALLER_REFERENCE_PREFIX)) continue;
      const again = planFor(inFlight.files - own.files, inFlight.wildcards - own.wildcards);
      if (again.reference === own.callerReference) {
        ({ plan, reference } = again);
        break;
      }
    }
  }
  const quotaReason = `in-flight quota full (${inFlight.files} files, ${inFlight.wildcards} wildcards in flight)`;
  const planDeferred = plan.deferred.map((id) => ({ id, reason: quotaReason }));
  if (plan.paths.length === 0) {
    return {
      distributionId,
      requested: requests.length,
      plan,
      inFlight,
      invalidations: [],
      deferred: planDeferred,
      throttled: false,
    };
  }

  // The paths each accepted request needs; a request is done when a sent call covers them all.
  const acceptedIds = new Set(plan.accepted);
  const needs = new Map<string, string[]>();
  for (const r of requests) {
    if (!acceptedIds.has(r.id)) continue;
    const list = needs.get(r.id) ?? [];
    if (!list.includes(r.path)) list.push(r.path);
    needs.set(r.id, list);
  }
  /** Ids of the accepted requests with at least one path `paths` covers. */
  const touching = (paths: readonly string[]) =>
    plan.accepted.filter((id) => needs.get(id)!.some((path) => covers(paths, path)));

  // One call for the whole plan. When CloudFront rejects its input, bisect: each half is a call
  // of its own (own CallerReference), recursively, until the rejected paths stand alone. Depth
  // first, left half first, so a rejection costs about 2·log2(n) calls.
  interface Segment {
    readonly paths: readonly string[];
    /** The left half of a rejected call: when it succeeds, its right half must fail. */
    readonly sibling?: Segment;
    /** Known to be rejected as a whole (parent rejected, left half accepted): split unsent. */
    doomed?: boolean;
  }
  const invalidations: InvalidationOutcome[] = [];
  const rejected = new Map<string, string>();
  const stack: Segment[] = [{ paths: plan.paths }];
  /** Pushes both halves, the left on top (sent first). */
  const split = (segment: Segment) => {
    const half = Math.ceil(segment.paths.length / 2);
    const right: Segment = { paths: segment.paths.slice(half) };
    stack.push(right, { paths: segment.paths.slice(0, half), sibling: right });
  };
  let calls = 0;
  let stop: { reason: string; throttled: boolean } | undefined;
  while (stack.length) {
    const segment = stack.pop()!;
    if (segment.doomed && segment.paths.length > 1) {
      split(segment);
      continue;
    }
    if (calls >= MAX_CREATE_CALLS) {
      stop = {
        reason: `CreateInvalidation rejected input and bisecting it reached ${MAX_CREATE_CALLS} calls`,
        throttled: false,
      };
      break;
    }
    const whole = segment.paths === plan.paths;
    const ids = whole ? plan.accepted : touching(segment.paths);
    const ref = whole
      ? reference
      : callerReference(distributionId, segment.paths, [
          ...new Set(ids.map((id) => identities.get(id) ?? id)),
        ]);
    calls += 1;
    try {
      const out = await deps.cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: {
            CallerReference: ref,
            Paths: { Quantity: segment.paths.length, Items: [...segment.paths] },
          },
        }),
      );
      invalidations.push({
        distributionId,
        invalidationId: out.Invalidation?.Id ?? '',
        callerReference: ref,
        paths: segment.paths,
        wildcards: whole ? plan.wildcards : segment.paths.filter(isWildcardPath).length,
        requests: ids.length,
      });
      if (segment.sibling) segment.sibling.doomed = true;
    } catch (error) {
      const name = (error as { name?: string })?.name ?? '';
      if (!isRejection(error) || CALL_LEVEL_REJECTIONS.has(name)) {
        stop = {
          reason: `CreateInvalidation failed: ${errorText(error)}`,
          throttled: isThrottle(error),
        };
        break;
      }
      if (segment.paths.length === 1) {
        rejected.set(segment.paths[0]!, errorText(error));
      } else {
        split(segment);
      }
    }
  }

  const sent = invalidations.flatMap((i) => i.paths);
  const rejectedPaths = [...rejected.keys()];
  const deferred = [...planDeferred];
  for (const id of plan.accepted) {
    const missing = needs.get(id)!.filter((path) => !covers(sent, path));
    if (missing.length === 0) continue;
    const bad = rejectedPaths.find((p) => missing.some((path) => covers([p], path)));
    const reason =
      bad !== undefined
        ? `CloudFront rejected path ${bad}: ${rejected.get(bad)!}`
        : (stop?.reason ?? 'CreateInvalidation did not cover it');
    deferred.push({ id, reason });
  }
  return {
    distributionId,
    requested: requests.length,
    plan,
    inFlight,
    invalidations,
    deferred,
    throttled: stop?.throttled ?? false,
  };
}

/**
 * Plans and sends the invalidations for a batch. Distributions are handled one after another:
 * CreateInvalidation's API rate is low (about one call every two seconds per account).
 */
export async function invalidateBatch(
  deps: InvalidateCoreDeps,
  batch: readonly ParsedRequest[],
): Promise<BatchResult> {
  const deferred = new Map<string, string>();
  const byDistribution = new Map<string, Map<string, Target>>();
  const identities = new Map<string, string>();
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
      let served = false;
      for (const origin of origins) {
        const paths = servedPaths(origin, item.request.key);
        if (paths.length === 0) continue;
        served = true;
        const targets = byDistribution.get(origin.distributionId) ?? new Map<string, Target>();
        byDistribution.set(origin.distributionId, targets);
        const target = targets.get(origin.originId) ?? { origin, bucket, requests: [] };
        targets.set(origin.originId, target);
        for (const path of paths) target.requests.push({ id: item.id, path });
      }
      if (!served) unserved += 1;
    }
  }

  const results: DistributionResult[] = [];
  for (const [distributionId, targets] of byDistribution) {
    const result = await invalidateOne(deps, distributionId, [...targets.values()], identities);
    results.push(result);
    for (const d of result.deferred)
      if (!deferred.has(d.id)) deferred.set(d.id, `${distributionId}: ${d.reason}`);
  }
  return { distributions: results, deferred, unserved };
}
