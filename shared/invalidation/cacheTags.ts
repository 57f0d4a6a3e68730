/**
 * CloudFront cache tags (2026): what a tag may be, how an S3 object carries its tags, and how an
 * invalidation names one. A distribution with `CacheTagConfig: { HeaderName }` stores the
 * comma-separated tags of that origin response header with each cached object; an invalidation
 * item `#tag` then evicts every cached object carrying the tag, wherever its path.
 *
 * For S3 origins the tags are object metadata: key `cache-tag`, served as `x-amz-meta-cache-tag`
 * (so `HeaderName: x-amz-meta-cache-tag`). Rules (CloudFront DG, "Invalidate by cache tag"): ASCII
 * 33–126, no commas, at most 256 characters, case-insensitive, no wildcards; at most 50 tags an
 * object (CloudFront ignores the rest); each `#tag` item is billed as one path.
 *
 * The pipeline also reads an optional `cache-tag-members` metadata value (`tag=N,…`, ignored by
 * CloudFront): how many objects carry the tag, as the uploader knows it (a render farm writing a
 * ladder of 501 files). The planner uses a tag only when that count says its unchanged members
 * stay within WILDCARD_MAX_UNCHANGED (shared/invalidation/tags.ts).
 */
import * as z from 'zod';
import { InvalidInputError } from '../errors.js';

export const CACHE_TAG_LIMITS = {
  /** Characters in one tag. */
  maxChars: 256,
  /** Tags CloudFront keeps per cached object (the rest are ignored). */
  maxPerObject: 50,
  /** S3's limit on all user-defined metadata of an object (keys and values, UTF-8 bytes). */
  metadataBytes: 2048,
} as const;

/** The S3 metadata key of an object's cache tags. */
export const CACHE_TAG_METADATA_KEY = 'cache-tag';
/** The S3 metadata key of the uploader's member counts (`tag=N,…`); CloudFront ignores it. */
export const CACHE_TAG_MEMBERS_METADATA_KEY = 'cache-tag-members';
/** The header S3 serves `cache-tag` metadata as: the distribution's CacheTagConfig.HeaderName. */
export const S3_CACHE_TAG_HEADER = `x-amz-meta-${CACHE_TAG_METADATA_KEY}`;

/** What is wrong with a tag, in words, or undefined when CloudFront takes it. */
export function cacheTagProblem(tag: string): string | undefined {
  if (tag.length === 0) return 'is empty';
  if (tag.length > CACHE_TAG_LIMITS.maxChars)
    return `is ${tag.length} characters; CloudFront takes at most ${CACHE_TAG_LIMITS.maxChars}`;
  for (const c of tag) {
    const code = c.codePointAt(0)!;
    if (c === ',') return 'contains a comma (CloudFront splits the tag header on commas)';
    if (c === '*') return 'contains "*" (cache tags take no wildcards)';
    if (code < 33 || code > 126)
      return `contains ${JSON.stringify(c)} (U+${code.toString(16).toUpperCase().padStart(4, '0')}): only printable ASCII 33–126, no spaces`;
  }
  return undefined;
}

/** Tags are case-insensitive: the pipeline compares and sends them lower-cased. */
export function normaliseCacheTag(tag: string): string {
  return tag.toLowerCase();
}

/** Whether an invalidation item is a `#tag` item (not a path). */
export function isTagItem(item: string): boolean {
  return item.startsWith('#');
}

/** The invalidation item for a tag: `#` and the tag, lower-cased. */
export function tagItem(tag: string): string {
  return `#${normaliseCacheTag(tag)}`;
}

/** A tag as the request message carries it: valid, any case (compared lower-cased). */
export const cacheTagSchema = z.string().superRefine((tag, ctx) => {
  const problem = cacheTagProblem(tag);
  if (problem)
    ctx.addIssue({ code: 'custom', message: `is not a CloudFront cache tag: ${problem}` });
});

/**
 * The tags of a header or metadata value (`a, b,c`): split on commas, trimmed, distinct
 * (case-insensitively, first spelling kept), the first 50 kept as CloudFront does. Invalid ones
 * are left out and reported.
 */
export function parseCacheTagValue(value: string): {
  readonly tags: string[];
  readonly problems: string[];
} {
  const tags: string[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const raw of value.split(',')) {
    const tag = raw.trim();
    if (tag === '') continue;
    const problem = cacheTagProblem(tag);
    if (problem) {
      problems.push(`cache tag ${JSON.stringify(tag.slice(0, 40))} ${problem}`);
      continue;
    }
    if (seen.has(normaliseCacheTag(tag))) continue;
    seen.add(normaliseCacheTag(tag));
    tags.push(tag);
  }
  if (tags.length > CACHE_TAG_LIMITS.maxPerObject) {
    problems.push(
      `${tags.length} cache tags: CloudFront keeps the first ${CACHE_TAG_LIMITS.maxPerObject}`,
    );
    tags.length = CACHE_TAG_LIMITS.maxPerObject;
  }
  return { tags, problems };
}

/**
 * The member counts of a `cache-tag-members` value (`tag=N,…`; the last `=` separates, since a
 * tag may hold one), lower-cased tags; entries that are not `tag=whole number ≥ 1` are left out.
 */
export function parseTagMembers(value: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    const at = entry.lastIndexOf('=');
    if (at <= 0) continue;
    const tag = entry.slice(0, at).trim();
    const count = entry.slice(at + 1).trim();
    if (cacheTagProblem(tag) || !/^[1-9]\d{0,8}$/.test(count)) continue;
    out.set(normaliseCacheTag(tag), Number(count));
  }
  return out;
}

/**
 * The S3 user metadata that gives an object its cache tags (PutObject `Metadata`, or
 * `aws s3 cp --metadata`): `{ 'cache-tag': 'a,b' }`, and `cache-tag-members` when `members`
 * says how many objects carry a tag. Throws `InvalidInputError` naming the tag (`tags[1]`,
 * `members.ladder:7`) when CloudFront would not take it or the metadata outgrows S3's 2 KB.
 */
export function cacheTagMetadata(
  tags: readonly string[],
  members: Readonly<Record<string, number>> = {},
): Record<string, string> {
  if (tags.length === 0) throw new InvalidInputError('tags', 'is empty: give at least one tag');
  if (tags.length > CACHE_TAG_LIMITS.maxPerObject)
    throw new InvalidInputError(
      'tags',
      `has ${tags.length} tags; CloudFront keeps at most ${CACHE_TAG_LIMITS.maxPerObject} per object`,
    );
  const seen = new Set<string>();
  tags.forEach((tag, i) => {
    const problem = cacheTagProblem(tag);
    if (problem) throw new InvalidInputError(`tags[${i}]`, `${JSON.stringify(tag)} ${problem}`);
    if (seen.has(normaliseCacheTag(tag)))
      throw new InvalidInputError(
        `tags[${i}]`,
        `${JSON.stringify(tag)} is given twice (tags are case-insensitive)`,
      );
    seen.add(normaliseCacheTag(tag));
  });
  const counts: string[] = [];
  for (const [tag, count] of Object.entries(members)) {
    if (!seen.has(normaliseCacheTag(tag)))
      throw new InvalidInputError(`members.${tag}`, 'is not one of the tags given');
    if (!Number.isInteger(count) || count < 1 || count > 999_999_999)
      throw new InvalidInputError(`members.${tag}`, `must be a whole number ≥ 1 (got ${count})`);
    counts.push(`${tag}=${count}`);
  }
  const metadata: Record<string, string> = { [CACHE_TAG_METADATA_KEY]: tags.join(',') };
  if (counts.length) metadata[CACHE_TAG_MEMBERS_METADATA_KEY] = counts.join(',');
  const bytes = Object.entries(metadata).reduce(
    (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  if (bytes > CACHE_TAG_LIMITS.metadataBytes)
    throw new InvalidInputError(
      'tags',
      `make ${bytes} bytes of metadata; S3 allows ${CACHE_TAG_LIMITS.metadataBytes} for all of an object's metadata`,
    );
  return metadata;
}
