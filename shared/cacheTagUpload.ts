/**
 * Uploading an object with cache tags (public API): PutObject with the `cache-tag` metadata
 * CloudFront reads through `x-amz-meta-cache-tag` (and the uploader's `cache-tag-members`
 * counts the invalidation planner needs to use a tag). Tags are checked before anything is sent.
 *
 *   await uploadWithCacheTag(s3, { bucket, key: 'hls/t7/seg-1.ts', body, tags: ['title:7'],
 *     members: { 'title:7': 501 } });
 *
 * Metadata is fixed at upload (changing it later means a copy, which the pipeline would see as
 * an overwrite): write the same tags on every upload of an object, so the copy CloudFront cached
 * carries the tag a later invalidation names.
 */
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError } from './errors.js';
import {
  CACHE_TAG_MEMBERS_METADATA_KEY,
  CACHE_TAG_METADATA_KEY,
  cacheTagMetadata,
} from './invalidation/cacheTags.js';

export interface CacheTagUpload {
  readonly bucket: string;
  readonly key: string;
  readonly body: PutObjectCommandInput['Body'];
  /** The object's cache tags (ASCII 33–126, no commas, ≤ 256 characters, ≤ 50). */
  readonly tags: readonly string[];
  /** How many objects carry a tag (a ladder's files), for the planner; optional. */
  readonly members?: Readonly<Record<string, number>>;
  readonly contentType?: string;
  readonly cacheControl?: string;
  /** Other user metadata; must not set the cache-tag keys itself. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface CacheTagUploadResult {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly eTag?: string;
  /** The metadata written (`cache-tag`, `cache-tag-members`, and the caller's). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** PutObject with the object's cache tags as metadata; throws InvalidInputError on a bad tag. */
export async function uploadWithCacheTag(
  s3: S3Client,
  upload: CacheTagUpload,
): Promise<CacheTagUploadResult> {
  const own = upload.metadata ?? {};
  for (const key of [CACHE_TAG_METADATA_KEY, CACHE_TAG_MEMBERS_METADATA_KEY])
    if (Object.keys(own).some((k) => k.toLowerCase() === key))
      throw new InvalidInputError(`metadata.${key}`, 'is set by the tags: leave it out');
  const metadata = { ...own, ...cacheTagMetadata(upload.tags, upload.members) };
  const out = await s3.send(
    new PutObjectCommand({
      Bucket: upload.bucket,
      Key: upload.key,
      Body: upload.body,
      Metadata: metadata,
      ...(upload.contentType ? { ContentType: upload.contentType } : {}),
      ...(upload.cacheControl ? { CacheControl: upload.cacheControl } : {}),
    }),
  );
  return {
    bucket: upload.bucket,
    key: upload.key,
    ...(out.VersionId ? { versionId: out.VersionId } : {}),
    ...(out.ETag ? { eTag: out.ETag.replace(/"/g, '') } : {}),
    metadata,
  };
}
