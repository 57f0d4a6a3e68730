/**
 * The public API for apps: URL building and signing, and the key → path mapping behind it.
 *
 *   import { cdnUrl, signedUrl, urlFor, loadUrlConfig } from 'cdn-pipeline';
 */
export {
  cdnUrl,
  loadUrlConfig,
  presignedUrl,
  signedUrl,
  URL_LIMITS,
  urlFor,
  urlPathForKey,
} from './urls.js';
export type {
  CdnUrlOptions,
  Expiry,
  PresignOptions,
  SignedUrlOptions,
  SigningKey,
  UrlConfig,
  UrlForOptions,
  UrlKind,
  UrlResult,
} from './urls.js';
export { encodePath, invalidationPathForKey, viewerPathForKey } from './keys.js';
export { parseDistributionSpec } from './distributionSpec.js';
export type { DistributionSpec, DistributionSpecInput } from './distributionSpec.js';
export { CdnPipelineError, ConfigError, InvalidInputError } from './errors.js';
export { uploadWithCacheTag } from './cacheTagUpload.js';
export type { CacheTagUpload, CacheTagUploadResult } from './cacheTagUpload.js';
export {
  CACHE_TAG_LIMITS,
  cacheTagMetadata,
  cacheTagProblem,
  S3_CACHE_TAG_HEADER,
} from './invalidation/cacheTags.js';
