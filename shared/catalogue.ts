/**
 * What the pipeline knows about CloudFront, SNS and the names it gives things, written once:
 * the tags that mark a distribution as ours and the tags ingest writes on each object, the
 * prefixes of our CallerReferences and resource names, CloudFront's managed policies (the same
 * ids in every account) and its error-caching default, and the shape of an SNS topic ARN.
 * Features, the local emulator shim and the tests read these from here; none keeps its own copy.
 */
import type { CachePolicyConfig } from '@aws-sdk/client-cloudfront';

// ── Our names ──────────────────────────────────────────────────────────────────────────────

/** Every key of a tag we put on a distribution starts with this; users may not use it. */
export const MANAGED_TAG_PREFIX = 'cdn-pipeline:';

/** Keys of the tags that mark a distribution as ours. */
export const MANAGED_TAG_KEYS = {
  managed: `${MANAGED_TAG_PREFIX}managed`,
  bucket: `${MANAGED_TAG_PREFIX}bucket`,
  name: `${MANAGED_TAG_PREFIX}name`,
  stage: `${MANAGED_TAG_PREFIX}stage`,
} as const;

/** The value of `MANAGED_TAG_KEYS.managed` on a distribution we manage. */
export const MANAGED_TAG_VALUE = 'true';

/** Every key of an S3 object tag ingest writes starts with this. */
export const OBJECT_TAG_PREFIX = 'cdn:';

/** Keys of the S3 object tags ingest writes on each object it classifies. */
export const OBJECT_TAG_KEYS = {
  contentClass: `${OBJECT_TAG_PREFIX}class`,
  cacheClass: `${OBJECT_TAG_PREFIX}cache`,
  ttl: `${OBJECT_TAG_PREFIX}ttl`,
  path: `${OBJECT_TAG_PREFIX}path`,
} as const;

/** Every CallerReference we send starts with this, so ours are recognisable in the console. */
export const CALLER_REFERENCE_PREFIX = 'cdnp-';

/** Prefix of every name this stack gives a CloudFront resource (policies, OAC, CORS rule ids). */
export const RESOURCE_NAME_PREFIX = 'cdnp-';

// ── CloudFront ─────────────────────────────────────────────────────────────────────────────

/** CloudFront's error-caching TTL (seconds) when a distribution sets none for a status code. */
export const DEFAULT_ERROR_CACHING_TTL = 10;

/** AWS managed policies: the same ids in every account. */
export const MANAGED_POLICY_IDS = {
  cache: {
    cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
    cachingOptimizedForUncompressedObjects: 'b2884449-e4de-46a7-ac36-70bc7f1ddd6d',
    elementalMediaPackage: '08627262-05a9-4f76-9ded-b50ca2e3a84f',
    amplify: '2e54312d-136d-493c-8eb9-b001f22f67d2',
  },
  originRequest: {
    corsS3Origin: '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf',
    corsCustomOrigin: '59781a5b-3903-41f3-afcb-af62929ccde1',
    allViewer: '216adef6-5c7f-47e4-b989-5492eafa07d3',
    allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    userAgentRefererHeaders: 'acba4595-bd28-49b8-b9fe-13317c0390fa',
  },
  responseHeaders: {
    securityHeaders: '67f7725c-6f97-4210-82d7-5512b31e9d03',
    simpleCors: '60669652-455b-4ae9-85a4-c4c02393f86c',
  },
} as const;

/** One AWS managed cache policy: its TTLs and cache key. */
interface ManagedCachePolicy {
  readonly id: string;
  readonly name: string;
  readonly comment: string;
  /** Min, default and max TTL in seconds. */
  readonly ttls: readonly [number, number, number];
  /** Gzip and Brotli in the cache key (what lets CloudFront compress). */
  readonly compress: boolean;
  /** Headers in the cache key. */
  readonly headers?: readonly string[];
}

const YEAR = 31_536_000;
const { cache } = MANAGED_POLICY_IDS;

/** cloudfront-facts.md §3. */
const MANAGED_CACHE_POLICY_TABLE: readonly ManagedCachePolicy[] = [
  {
    id: cache.cachingOptimized,
    name: 'Managed-CachingOptimized',
    comment: 'Default policy when CF compression is enabled',
    ttls: [1, 86_400, YEAR],
    compress: true,
  },
  {
    id: cache.cachingDisabled,
    name: 'Managed-CachingDisabled',
    comment: 'Policy with caching disabled',
    ttls: [0, 0, 0],
    compress: false,
  },
  {
    id: cache.cachingOptimizedForUncompressedObjects,
    name: 'Managed-CachingOptimizedForUncompressedObjects',
    comment: 'Default policy when compression is disabled',
    ttls: [1, 86_400, YEAR],
    compress: false,
  },
  {
    id: cache.elementalMediaPackage,
    name: 'Managed-Elemental-MediaPackage',
    comment: 'Policy for Elemental MediaPackage Origin',
    ttls: [0, 86_400, YEAR],
    compress: true,
    headers: ['origin'],
  },
  {
    id: cache.amplify,
    name: 'Managed-Amplify',
    comment: 'Policy for Amplify Origin',
    ttls: [2, 2, YEAR],
    compress: true,
    headers: ['Authorization', 'CloudFront-Viewer-Country', 'Host'],
  },
];

function cachePolicyConfig(policy: ManagedCachePolicy): CachePolicyConfig {
  const headers = policy.headers ?? [];
  return {
    Name: policy.name,
    Comment: policy.comment,
    MinTTL: policy.ttls[0],
    DefaultTTL: policy.ttls[1],
    MaxTTL: policy.ttls[2],
    ParametersInCacheKeyAndForwardedToOrigin: {
      EnableAcceptEncodingGzip: policy.compress,
      EnableAcceptEncodingBrotli: policy.compress,
      HeadersConfig:
        headers.length > 0
          ? {
              HeaderBehavior: 'whitelist',
              Headers: { Quantity: headers.length, Items: [...headers] },
            }
          : { HeaderBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    },
  };
}

/** The managed cache policies by id, each as GetCachePolicy returns its config. Read only. */
export const MANAGED_CACHE_POLICIES: ReadonlyMap<string, CachePolicyConfig> = new Map(
  MANAGED_CACHE_POLICY_TABLE.map((policy) => [policy.id, cachePolicyConfig(policy)]),
);

// ── SNS ────────────────────────────────────────────────────────────────────────────────────

/** An SNS topic ARN (standard or FIFO), in any partition. */
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** What a setting that must hold one is told when it does not. */
export const SNS_TOPIC_ARN_MESSAGE =
  'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)';
