/**
 * The CallerReference of a CreateInvalidation call, derived from what the call is for.
 *
 * Why deterministic: SQS delivers at least once and a Lambda can crash after CloudFront
 * accepted the call. When the same batch comes again and plans the same paths, the same
 * reference makes CloudFront return the invalidation it already created instead of creating
 * (and billing) a second one.
 *
 * Why the upload identities are in it: a later overwrite of the same key has a new identity
 * (`bucket/key@versionId`, or `bucket/key#etag@eventTime` without versioning), so it gets a new
 * reference and a new invalidation even when the paths are the same: freshness is never lost to
 * an old reference. A timestamp (what AWS suggests) would do the opposite on both counts.
 */
import { createHash } from 'node:crypto';
import { CALLER_REFERENCE_PREFIX } from '../catalogue.js';

const HEX_CHARS = 40;

/**
 * `cdnp-` + 40 hex chars (160 bits of sha256) over the distribution id, the distinct paths and
 * the distinct request identities, each set sorted: the same inputs in any order give the same
 * reference; any other path or identity gives another. JSON keeps the encoding unambiguous
 * (`['a,b']` is not `['a', 'b']`). Send the paths in a stable order (the plan's sorted order):
 * CloudFront compares the whole batch when it sees a reference again.
 */
export function callerReference(
  distributionId: string,
  paths: readonly string[],
  identities: readonly string[],
): string {
  const canonical = JSON.stringify([
    'cdnp/v1',
    distributionId,
    distinctSorted(paths),
    distinctSorted(identities),
  ]);
  const digest = createHash('sha256').update(canonical, 'utf8').digest('hex');
  return `${CALLER_REFERENCE_PREFIX}${digest.slice(0, HEX_CHARS)}`;
}

function distinctSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
