/**
 * The CDN metadata we keep on each object, as S3 object tags. Tags (unlike metadata) can be
 * changed in place with PutObjectTagging, which emits no ObjectCreated event: no recursion.
 */
import { OBJECT_TAG_KEYS } from '../../shared/catalogue.js';
import type { Classification } from '../../shared/contentClasses.js';

/** S3's limits on object tags. */
export const TAG_LIMITS = { maxTags: 10, maxKeyChars: 128, maxValueChars: 256 } as const;

/** Letters, numbers and spaces in any script, and `+ - = . _ : / @`. */
const TAG_VALUE = /^[\p{L}\p{N}\p{Zs}+\-=._:/@]*$/u;

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export function isValidTagValue(value: string): boolean {
  return [...value].length <= TAG_LIMITS.maxValueChars && TAG_VALUE.test(value);
}

/**
 * Our tags for an object, in priority order (most important first: when S3's 10-tag limit
 * leaves no room, the last ones are the first left out). `cdn:path` is written only when the
 * path fits S3's tag character set and length.
 */
export function cdnTags(classification: Classification, viewerPath: string): Tag[] {
  const tags: Tag[] = [
    { Key: OBJECT_TAG_KEYS.contentClass, Value: classification.contentClass },
    { Key: OBJECT_TAG_KEYS.cacheClass, Value: classification.cacheClass },
    { Key: OBJECT_TAG_KEYS.ttl, Value: String(classification.ttlSeconds) },
  ];
  if (isValidTagValue(viewerPath)) tags.push({ Key: OBJECT_TAG_KEYS.path, Value: viewerPath });
  return tags;
}

export interface TagMerge {
  readonly tagSet: Tag[];
  /** False when the object already carries exactly these tags (no write needed). */
  readonly changed: boolean;
  /** Our tag keys left out because the object already has too many tags of its own. */
  readonly dropped: string[];
}

/**
 * Merges our tags into the object's existing ones. The owner's tags are never removed or
 * altered; ours replace earlier values of our own keys; the total stays within 10.
 */
export function mergeTags(existing: readonly Tag[], ours: readonly Tag[]): TagMerge {
  const ourKeys = new Set(ours.map((t) => t.Key));
  const kept = existing.filter((t) => !ourKeys.has(t.Key));
  const room = Math.max(0, TAG_LIMITS.maxTags - kept.length);
  const added = ours.slice(0, room);
  const dropped = ours.slice(room).map((t) => t.Key);
  const tagSet = [...kept, ...added];
  const before = new Map(existing.map((t) => [t.Key, t.Value]));
  const changed =
    tagSet.length !== existing.length || tagSet.some((t) => before.get(t.Key) !== t.Value);
  return { tagSet, changed, dropped };
}
