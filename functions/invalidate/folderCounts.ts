/**
 * Bucket listings that size wildcards: how many objects a candidate folder holds, counted only as
 * far as the planner's decision needs (WILDCARD_MAX_UNCHANGED), and at most MAX_FOLDER_LISTINGS
 * listings per distribution and batch.
 */
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { InvalidateConfig } from './config.js';
import type { BucketOrigin } from '../../shared/distributions.js';
import type { InFlight } from '../../shared/invalidation/inflight.js';
import { wildcardCandidates } from '../../shared/invalidation/plan.js';
import { isWildcardPath, keyPrefixForPath } from '../../shared/keys.js';
import type { InvalidationTarget } from './types.js';

/** At most this many bucket listings per distribution and batch, to size wildcards. */
const MAX_FOLDER_LISTINGS = 50;

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
export async function folderCounts(
  deps: { readonly s3: S3Client; readonly config: InvalidateConfig },
  targets: readonly InvalidationTarget[],
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
