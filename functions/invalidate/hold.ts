/**
 * When a request waits instead of going out now, and for how long it waits.
 *
 * A render farm re-publishing 20 HLS ladders over five minutes sends every batch ~50 files of
 * each 501-file folder while the other ~450 are still the old render: unchanged, so the
 * wildcard is refused and the batch bills 50 file paths a ladder — 81 % of one path per object
 * for the whole burst, measured. A minute later the same folder is further along. So a dense
 * folder a wildcard cannot take *yet* holds its requests: when the listing shows the folder being
 * rewritten now, fast enough that its unchanged objects fall under WILDCARD_MAX_UNCHANGED before
 * the hold runs out (`rewritingFolders`), or when it qualifies but every wildcard slot is taken
 * (in-flight invalidations complete in about 25 s). A held request comes back after
 * HOLD_RETRY_SECONDS through SQS (ChangeMessageVisibility, handler.ts) and is planned again.
 *
 * Bounded twice: a request waits only until HOLD_MAX_SECONDS after its event, and only on its
 * first HOLD_MAX_RECEIVES receives, so holding never walks a message into the DLQ (the queue
 * moves it after 10 receives; the rest are kept for real failures).
 *
 * A burst's start is remembered (`rememberHeld`, per warm instance): a later batch of only newer
 * requests would otherwise count the objects of the held ones — changed before its own oldest
 * event, their requests waiting in the queue — as unchanged, and refuse the wildcard. Lost on a
 * cold start: that batch then plans as without holds (more file paths, never a stale object).
 *
 * Quota deferrals (the file budget is full) come back sooner than the queue's visibility
 * timeout (17 minutes): 30 s after the first receive, doubling each time, 15 minutes at most.
 */
import type { HoldReason } from '../../shared/invalidation/plan.js';
import type { FolderListing } from './folderCounts.js';

/** A held request comes back after this long: the deployed batching window. */
export const HOLD_RETRY_SECONDS = 60;
/** Held on its first six receives at most (the queue's DLQ takes a message after 10). */
export const HOLD_MAX_RECEIVES = 6;
/** A folder that qualifies but finds no wildcard free may wait this much past the hold's end. */
export const SLOT_GRACE_MS = 2 * HOLD_RETRY_SECONDS * 1000;
/** A folder counts as being rewritten when an object in it changed this recently. */
const ACTIVE_WITHIN_MS = HOLD_RETRY_SECONDS * 1000;

/** When a request deferred for quota (or a throttled read) comes back, by its receive count. */
export function quotaRetrySeconds(receiveCount: number | undefined): number {
  const n = Math.max(1, Math.floor(receiveCount ?? 1));
  return Math.min(900, 30 * 2 ** Math.min(n - 1, 5));
}

/**
 * Whether a request may be held once more: receives are left and it would come back within
 * HOLD_MAX_SECONDS of its event — or, waiting for a wildcard slot (they free within a minute),
 * within SLOT_GRACE_MS more.
 */
export function mayWait(
  eventTime: number | undefined,
  receiveCount: number | undefined,
  now: number,
  holdMaxMs: number,
  why: HoldReason,
): boolean {
  if (holdMaxMs <= 0 || eventTime === undefined) return false;
  if ((receiveCount ?? 1) > HOLD_MAX_RECEIVES) return false;
  const limit = holdMaxMs + (why === 'wildcards' ? SLOT_GRACE_MS : 0);
  return now + HOLD_RETRY_SECONDS * 1000 - eventTime <= limit;
}

/**
 * Folders a burst is rewriting fast enough that a wildcard becomes allowed in time: fully listed,
 * too many unchanged objects now, written to within the last minute, with changed objects whose
 * requests are still queued behind this batch (the burst goes on: a batch that holds the whole
 * change, however recent, is planned now), and — at the rate objects changed since the burst
 * began (`since`) — down to `maxUnchanged` unchanged ones before `holdMaxMs` after that.
 */
export function rewritingFolders(
  listings: ReadonlyMap<string, FolderListing>,
  at: {
    readonly now: number;
    readonly since: (folder: string) => number;
    readonly holdMaxMs: number;
  },
  maxUnchanged: number,
): Set<string> {
  const folders = new Set<string>();
  for (const [folder, listing] of listings) {
    const since = at.since(folder);
    const elapsed = Math.max(1, at.now - since);
    const { unchanged, changing, queued, newest, complete } = listing;
    if (!complete || unchanged <= maxUnchanged || queued === 0) continue;
    if (newest < at.now - ACTIVE_WITHIN_MS) continue;
    const perMs = changing / elapsed;
    const needMs = (unchanged - maxUnchanged) / perMs;
    if (at.now + needMs <= since + at.holdMaxMs) folders.add(folder);
  }
  return folders;
}

/** Per distribution: held folder → the oldest event of its held requests (ms), and until when. */
const heldBursts = new Map<string, Map<string, { since: number; until: number }>>();

/** Remembers that requests under these folders, events since `since`, wait in the queue. */
export function rememberHeld(
  distributionId: string,
  held: ReadonlyArray<{ readonly folder: string; readonly since: number }>,
  now: number,
  holdMaxMs: number,
): void {
  if (!held.length) return;
  let folders = heldBursts.get(distributionId);
  if (!folders) heldBursts.set(distributionId, (folders = new Map()));
  for (const { folder, since } of held) {
    const known = folders.get(folder);
    const start = Math.min(since, known && known.until > now ? known.since : Infinity);
    folders.set(folder, { since: start, until: start + holdMaxMs + SLOT_GRACE_MS });
  }
}

/**
 * When the burst under `folder` began, as far as this instance held its requests: the remembered
 * start of the folder or of a folder above it, else `fallback` (the batch's oldest event).
 */
export function burstSince(
  distributionId: string,
  now: number,
  fallback: number | undefined,
): (folder: string) => number | undefined {
  const folders = heldBursts.get(distributionId);
  if (!folders?.size) return () => fallback;
  for (const [folder, entry] of folders) if (entry.until <= now) folders.delete(folder);
  return (folder) => {
    let since = fallback;
    for (const [held, entry] of folders)
      if (folder.startsWith(held) && (since === undefined || entry.since < since))
        since = entry.since;
    return since;
  };
}

/** The folders of this distribution's remembered bursts, now. */
export function heldFolders(distributionId: string, now: number): Set<string> {
  const folders = heldBursts.get(distributionId);
  return new Set([...(folders ?? [])].filter(([, e]) => e.until > now).map(([f]) => f));
}

/** Forgets the remembered bursts (tests and the bench: one new instance each). */
export function forgetHeld(): void {
  heldBursts.clear();
}
