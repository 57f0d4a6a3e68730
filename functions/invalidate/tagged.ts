/**
 * Which requests of a distribution's share may be covered by a `#tag` item: those whose object
 * carries cache tags (ingest read its `cache-tag` metadata), on a distribution whose
 * CacheTagConfig reads that metadata (`HeaderName: x-amz-meta-cache-tag`). A distribution without
 * CacheTagConfig, or reading another header, gets no tags: a `#tag` would match nothing there
 * (or objects tagged by something else), and its changed objects would stay stale.
 *
 * A burst spans batches: a product's six renditions may arrive in two. So this instance
 * remembers, per distribution and tag, the tagged objects its recent calls requested (for
 * BURST_WINDOW_MS): they changed a moment ago and are part of the burst, not unchanged members
 * (evicting one again costs at most one origin fetch of a copy cached since). Per warm instance
 * and bounded; what another instance saw counts as unchanged (conservative).
 */
import { S3_CACHE_TAG_HEADER, tagItem } from '../../shared/invalidation/cacheTags.js';
import type { TagPlanInput, TaggedObject } from '../../shared/invalidation/tags.js';
import { learnedRejection } from './bisect.js';
import { knownRefusal } from './cloudfrontErrors.js';
import { BURST_WINDOW_MS } from './folderCounts.js';
import type { InvalidationTarget } from './types.js';

/** At most this many (tag, object) pairs remembered per distribution. */
const MAX_REMEMBERED = 100_000;
/** distribution → tag (lower-case) → object → when its request was planned (ms). */
const recent = new Map<string, Map<string, Map<string, number>>>();

const sendable = (item: string): boolean =>
  knownRefusal(item) === undefined && learnedRejection(item) === undefined;

/** Forgets the remembered tag members (tests and the bench: one new instance each). */
export function forgetTagMembers(): void {
  recent.clear();
}

function remember(
  distributionId: string,
  tagged: ReadonlyMap<string, TaggedObject>,
  now: number,
): void {
  const tags = recent.get(distributionId) ?? new Map<string, Map<string, number>>();
  recent.set(distributionId, tags);
  let size = 0;
  for (const [tag, objects] of tags) {
    for (const [object, at] of objects) if (now - at > BURST_WINDOW_MS) objects.delete(object);
    if (objects.size === 0) tags.delete(tag);
    size += objects.size;
  }
  for (const object of tagged.values()) {
    for (const raw of object.tags) {
      if (size >= MAX_REMEMBERED) return;
      const tag = raw.toLowerCase();
      const objects = tags.get(tag) ?? new Map<string, number>();
      tags.set(tag, objects);
      if (!objects.has(object.object)) size += 1;
      objects.set(object.object, now);
    }
  }
}

/**
 * The tag input of the plan, or undefined when the distribution does not read our tags. Also
 * remembers this call's tagged objects for the next calls of the burst.
 */
export function tagInputFor(
  targets: readonly InvalidationTarget[],
  distributionId = '',
  now = Date.now(),
): TagPlanInput | undefined {
  const tagged = new Map<string, TaggedObject>();
  for (const target of targets) {
    if (target.origin.cacheTagHeader !== S3_CACHE_TAG_HEADER) continue;
    for (const [id, object] of target.tagged ?? []) {
      // A tag CloudFront refuses (a raw "~"), or refused before, is never planned: the paths go.
      const tags = object.tags.filter((t) => sendable(tagItem(t)));
      if (tags.length)
        tagged.set(id, tags.length === object.tags.length ? object : { ...object, tags });
    }
  }
  if (tagged.size === 0) return undefined;
  const before = new Map(
    [...(recent.get(distributionId) ?? [])].map(([tag, objects]) => [tag, [...objects.keys()]]),
  );
  remember(distributionId, tagged, now);
  return { tagged, changedElsewhere: (tag) => before.get(tag) ?? [] };
}
