/**
 * What the pipeline knows about CloudFront and names in it, written once: the tags that mark a
 * distribution as ours and the prefix of every CallerReference we send. Features read these
 * from here; none keeps its own copy.
 */

/** Keys of the tags that mark a distribution as ours. */
export const MANAGED_TAG_KEYS = {
  managed: 'cdn-pipeline:managed',
  bucket: 'cdn-pipeline:bucket',
  name: 'cdn-pipeline:name',
  stage: 'cdn-pipeline:stage',
} as const;

/** Every CallerReference we send starts with this, so ours are recognisable in the console. */
export const CALLER_REFERENCE_PREFIX = 'cdnp-';
