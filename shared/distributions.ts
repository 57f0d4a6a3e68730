/**
 * Which CloudFront distributions serve a bucket, and at which path they serve a key.
 */
import {
  GetDistributionCommand,
  paginateListDistributions,
  type CacheBehavior,
  type CloudFrontClient,
  type DistributionConfig,
  type DistributionSummary,
  type Origin,
} from '@aws-sdk/client-cloudfront';
import { missingObjectErrorTtl } from './invalidation/request.js';
import {
  invalidationForKey,
  normaliseOriginPath,
  viewerPathForKey,
  type KeyInvalidation,
} from './keys.js';

/** One (distribution, origin) pair whose origin is the bucket. */
export interface BucketOrigin {
  readonly distributionId: string;
  readonly arn: string;
  readonly domainName: string;
  readonly originId: string;
  /** Normalised: '' or '/prefix'. */
  readonly originPath: string;
  /** Cache behaviours in precedence order, then the default (`pathPattern: '*'`). */
  readonly routes: ReadonlyArray<{ readonly pathPattern: string; readonly targetOriginId: string }>;
  /** Origin groups (failover) this origin belongs to: a behaviour targeting one reaches it. */
  readonly groupIds: readonly string[];
  /** The distribution's default root object (served at `/`), if any. */
  readonly defaultRootObject?: string;
  /**
   * How long (s) the distribution caches S3's answer for a missing key (403 through OAC, or
   * 404): the larger ErrorCachingMinTTL of the two, CloudFront's 10 s for a code without one.
   */
  readonly missingObjectErrorTtl: number;
  /** The distribution's CacheTagConfig.HeaderName, lower-cased; absent: no cache tags. */
  readonly cacheTagHeader?: string;
}

/** An AWS region code: `us-east-1`, `us-gov-west-1`, `ap-southeast-5`, `cn-northwest-1`. */
const REGION = '[a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}';
/**
 * The endpoint labels after the bucket in an S3 REST domain (docs.aws.amazon.com/general/latest/gr/s3.html):
 * `s3` (global), `s3.<region>`, `s3-<region>` (legacy), `s3-external-1`, `s3.dualstack.<region>`,
 * `s3-fips[.dualstack].<region>`, `s3-accelerate[.dualstack]`. Every form starts with the one
 * label that begins with `s3`, and none of the labels after it does, so a domain splits into
 * bucket + endpoint in exactly one way — whatever `.s3.` the bucket name itself holds.
 * Website endpoints (`s3-website-<region>`, `s3-website.<region>`) match none of these.
 */
const S3_REST_DOMAIN = new RegExp(
  `^(.+)\\.s3(?:[.-]${REGION}|-external-1|\\.dualstack\\.${REGION}|-fips(?:\\.dualstack)?\\.${REGION}|-accelerate(?:\\.dualstack)?)?\\.amazonaws\\.com(?:\\.cn)?$`,
);
/** A DNS-compliant bucket name, the only kind CloudFront takes as an S3 origin. */
const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The bucket named by an S3 REST origin domain (`my-content.s3.amazonaws.com`,
 * `my.s3.logs.s3.eu-west-1.amazonaws.com`, `b.s3-eu-west-1.amazonaws.com`,
 * `b.s3.dualstack.…`, `….amazonaws.com.cn`), lower-cased (domain names are not case-sensitive).
 * Website endpoints are custom origins, not S3 REST origins (no OAC): they return undefined, as
 * does anything whose bucket part is not a valid bucket name.
 */
export function bucketFromOriginDomain(domain: string): string | undefined {
  const bucket = S3_REST_DOMAIN.exec(domain.toLowerCase())?.[1];
  return bucket !== undefined && BUCKET_NAME.test(bucket) ? bucket : undefined;
}

function toRoutes(
  behaviors: { Items?: CacheBehavior[] } | undefined,
  defaultTarget: string | undefined,
): BucketOrigin['routes'] {
  const routes = (behaviors?.Items ?? []).map((b) => ({
    pathPattern: b.PathPattern ?? '',
    targetOriginId: b.TargetOriginId ?? '',
  }));
  routes.push({ pathPattern: '*', targetOriginId: defaultTarget ?? '' });
  return routes;
}

type DistributionShape = Partial<
  Pick<DistributionSummary, 'Id' | 'ARN' | 'DomainName'> &
    Pick<
      DistributionConfig,
      | 'Origins'
      | 'OriginGroups'
      | 'CacheBehaviors'
      | 'DefaultCacheBehavior'
      | 'Enabled'
      | 'DefaultRootObject'
      | 'CustomErrorResponses'
      | 'CacheTagConfig'
    >
>;

/** The bucket's origins in one distribution (none when it is disabled or serves other origins). */
export function bucketOriginsOf(distribution: DistributionShape, bucket: string): BucketOrigin[] {
  if (distribution.Enabled === false) return [];
  const routes = toRoutes(
    distribution.CacheBehaviors,
    distribution.DefaultCacheBehavior?.TargetOriginId,
  );
  const groups = distribution.OriginGroups?.Items ?? [];
  const root = distribution.DefaultRootObject?.replace(/^\/+/, '');
  const errorTtl = missingObjectErrorTtl(distribution);
  const tagHeader = distribution.CacheTagConfig?.HeaderName?.toLowerCase();
  return (distribution.Origins?.Items ?? [])
    .filter((o: Origin) => o.DomainName && bucketFromOriginDomain(o.DomainName) === bucket)
    .map((o: Origin) => ({
      distributionId: distribution.Id ?? '',
      arn: distribution.ARN ?? '',
      domainName: distribution.DomainName ?? '',
      originId: o.Id ?? '',
      originPath: normaliseOriginPath(o.OriginPath),
      routes,
      groupIds: groups
        .filter((g) => g.Members?.Items?.some((m) => m.OriginId === o.Id))
        .map((g) => g.Id ?? ''),
      ...(root ? { defaultRootObject: root } : {}),
      missingObjectErrorTtl: errorTtl,
      ...(tagHeader ? { cacheTagHeader: tagHeader } : {}),
    }));
}

/**
 * CloudFront path-pattern match: `*` is any run of characters (slashes included), `?` one
 * character, case-sensitive; the leading `/` is optional in patterns.
 */
export function matchesPathPattern(pattern: string, path: string): boolean {
  const p = pattern.startsWith('/') ? pattern : `/${pattern}`;
  const source = p
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(path);
}

/**
 * How to invalidate `key` where `origin` serves it — nothing when it does not: the key lies
 * outside the origin path, or the first cache behaviour matching the path routes to another
 * origin (a behaviour targeting an origin group reaches every member). The default root object
 * is also served at `/`, so it is invalidated there too. A key CloudFront cannot name exactly
 * comes back as a bounded superset or as `unexpressible`, with the reason ({@link KeyInvalidation}).
 */
export function servedInvalidations(origin: BucketOrigin, key: string): KeyInvalidation[] {
  const viewerPath = viewerPathForKey(key, origin.originPath);
  if (viewerPath === undefined) return [];
  const route = origin.routes.find((r) => matchesPathPattern(r.pathPattern, viewerPath));
  if (!route) return [];
  const reaches =
    route.targetOriginId === origin.originId || origin.groupIds.includes(route.targetOriginId);
  if (!reaches) return [];
  const invalidation = invalidationForKey(key, origin.originPath)!;
  const atRoot = origin.defaultRootObject && viewerPath === `/${origin.defaultRootObject}`;
  return atRoot ? [invalidation, { kind: 'exact', path: '/' }] : [invalidation];
}

/**
 * The paths of {@link servedInvalidations} that can be sent (exact or bounded superset). An
 * `unexpressible` key has none: callers that must not take that for "not served" (the
 * invalidate function) read servedInvalidations.
 */
export function servedPaths(origin: BucketOrigin, key: string): string[] {
  return servedInvalidations(origin, key).flatMap((i) =>
    i.kind === 'unexpressible' ? [] : [i.path],
  );
}

async function fetchDistribution(
  cloudfront: CloudFrontClient,
  id: string,
): Promise<DistributionShape> {
  const out = await cloudfront.send(new GetDistributionCommand({ Id: id }));
  const d = out.Distribution;
  return { Id: d?.Id, ARN: d?.ARN, DomainName: d?.DomainName, ...d?.DistributionConfig };
}

/**
 * Every origin, in every distribution, that reads from `bucket`. With `ids`, only those
 * distributions are considered. ListDistributions summaries tell which distributions read the
 * bucket; GetDistribution then gives their full configuration.
 */
export async function findBucketOrigins(
  cloudfront: CloudFrontClient,
  bucket: string,
  ids?: readonly string[],
): Promise<BucketOrigin[]> {
  const found: BucketOrigin[] = [];
  if (ids) {
    for (const id of ids)
      found.push(...bucketOriginsOf(await fetchDistribution(cloudfront, id), bucket));
    return found;
  }
  for await (const page of paginateListDistributions({ client: cloudfront }, {})) {
    for (const summary of page.DistributionList?.Items ?? []) {
      // Summaries lack the default root object (and, on the emulator, the origins): read the
      // whole distribution for those that may serve the bucket.
      if (summary.Origins && bucketOriginsOf(summary, bucket).length === 0) continue;
      found.push(...bucketOriginsOf(await fetchDistribution(cloudfront, summary.Id!), bucket));
    }
  }
  return found;
}

export type BucketOriginFinder = (bucket: string) => Promise<BucketOrigin[]>;

/** {@link findBucketOrigins} with a short per-bucket cache (failures are not cached). */
export function cachedOriginFinder(
  cloudfront: CloudFrontClient,
  options: { ids?: readonly string[]; ttlMs: number; now?: () => number },
): BucketOriginFinder {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<BucketOrigin[]> }>();
  return (bucket) => {
    const hit = cache.get(bucket);
    if (hit && now() - hit.at < options.ttlMs) return hit.value;
    const value = findBucketOrigins(cloudfront, bucket, options.ids);
    cache.set(bucket, { at: now(), value });
    value.catch(() => cache.delete(bucket));
    return value;
  };
}
