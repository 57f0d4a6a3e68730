/**
 * An object's cache tags, for the invalidation request: its `cache-tag` metadata (and the
 * uploader's `cache-tag-members` counts), read with one HeadObject of the version the event
 * names — only for buckets whose distributions read cache tags (CACHE_TAG_BUCKETS) and only for
 * records that ask for an invalidation, so every other record costs no extra call.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CACHE_TAG_MEMBERS_METADATA_KEY,
  CACHE_TAG_METADATA_KEY,
  parseCacheTagValue,
  parseTagMembers,
} from '../../shared/invalidation/cacheTags.js';

/** Whether ingest reads cache tags for objects of `bucket` (`*` in the list: every bucket). */
export function readsCacheTags(cacheTagBuckets: readonly string[], bucket: string): boolean {
  return cacheTagBuckets.includes('*') || cacheTagBuckets.includes(bucket);
}

export interface ObjectCacheTags {
  readonly tags: string[];
  /** Declared member counts of those tags, lower-cased tags. */
  readonly members: Record<string, number>;
  /** Tags left out (invalid, over 50), for the record's warnings. */
  readonly warnings: string[];
}

const NONE: ObjectCacheTags = { tags: [], members: {}, warnings: [] };

function isMissingObject(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'NotFound';
}

/**
 * The tags of the named version. An object gone since (a later delete) has none: its request goes
 * out with paths only. Other failures throw (the record is retried).
 */
export async function objectCacheTags(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<ObjectCacheTags> {
  let metadata: Record<string, string>;
  try {
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(versionId && versionId !== 'null' ? { VersionId: versionId } : {}),
      }),
    );
    metadata = head.Metadata ?? {};
  } catch (error) {
    if (isMissingObject(error)) return NONE;
    throw error;
  }
  const value = metadata[CACHE_TAG_METADATA_KEY];
  if (!value) return NONE;
  const { tags, problems } = parseCacheTagValue(value);
  const declared = parseTagMembers(metadata[CACHE_TAG_MEMBERS_METADATA_KEY] ?? '');
  const kept = new Set(tags.map((t) => t.toLowerCase()));
  const members = Object.fromEntries([...declared].filter(([tag]) => kept.has(tag)));
  return { tags, members, warnings: problems };
}
