/**
 * The message ingest sends to the invalidation-requests queue: one per object that needs its
 * edges refreshed. Small and versioned so both sides can evolve: new fields are optional, so a
 * message from an older ingest stays valid.
 */
import * as z from 'zod';
import { DEFAULT_ERROR_CACHING_TTL } from '../catalogue.js';
import { CACHE_TAG_LIMITS, cacheTagSchema } from './cacheTags.js';

/** Why ingest asked (the `reason` field). */
export const INVALIDATION_REASONS = {
  overwrite: 'a version older than the uploaded one exists',
  recreated: 'no older version, but an older delete marker: the key existed before',
  'history-unknown':
    'no older version, but the event is over a day old: lifecycle may have expired the one it replaced',
  'new-object': 'the key is new; asked only where a cached error may hide it (ifErrorCachedOver)',
  'object-gone': 'the version the event names is no longer there',
  'unversioned-bucket': 'the bucket keeps no versions: an overwrite cannot be told from a new key',
  'policy-all': 'INVALIDATE_ON=all',
} as const;

export const invalidationRequestSchema = z.object({
  v: z.literal(1),
  bucket: z.string().min(3).max(63),
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
  etag: z.string().min(1).optional(),
  eventTime: z.string().min(1).optional(),
  sequencer: z.string().min(1).optional(),
  /** Why ingest asked: one of INVALIDATION_REASONS (other strings are accepted, for old senders). */
  reason: z.string().min(1),
  /**
   * Set on new keys only (reason `new-object`): invalidate this key on a distribution only if it
   * caches the error a missing object returns for longer than this many seconds (see
   * `missingObjectErrorTtl`, `appliesToDistribution`). Absent: every distribution serving it.
   */
  ifErrorCachedOver: z.number().int().min(0).optional(),
  /**
   * The object's cache tags (its `cache-tag` metadata), sent only when a distribution of the
   * bucket reads them (CacheTagConfig): the planner may invalidate `#tag` instead of paths.
   */
  cacheTags: z.array(cacheTagSchema).max(CACHE_TAG_LIMITS.maxPerObject).optional(),
  /** How many objects carry each tag, as the uploader declared it (`cache-tag-members`). */
  cacheTagMembers: z.record(cacheTagSchema, z.number().int().min(1).max(999_999_999)).optional(),
});

export type InvalidationRequest = z.output<typeof invalidationRequestSchema>;

/** The part of a DistributionConfig (or DistributionSummary) that says how errors are cached. */
export interface ErrorCachingSettings {
  readonly CustomErrorResponses?: {
    readonly Items?: ReadonlyArray<{
      readonly ErrorCode?: number;
      readonly ErrorCachingMinTTL?: number;
    }>;
  };
}

/**
 * How long a distribution may keep answering a key with the error it got while the key did not
 * exist: the larger error-caching TTL of 403 (what S3 returns through OAC for a missing key
 * without s3:ListBucket) and 404 (with it); CloudFront applies 10 s to a code with no custom
 * error response.
 */
export function missingObjectErrorTtl(config: ErrorCachingSettings): number {
  const ttl = (code: number) =>
    config.CustomErrorResponses?.Items?.find((r) => r.ErrorCode === code)?.ErrorCachingMinTTL ??
    DEFAULT_ERROR_CACHING_TTL;
  return Math.max(ttl(403), ttl(404));
}

/**
 * Whether the request asks for an invalidation on a distribution whose missing-object error TTL
 * is `errorTtlSeconds`. A request it does not apply to is done for that distribution (no path).
 */
export function appliesToDistribution(r: InvalidationRequest, errorTtlSeconds: number): boolean {
  return r.ifErrorCachedOver === undefined || errorTtlSeconds > r.ifErrorCachedOver;
}

/**
 * What makes one upload distinct from another of the same key. A redelivery of the same upload
 * has the same identity (so it creates no second invalidation); a later overwrite has a new one.
 */
export function uploadIdentity(r: InvalidationRequest): string {
  // On a bucket whose versioning is suspended every upload gets the version id "null": it does
  // not tell one upload from the next.
  if (r.versionId && r.versionId !== 'null') return `${r.bucket}/${r.key}@${r.versionId}`;
  return `${r.bucket}/${r.key}#${r.etag ?? ''}@${r.eventTime ?? ''}#${r.sequencer ?? ''}`;
}
