/**
 * Which requests of a distribution's share may be covered by a `#tag` item: those whose object
 * carries cache tags (ingest read its `cache-tag` metadata), on a distribution whose
 * CacheTagConfig reads that metadata (`HeaderName: x-amz-meta-cache-tag`). A distribution without
 * CacheTagConfig, or reading another header, gets no tags: a `#tag` would match nothing there
 * (or objects tagged by something else), and its changed objects would stay stale.
 */
import { S3_CACHE_TAG_HEADER } from '../../shared/invalidation/cacheTags.js';
import type { TagPlanInput, TaggedObject } from '../../shared/invalidation/tags.js';
import type { InvalidationTarget } from './types.js';

/** The tag input of the plan, or undefined when the distribution does not read our tags. */
export function tagInputFor(targets: readonly InvalidationTarget[]): TagPlanInput | undefined {
  const tagged = new Map<string, TaggedObject>();
  for (const target of targets) {
    if (target.origin.cacheTagHeader !== S3_CACHE_TAG_HEADER) continue;
    for (const [id, object] of target.tagged ?? []) tagged.set(id, object);
  }
  return tagged.size > 0 ? { tagged } : undefined;
}
