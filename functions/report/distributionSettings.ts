/**
 * What the report reads from a distribution's config: its behaviours, what each caches for and
 * keys on (from its cache policy, managed or not, or its legacy settings), the origins it
 * reaches, and its error caching. Pure.
 */
import type {
  CacheBehavior,
  CachePolicyConfig,
  DefaultCacheBehavior,
  DistributionConfig,
  Origin,
} from '@aws-sdk/client-cloudfront';
import { DEFAULT_ERROR_CACHING_TTL, MANAGED_CACHE_POLICIES } from '../../shared/catalogue.js';
import { bucketFromOriginDomain } from '../../shared/distributions.js';

export interface Behaviour {
  /** `*.mp4`; `*` for the default behaviour. */
  readonly pattern: string;
  readonly isDefault: boolean;
  readonly behaviour: DefaultCacheBehavior | CacheBehavior;
}

export function behavioursOf(config: DistributionConfig): Behaviour[] {
  const list: Behaviour[] = [];
  if (config.DefaultCacheBehavior) {
    list.push({ pattern: '*', isDefault: true, behaviour: config.DefaultCacheBehavior });
  }
  for (const b of config.CacheBehaviors?.Items ?? []) {
    list.push({ pattern: b.PathPattern ?? '', isDefault: false, behaviour: b });
  }
  return list;
}

/** `.mp4` from `*.mp4` or `/videos/*.MP4`; undefined for `/videos/*`. */
export function patternExtension(pattern: string): string | undefined {
  const match = /(\.[A-Za-z0-9]{1,16})$/.exec(pattern);
  return match ? match[1]!.toLowerCase() : undefined;
}

/** What a behaviour caches for, and what is in its cache key. */
export interface CacheSettings {
  readonly source: string;
  readonly minTtl: number;
  readonly defaultTtl: number;
  readonly maxTtl: number;
  /** What is in the cache key besides the path, e.g. `query strings (all)`. */
  readonly inKey: readonly string[];
  /** Accept-Encoding (gzip or br) in the key: CloudFront can serve compressed copies. */
  readonly acceptEncoding: boolean;
}

/** From the behaviour's cache policy (given or managed) or its legacy settings; else undefined. */
export function cacheSettings(
  b: DefaultCacheBehavior,
  policies: ReadonlyMap<string, CachePolicyConfig> | undefined,
): CacheSettings | undefined {
  if (b.CachePolicyId) {
    const policy = policies?.get(b.CachePolicyId) ?? MANAGED_CACHE_POLICIES.get(b.CachePolicyId);
    if (!policy) return undefined;
    const key = policy.ParametersInCacheKeyAndForwardedToOrigin;
    const inKey: string[] = [];
    const qs = key?.QueryStringsConfig?.QueryStringBehavior;
    if (qs && qs !== 'none') inKey.push(`query strings (${qs})`);
    const cookies = key?.CookiesConfig?.CookieBehavior;
    if (cookies && cookies !== 'none') inKey.push(`cookies (${cookies})`);
    const headers = key?.HeadersConfig;
    if (headers?.HeaderBehavior && headers.HeaderBehavior !== 'none') {
      const names = headers.Headers?.Items ?? [];
      inKey.push(`headers (${names.length ? names.join(', ') : headers.HeaderBehavior})`);
    }
    return {
      source: `cache policy ${policy.Name ?? b.CachePolicyId}`,
      minTtl: policy.MinTTL ?? 0,
      defaultTtl: policy.DefaultTTL ?? 86_400,
      maxTtl: policy.MaxTTL ?? 31_536_000,
      inKey,
      acceptEncoding: Boolean(key?.EnableAcceptEncodingGzip || key?.EnableAcceptEncodingBrotli),
    };
  }
  const fv = b.ForwardedValues;
  if (!fv && b.DefaultTTL === undefined) return undefined;
  const inKey: string[] = [];
  if (fv?.QueryString) inKey.push('query strings (all)');
  if (fv?.Cookies?.Forward && fv.Cookies.Forward !== 'none') {
    inKey.push(`cookies (${fv.Cookies.Forward})`);
  }
  if ((fv?.Headers?.Quantity ?? 0) > 0) {
    inKey.push(`headers (${(fv?.Headers?.Items ?? []).join(', ')})`);
  }
  return {
    source: 'legacy cache settings',
    minTtl: b.MinTTL ?? 0,
    defaultTtl: b.DefaultTTL ?? 86_400,
    maxTtl: b.MaxTTL ?? 31_536_000,
    inKey,
    // Legacy settings compress with gzip whenever Compress is on.
    acceptEncoding: true,
  };
}

/** The origins a behaviour may reach (an origin group's members included). */
export function targetOrigins(config: DistributionConfig, targetId: string | undefined): Origin[] {
  const origins = config.Origins?.Items ?? [];
  const direct = origins.filter((o) => o.Id === targetId);
  if (direct.length) return direct;
  const group = config.OriginGroups?.Items?.find((g) => g.Id === targetId);
  const members = new Set((group?.Members?.Items ?? []).map((m) => m.OriginId));
  return origins.filter((o) => members.has(o.Id));
}

/** S3 REST or website endpoint, or an S3 origin config. */
export function isS3Origin(origin: Origin): boolean {
  const domain = origin.DomainName ?? '';
  return (
    origin.S3OriginConfig !== undefined ||
    bucketFromOriginDomain(domain) !== undefined ||
    /\.s3-website[.-]/.test(domain)
  );
}

/** The error-caching TTL CloudFront applies to `code` (10 s when the config sets none). */
export function errorCachingTtl(config: DistributionConfig, code: number): number {
  const response = config.CustomErrorResponses?.Items?.find((r) => r.ErrorCode === code);
  return response?.ErrorCachingMinTTL ?? DEFAULT_ERROR_CACHING_TTL;
}
