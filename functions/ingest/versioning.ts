/**
 * Whether a bucket keeps versions, asked with GetBucketVersioning and reused for a bounded time
 * (VERSIONING_CACHE_SECONDS), so a bucket whose versioning is switched on or off is seen within
 * that time by a warm instance, not only after its next cold start.
 */
import { GetBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';

export interface VersioningLookupOptions {
  /** How long an answer is reused; 0 asks every time. */
  readonly ttlSeconds: number;
  /** The clock (ms since the epoch); tests pass their own. */
  readonly now?: () => number;
  /** Called when a bucket is first seen unversioned, and again each time it becomes so. */
  readonly onUnversioned?: (bucket: string) => void;
}

export type VersioningLookup = (bucket: string) => Promise<boolean>;

/** `Enabled` only: a `Suspended` bucket replaces the null version in place, leaving no trace. */
export function versioningLookup(s3: S3Client, options: VersioningLookupOptions): VersioningLookup {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlSeconds * 1000;
  const cache = new Map<string, { readonly at: number; readonly answer: Promise<boolean> }>();
  const last = new Map<string, boolean>();
  return (bucket) => {
    const hit = cache.get(bucket);
    if (hit && now() - hit.at < ttlMs) return hit.answer;
    const answer = s3.send(new GetBucketVersioningCommand({ Bucket: bucket })).then((out) => {
      const enabled = out.Status === 'Enabled';
      if (!enabled && last.get(bucket) !== false) options.onUnversioned?.(bucket);
      last.set(bucket, enabled);
      return enabled;
    });
    const entry = { at: now(), answer };
    answer.catch(() => {
      if (cache.get(bucket) === entry) cache.delete(bucket);
    });
    cache.set(bucket, entry);
    return answer;
  };
}
