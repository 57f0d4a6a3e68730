/**
 * Bucket listings that size wildcards: how many objects under a candidate folder did NOT change,
 * counted only as far as the planner's decision needs (WILDCARD_MAX_UNCHANGED), within a bounded
 * number of listings and pages per distribution and batch.
 *
 * A burst spans batches. The render farm that rewrote 20 HLS ladders has its 10 020 requests
 * queued as ten batches of 1 000; each batch holds ~50 files of a 501-file folder. Counting the
 * other ~450 as "unchanged" refused the wildcard batch after batch (10 020 paths billed). Those
 * objects are not unchanged: they changed a moment ago and their own requests wait behind this
 * batch. So an object counts as part of the burst, not as unchanged, when it was last modified at
 * or after `since` (the oldest event of the batch), or when one of our invalidations of the last
 * BURST_WINDOW_MS, created after it changed, covers it (an earlier batch of the same burst: its
 * request is gone, its copy was dropped moments ago). Evicting one of those costs at most one
 * origin fetch of a copy cached since; a new object, never cached or with a stale 404, gains
 * from it. Objects modified earlier and not invalidated since are unchanged, and still counted.
 * Without event times, every object not requested counts as unchanged.
 *
 * A folder that was not listed (over the listing budget) is absent from the result: the planner
 * never collapses it, since it could evict any number of unchanged objects.
 */
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { InvalidateConfig } from './config.js';
import type { InFlight } from '../../shared/invalidation/inflight.js';
import { candidateFolders } from '../../shared/invalidation/plan.js';
import { invalidationPathForKey, isWildcardPath, keyPrefixForPath } from '../../shared/keys.js';
import type { InvalidationTarget } from './types.js';

/** At most this many folders listed per distribution and batch, to size wildcards. */
export const MAX_FOLDER_LISTINGS = 50;
/** At most this many listing pages (1 000 keys each) per distribution and batch. */
export const MAX_LISTING_PAGES = 200;
/** Our invalidations this long before the batch's oldest event may belong to its burst. */
export const BURST_WINDOW_MS = 5 * 60 * 1000;

/** What tells a burst's objects from unchanged ones. */
export interface Burst {
  /** Objects modified at or after this (ms) are changing: the batch's oldest event. */
  readonly since?: number;
  /** Per folder, when its burst began, if known earlier than `since` (hold.ts `burstSince`). */
  readonly sinceFor?: (folder: string) => number | undefined;
  /** When our latest recent invalidation covering a path was created (ms), or -Infinity. */
  readonly invalidatedAt?: (path: string) => number;
  /** The newest of those invalidations (ms), when known: `invalidatedAt` never exceeds it. */
  readonly newestInvalidation?: number;
}

/** Listed keys' invalidation paths by origin path, per warm instance (a burst lists the same folders again). */
const listedPaths = new Map<string, Map<string, string | undefined>>();
const LISTED_PATHS_LIMIT = 100_000;

/** {@link invalidationPathForKey}, remembered: every listed object asks it. */
function pathOf(key: string, originPath: string): string | undefined {
  let paths = listedPaths.get(originPath);
  if (!paths) listedPaths.set(originPath, (paths = new Map()));
  const known = paths.get(key);
  if (known !== undefined || paths.has(key)) return known;
  if (paths.size >= LISTED_PATHS_LIMIT) paths.clear();
  const path = invalidationPathForKey(key, originPath);
  paths.set(key, path);
  return path;
}

/** Forgets the remembered paths (the bench: each new instance starts cold). */
export function forgetListedPaths(): void {
  listedPaths.clear();
}

/**
 * What one folder's listing saw: enough to tell a burst still rewriting it. `changing`, `queued`
 * and `newest` describe the whole folder only when `complete`; an incomplete listing stops as soon
 * as its unchanged count passes the maximum, and only that (capped) count is meant to be read.
 */
export interface FolderListing {
  /** Unchanged objects (not requested, modified before `since`, not invalidated since). */
  readonly unchanged: number;
  /** Objects modified at or after `since`, requested ones included. */
  readonly changing: number;
  /**
   * Of those, the ones this batch does not request and no invalidation of ours covers since
   * they changed: their requests are queued behind this batch (the burst goes on).
   */
  readonly queued: number;
  /** The latest LastModified seen (ms), or -Infinity. */
  readonly newest: number;
  /** Every object of the folder was seen (not stopped early, nor by the page budget). */
  readonly complete: boolean;
}

/**
 * One folder's listing, or undefined when the page budget ran out before the unchanged count was
 * known. Stops once more than `max` unchanged objects are found, at the end of that page.
 */
async function countUnchanged(
  s3: S3Client,
  target: InvalidationTarget,
  folder: string,
  requested: ReadonlySet<string>,
  burst: Burst,
  max: number,
  pages: { left: number },
): Promise<FolderListing | undefined> {
  const { invalidatedAt } = burst;
  // No invalidation of ours is newer than an object modified at or after this: none covers it.
  const newestInvalidation = burst.newestInvalidation ?? Infinity;
  const since = burst.sinceFor?.(folder) ?? burst.since;
  let unchanged = 0;
  let changing = 0;
  let queued = 0;
  let newest = -Infinity;
  const seen = (complete: boolean): FolderListing => ({
    unchanged: complete ? unchanged : Math.min(unchanged, max + 1),
    changing,
    queued,
    newest,
    complete,
  });
  const listing = paginateListObjectsV2(
    // Full pages: a burst's changed objects sit among the unchanged ones, and a small first page
    // of them decides nothing (measured: twice the listings on 100 folders of 1 100 objects).
    { client: s3, pageSize: 1000 },
    { Bucket: target.bucket, Prefix: keyPrefixForPath(folder, target.origin.originPath) },
  );
  for await (const page of listing) {
    pages.left -= 1;
    // Objects a page counts but does not show: nothing tells when they changed.
    unchanged += Math.max(0, (page.KeyCount ?? 0) - (page.Contents?.length ?? 0));
    // A page with more behind it ends the listing once more than `max` unchanged objects are
    // seen: the rest of the page would change nothing but fields an incomplete listing does
    // not report (only its capped unchanged count is read).
    const stopEarly = page.IsTruncated === true;
    for (const object of page.Contents ?? []) {
      if (stopEarly && unchanged > max) return seen(false);
      if (object.Key === undefined) continue;
      const modified = object.LastModified?.getTime();
      if (modified !== undefined && modified > newest) newest = modified;
      const recent = since !== undefined && modified !== undefined && modified >= since;
      if (recent) changing += 1;
      if (requested.has(object.Key)) continue;
      let invalidatedSince = false;
      if (modified !== undefined && invalidatedAt && modified < newestInvalidation) {
        const path = pathOf(object.Key, target.origin.originPath);
        invalidatedSince = path !== undefined && invalidatedAt(path) > modified;
      }
      if (recent) {
        if (!invalidatedSince) queued += 1;
        continue;
      }
      if (!invalidatedSince) unchanged += 1;
    }
    if (!page.IsTruncated) return seen(true);
    if (unchanged > max) return seen(false);
    if (pages.left <= 0) return undefined;
  }
  return seen(true);
}

/**
 * Listings (unchanged-object counts first) of the folders the planner may turn into wildcards: folders dense
 * enough at the configured threshold, or — when the file budget cannot hold every path — at any
 * density, the root included; the most requested first. Skipped (undefined) when no wildcard can
 * be sent anyway, unless `whenWildcardsFull` (a folder may wait for the next free slot).
 * `burst` tells which objects changed with this batch's burst.
 */
export async function folderCounts(
  deps: { readonly s3: S3Client; readonly config: InvalidateConfig },
  targets: readonly InvalidationTarget[],
  inFlight: Pick<InFlight, 'files' | 'wildcards'>,
  burst: Burst = {},
  options: {
    readonly whenWildcardsFull?: boolean;
    /** Folders to list whatever this batch holds of them (a burst's, hold.ts). */
    readonly alsoList?: ReadonlySet<string>;
  } = {},
): Promise<Map<string, FolderListing> | undefined> {
  const { config } = deps;
  // No wildcard can be sent: listing helps only a plan that may hold a folder for the next slot.
  const waitForSlot = options.whenWildcardsFull === true && config.maxInflightWildcards > 0;
  if (config.maxInflightWildcards - inFlight.wildcards <= 0 && !waitForSlot) return undefined;
  const counts = new Map<string, FolderListing>();
  const files = new Set(
    targets.flatMap((t) => t.requests.map((r) => r.path)).filter((p) => !isWildcardPath(p)),
  );
  const pressure = files.size > config.maxInflightPaths - inFlight.files;
  const pages = { left: MAX_LISTING_PAGES };
  let listings = 0;
  for (const target of targets) {
    const paths = [...new Set(target.requests.map((r) => r.path))].filter(
      (p) => !isWildcardPath(p),
    );
    const requestedKeys = new Set(paths.map((p) => keyPrefixForPath(p, target.origin.originPath)));
    const folders = candidateFolders(paths, pressure ? 2 : config.collapseMinSiblings);
    for (const folder of options.alsoList ?? [])
      if (!folders.some((f) => f.folder === folder) && paths.some((p) => p.startsWith(folder)))
        folders.unshift({ folder, requested: 0 });
    if (pressure) folders.push({ folder: '/', requested: paths.length });
    for (const { folder } of folders) {
      if (counts.has(folder)) continue;
      if (listings >= MAX_FOLDER_LISTINGS || pages.left <= 0) break;
      listings += 1;
      const n = await countUnchanged(
        deps.s3,
        target,
        folder,
        requestedKeys,
        burst,
        config.wildcardMaxUnchanged,
        pages,
      );
      if (n !== undefined) counts.set(folder, n);
    }
  }
  return counts;
}
