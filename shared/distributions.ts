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
import { invalidationPathForKey, normaliseOriginPath, viewerPathForKey } from './keys.js';

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
}

/**
 * The bucket named by an S3 REST origin domain (`b.s3.amazonaws.com`, `b.s3.eu-west-1.amazonaws.com`,
 * `b.s3-eu-west-1.amazonaws.com`, `b.s3.dualstack.…`). Website endpoints (`s3-website`) are not
 * S3 REST origins and cannot use OAC: they return undefined.
 */
export function bucketFromOriginDomain(domain: string): string | undefined {
  const match = /^(.+?)\.s3(?:[.-](?!website)[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/i.exec(domain);
  return match?.[1];
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
 * The invalidation paths at which `origin` serves `key` — none when it does not: the key lies
 * outside the origin path, or the first cache behaviour matching the path routes to another
 * origin (a behaviour targeting an origin group reaches every member). The default root object
 * is also served at `/`, so it is invalidated there too.
 */
export function servedPaths(origin: BucketOrigin, key: string): string[] {
  const viewerPath = viewerPathForKey(key, origin.originPath);
  if (viewerPath === undefined) return [];
  const route = origin.routes.find((r) => matchesPathPattern(r.pathPattern, viewerPath));
  if (!route) return [];
  const reaches =
    route.targetOriginId === origin.originId || origin.groupIds.includes(route.targetOriginId);
  if (!reaches) return [];
  const path = invalidationPathForKey(key, origin.originPath)!;
  const atRoot = origin.defaultRootObject && viewerPath === `/${origin.defaultRootObject}`;
  return atRoot ? [path, '/'] : [path];
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
