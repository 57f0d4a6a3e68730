/**
 * The config of a distribution the pipeline adopted (one it did not create): the team's config,
 * with only what the spec speaks about brought under management. Pure.
 *
 * Managed on adoption:
 * - every origin that reads the bucket: through the spec's OAC, no OAI;
 * - the default behaviour (it must target the bucket) and one behaviour per content-class
 *   extension (`*.mp4` …): the project's cache policy, response-headers policy, compression,
 *   HTTPS (`allow-all` becomes `redirect-to-https`; `https-only` is kept), the CORS
 *   origin-request policy when the spec turns CORS on; the legacy ForwardedValues and TTLs go
 *   (a cache policy replaces them). A class behaviour the team already has (same path pattern)
 *   is updated in place; a missing one is added after the team's own, targeting the bucket;
 * - the spec's private prefixes (`privatePrefixes`): the same, plus the trusted key group; a
 *   missing one goes before every behaviour the team has (no team behaviour may shadow it).
 *
 * Kept as the team has them: every other origin and behaviour, and on managed behaviours their
 * target, allowed methods, function and Lambda@Edge associations, trusted key groups, field-level
 * encryption and real-time logs; aliases, certificate, WAF web ACL, logging, price class, geo
 * restrictions, error responses, HTTP version, IPv6, comment, default root object, origin groups,
 * staging settings.
 */
import type {
  CacheBehavior,
  DefaultCacheBehavior,
  DistributionConfig,
  Origin,
} from '@aws-sdk/client-cloudfront';
import { bucketFromOriginDomain } from '../../shared/distributions.js';
import type { DistributionSpec } from '../../shared/distributionSpec.js';
import {
  behaviourFields,
  privateBehaviourPlans,
  type DistributionRefs,
} from './distributionConfig.js';
import { AdoptionRefused } from './errors.js';
import { behaviourPlan } from './policies.js';

/** The origins of `config` whose domain is the bucket's S3 REST endpoint. */
export function bucketOrigins(config: DistributionConfig, bucket: string): Origin[] {
  return (config.Origins?.Items ?? []).filter(
    (o) => o.DomainName !== undefined && bucketFromOriginDomain(o.DomainName) === bucket,
  );
}

/** CloudFront's default quota of cache behaviours per distribution. */
const MAX_CACHE_BEHAVIORS = 25;

const LEGACY = ['ForwardedValues', 'MinTTL', 'DefaultTTL', 'MaxTTL'] as const;

/** `behaviour` with the spec's managed fields from `ours`; everything else kept. */
function managed<B extends DefaultCacheBehavior>(behaviour: B, ours: DefaultCacheBehavior): B {
  const out: B = {
    ...behaviour,
    CachePolicyId: ours.CachePolicyId,
    ResponseHeadersPolicyId: ours.ResponseHeadersPolicyId,
    Compress: ours.Compress,
    ViewerProtocolPolicy:
      behaviour.ViewerProtocolPolicy === 'https-only' ? 'https-only' : 'redirect-to-https',
    ...(ours.OriginRequestPolicyId ? { OriginRequestPolicyId: ours.OriginRequestPolicyId } : {}),
  };
  for (const field of LEGACY) delete out[field];
  return out;
}

/** Why a distribution cannot be adopted for this bucket, or undefined when it can. */
export function adoptionProblem(
  distributionId: string,
  config: DistributionConfig,
  bucket: string,
): string | undefined {
  const origins = bucketOrigins(config, bucket);
  if (origins.length === 0) {
    const listed = (config.Origins?.Items ?? [])
      .map((o) => `${o.DomainName ?? '?'} (origin ${o.Id ?? '?'})`)
      .join(', ');
    return `distribution ${distributionId} does not read bucket "${bucket}": its origins are ${listed || 'none'}. Give the bucket its S3 origin reads (--bucket), or add the bucket as an origin first`;
  }
  const target = config.DefaultCacheBehavior?.TargetOriginId;
  if (!origins.some((o) => o.Id === target)) {
    return `distribution ${distributionId}: its default behaviour targets origin "${target ?? ''}", not the bucket "${bucket}" (origin ${origins.map((o) => o.Id).join(', ')}); adopting it would route every content-class extension to the bucket. Adopt a distribution whose default behaviour serves the bucket`;
  }
  return undefined;
}

/**
 * The adopted distribution's config: `current` with the spec's origin access, policies and
 * behaviours (see the file header). Throws `AdoptionRefused` when it cannot be adopted.
 */
export function adoptedConfig(
  current: DistributionConfig,
  spec: DistributionSpec,
  refs: DistributionRefs,
  distributionId = 'the distribution',
): DistributionConfig {
  const problem = adoptionProblem(distributionId, current, spec.bucket);
  if (problem) throw new AdoptionRefused(problem);
  const config = structuredClone(current);
  const bucketIds = new Set(bucketOrigins(config, spec.bucket).map((o) => o.Id));
  const items = (config.Origins?.Items ?? []).map((origin): Origin => {
    if (!bucketIds.has(origin.Id)) return origin;
    const { CustomOriginConfig: _custom, ...rest } = origin;
    return {
      ...rest,
      S3OriginConfig: { ...origin.S3OriginConfig, OriginAccessIdentity: '' },
      OriginAccessControlId: refs.originAccessControlId,
    };
  });
  config.Origins = { Quantity: items.length, Items: items };

  const plan = behaviourPlan(spec);
  const target = config.DefaultCacheBehavior!.TargetOriginId!;
  config.DefaultCacheBehavior = managed(
    config.DefaultCacheBehavior!,
    behaviourFields(plan.defaultBehaviour, spec, refs),
  );

  const behaviours: CacheBehavior[] = [...(config.CacheBehaviors?.Items ?? [])];
  // Private prefixes: an existing behaviour of that pattern gets our key group; a missing one
  // goes first, so none of the distribution's own behaviours can shadow it.
  const front: CacheBehavior[] = [];
  for (const b of privateBehaviourPlans(spec, plan)) {
    const ours = { ...behaviourFields(b, spec, refs), TargetOriginId: target };
    const index = behaviours.findIndex((existing) => existing.PathPattern === b.pathPattern);
    if (index >= 0) {
      behaviours[index] = {
        ...managed(behaviours[index]!, ours),
        TrustedKeyGroups: ours.TrustedKeyGroups,
      };
    } else front.push({ PathPattern: b.pathPattern, ...ours });
  }
  behaviours.unshift(...front);
  for (const b of plan.behaviours) {
    const ours = { ...behaviourFields(b, spec, refs), TargetOriginId: target };
    const index = behaviours.findIndex((existing) => existing.PathPattern === b.pathPattern);
    if (index >= 0) behaviours[index] = managed(behaviours[index]!, ours);
    else behaviours.push({ PathPattern: b.pathPattern, ...ours });
  }
  if (behaviours.length > MAX_CACHE_BEHAVIORS) {
    throw new AdoptionRefused(
      `${distributionId}: adopting it would give it ${behaviours.length} cache behaviours (its own and one per content-class extension), over CloudFront's ${MAX_CACHE_BEHAVIORS}; turn off content classes it does not serve (spec.contentClasses) or remove behaviours first`,
    );
  }
  config.CacheBehaviors =
    behaviours.length > 0 ? { Quantity: behaviours.length, Items: behaviours } : { Quantity: 0 };
  // Cache tags: turned on when the spec asks; a team's own CacheTagConfig is otherwise kept.
  if (spec.cacheTagHeader) config.CacheTagConfig = { HeaderName: spec.cacheTagHeader };
  return config;
}
