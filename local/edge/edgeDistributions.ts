/**
 * LOCAL ONLY (the local edge). What the edge needs to know of each distribution on the emulator,
 * read the way CloudFront's data plane would see its configuration: ListDistributions, then
 * GetDistributionConfig per id, the cache and response-headers policies of every behaviour
 * (GetCachePolicy / GetResponseHeadersPolicy: the local CloudFront shim answers those, since moto
 * lacks them; AWS's managed ones come from shared/catalogue.ts), and whether the bucket policy
 * lets CloudFront list the bucket (a missing key is then S3's 404, else its 403).
 */
import {
  GetCachePolicyCommand,
  GetDistributionConfigCommand,
  GetKeyGroupCommand,
  GetMonitoringSubscriptionCommand,
  GetPublicKeyCommand,
  GetResponseHeadersPolicyCommand,
  paginateListDistributions,
  type CachePolicyConfig,
  type CacheBehavior,
  type CloudFrontClient,
  type DefaultCacheBehavior,
  type DistributionConfig,
  type ResponseHeadersPolicyConfig,
} from '@aws-sdk/client-cloudfront';
import { GetBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_ERROR_CACHING_TTL, MANAGED_CACHE_POLICIES } from '../../shared/catalogue.js';
import { bucketFromOriginDomain } from '../../shared/distributions.js';
import { normaliseOriginPath } from '../../shared/keys.js';

export interface EdgeBehaviour {
  /** `*` for the default behaviour (always last). */
  readonly pathPattern: string;
  readonly targetOriginId: string;
  readonly compress: boolean;
  readonly allowedMethods: readonly string[];
  readonly cachedMethods: readonly string[];
  readonly cachePolicy: CachePolicyConfig;
  readonly responseHeadersPolicy?: ResponseHeadersPolicyConfig;
  /** A private behaviour: its trusted key groups' public keys, by id (PEM). */
  readonly trustedKeys?: ReadonlyMap<string, string>;
}

export interface EdgeOrigin {
  readonly id: string;
  /** The bucket of an S3 REST origin; undefined for any other origin (answered 502). */
  readonly bucket?: string;
  /** Normalised: '' or '/prefix'. */
  readonly originPath: string;
}

export interface EdgeDistribution {
  readonly id: string;
  readonly domainName: string;
  readonly aliases: readonly string[];
  readonly enabled: boolean;
  /** Cache behaviours in precedence order, the default last. */
  readonly behaviours: readonly EdgeBehaviour[];
  readonly origins: ReadonlyMap<string, EdgeOrigin>;
  readonly defaultRootObject?: string;
  /** ErrorCachingMinTTL by status code (CustomErrorResponses). */
  readonly errorCachingMinTtl: ReadonlyMap<number, number>;
  /** Custom error pages: status → { page path, response code }. */
  readonly errorPages: ReadonlyMap<
    number,
    { readonly path: string; readonly responseCode: number }
  >;
  /** Standard logging (legacy) as configured, bucket name resolved. */
  readonly logging?: {
    readonly bucket: string;
    readonly prefix: string;
    readonly includeCookies: boolean;
  };
  /** The header CloudFront reads cache tags from (CacheTagConfig), lower-case. */
  readonly cacheTagHeader?: string;
  /** What S3 answers through OAC for a missing key: 404 with s3:ListBucket granted, else 403. */
  readonly missingObjectStatus: 403 | 404;
  /** A monitoring subscription is on: CloudFront publishes CacheHitRate and OriginLatency. */
  readonly additionalMetrics: boolean;
}

/** ErrorCachingMinTTL of a code, CloudFront's 10 s where the distribution sets none. */
export function errorCachingMinTtl(d: EdgeDistribution, status: number): number {
  return d.errorCachingMinTtl.get(status) ?? DEFAULT_ERROR_CACHING_TTL;
}

type PolicyReader = {
  cache(id: string): Promise<CachePolicyConfig>;
  headers(id: string): Promise<ResponseHeadersPolicyConfig>;
  keys(groupIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
};

/** Reads policies once per load (several behaviours share one). */
function policyReader(cloudfront: CloudFrontClient): PolicyReader {
  const cache = new Map<string, Promise<CachePolicyConfig>>();
  const headers = new Map<string, Promise<ResponseHeadersPolicyConfig>>();
  return {
    cache(id) {
      const managed = MANAGED_CACHE_POLICIES.get(id);
      if (managed) return Promise.resolve(managed);
      if (!cache.has(id))
        cache.set(
          id,
          cloudfront
            .send(new GetCachePolicyCommand({ Id: id }))
            .then((o) => o.CachePolicy?.CachePolicyConfig ?? ({} as CachePolicyConfig)),
        );
      return cache.get(id)!;
    },
    headers(id) {
      if (!headers.has(id))
        headers.set(
          id,
          cloudfront
            .send(new GetResponseHeadersPolicyCommand({ Id: id }))
            .then(
              (o) =>
                o.ResponseHeadersPolicy?.ResponseHeadersPolicyConfig ??
                ({} as ResponseHeadersPolicyConfig),
            ),
        );
      return headers.get(id)!;
    },
    async keys(groupIds) {
      const keys = new Map<string, string>();
      for (const groupId of groupIds) {
        const group = await cloudfront.send(new GetKeyGroupCommand({ Id: groupId }));
        for (const keyId of group.KeyGroup?.KeyGroupConfig?.Items ?? []) {
          const key = await cloudfront.send(new GetPublicKeyCommand({ Id: keyId }));
          const pem = key.PublicKey?.PublicKeyConfig?.EncodedKey;
          if (pem) keys.set(keyId, pem);
        }
      }
      return keys;
    },
  };
}

/** A behaviour without a cache policy (legacy ForwardedValues): its own TTLs, nothing in the key. */
function legacyPolicy(b: DefaultCacheBehavior): CachePolicyConfig {
  return {
    Name: 'legacy',
    MinTTL: b.MinTTL ?? 0,
    DefaultTTL: b.DefaultTTL ?? 86_400,
    MaxTTL: b.MaxTTL ?? 31_536_000,
  };
}

async function toBehaviour(
  b: DefaultCacheBehavior | CacheBehavior,
  pathPattern: string,
  policies: PolicyReader,
): Promise<EdgeBehaviour> {
  const groups = b.TrustedKeyGroups?.Enabled ? (b.TrustedKeyGroups.Items ?? []) : undefined;
  const [cachePolicy, responseHeadersPolicy, trustedKeys] = await Promise.all([
    b.CachePolicyId ? policies.cache(b.CachePolicyId) : Promise.resolve(legacyPolicy(b)),
    b.ResponseHeadersPolicyId
      ? policies.headers(b.ResponseHeadersPolicyId)
      : Promise.resolve(undefined),
    groups ? policies.keys(groups) : Promise.resolve(undefined),
  ]);
  return {
    pathPattern,
    targetOriginId: b.TargetOriginId ?? '',
    compress: b.Compress ?? false,
    allowedMethods: b.AllowedMethods?.Items ?? ['GET', 'HEAD'],
    cachedMethods: b.AllowedMethods?.CachedMethods?.Items ?? ['GET', 'HEAD'],
    cachePolicy,
    ...(responseHeadersPolicy ? { responseHeadersPolicy } : {}),
    ...(trustedKeys ? { trustedKeys } : {}),
  };
}

/** Whether the bucket policy grants CloudFront s3:ListBucket (read failures: assume not). */
async function cloudFrontMayList(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    const out = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    const policy = JSON.parse(out.Policy ?? '{}') as {
      Statement?: Array<{ Effect?: string; Principal?: unknown; Action?: string | string[] }>;
    };
    return (policy.Statement ?? []).some((s) => {
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      return (
        s.Effect === 'Allow' &&
        JSON.stringify(s.Principal ?? '').includes('cloudfront.amazonaws.com') &&
        actions.some((a) => a === 's3:ListBucket' || a === 's3:*' || a === '*')
      );
    });
  } catch {
    return false;
  }
}

/** Whether the distribution has additional metrics on (any failure to read: no). */
async function hasAdditionalMetrics(cloudfront: CloudFrontClient, id: string): Promise<boolean> {
  try {
    const out = await cloudfront.send(new GetMonitoringSubscriptionCommand({ DistributionId: id }));
    const config = out.MonitoringSubscription?.RealtimeMetricsSubscriptionConfig;
    return config?.RealtimeMetricsSubscriptionStatus === 'Enabled';
  } catch {
    return false;
  }
}

/** The edge's view of one distribution's config. */
export async function toEdgeDistribution(
  id: string,
  domainName: string,
  config: DistributionConfig,
  deps: { readonly cloudfront: CloudFrontClient; readonly s3: S3Client },
): Promise<EdgeDistribution> {
  const policies = policyReader(deps.cloudfront);
  const behaviours = await Promise.all([
    ...(config.CacheBehaviors?.Items ?? []).map((b) =>
      toBehaviour(b, b.PathPattern ?? '', policies),
    ),
    toBehaviour(config.DefaultCacheBehavior ?? ({} as DefaultCacheBehavior), '*', policies),
  ]);
  const origins = new Map<string, EdgeOrigin>();
  for (const o of config.Origins?.Items ?? []) {
    // An S3 REST domain is an S3 origin (website endpoints are custom origins: not served here).
    const bucket = bucketFromOriginDomain(o.DomainName ?? '');
    origins.set(o.Id ?? '', {
      id: o.Id ?? '',
      ...(bucket ? { bucket } : {}),
      originPath: normaliseOriginPath(o.OriginPath),
    });
  }
  const errors = config.CustomErrorResponses?.Items ?? [];
  const errorCaching = new Map<number, number>();
  const errorPages = new Map<number, { path: string; responseCode: number }>();
  for (const e of errors) {
    if (e.ErrorCode === undefined) continue;
    if (e.ErrorCachingMinTTL !== undefined) errorCaching.set(e.ErrorCode, e.ErrorCachingMinTTL);
    if (e.ResponsePagePath)
      errorPages.set(e.ErrorCode, {
        path: e.ResponsePagePath,
        responseCode: Number(e.ResponseCode || e.ErrorCode),
      });
  }
  const buckets = [...new Set([...origins.values()].flatMap((o) => (o.bucket ? [o.bucket] : [])))];
  const [listable, additionalMetrics] = await Promise.all([
    Promise.all(buckets.map((b) => cloudFrontMayList(deps.s3, b))),
    hasAdditionalMetrics(deps.cloudfront, id),
  ]);
  const logging = config.Logging?.Enabled
    ? bucketFromOriginDomain(config.Logging.Bucket ?? '')
    : undefined;
  const tagHeader = (config as { CacheTagConfig?: { HeaderName?: string } }).CacheTagConfig
    ?.HeaderName;
  const root = config.DefaultRootObject?.replace(/^\/+/, '');
  return {
    id,
    domainName,
    aliases: config.Aliases?.Items ?? [],
    enabled: config.Enabled !== false,
    behaviours,
    origins,
    ...(root ? { defaultRootObject: root } : {}),
    errorCachingMinTtl: errorCaching,
    errorPages,
    ...(logging
      ? {
          logging: {
            bucket: logging,
            prefix: config.Logging?.Prefix ?? '',
            includeCookies: config.Logging?.IncludeCookies ?? false,
          },
        }
      : {}),
    ...(tagHeader ? { cacheTagHeader: tagHeader.toLowerCase() } : {}),
    missingObjectStatus: listable.length > 0 && listable.every(Boolean) ? 404 : 403,
    additionalMetrics,
  };
}

/** Every distribution on the emulator (or only `ids`), as the edge sees them. */
export async function loadEdgeDistributions(
  deps: { readonly cloudfront: CloudFrontClient; readonly s3: S3Client },
  ids?: readonly string[],
): Promise<EdgeDistribution[]> {
  const found: Array<{ id: string; domainName: string }> = [];
  for await (const page of paginateListDistributions({ client: deps.cloudfront }, {})) {
    for (const s of page.DistributionList?.Items ?? []) {
      if (s.Id && (!ids || ids.includes(s.Id)))
        found.push({ id: s.Id, domainName: s.DomainName ?? '' });
    }
  }
  return Promise.all(
    found.map(async ({ id, domainName }) => {
      const out = await deps.cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
      return toEdgeDistribution(
        id,
        domainName,
        out.DistributionConfig ?? ({} as DistributionConfig),
        deps,
      );
    }),
  );
}
