/**
 * Spec → CloudFront `DistributionConfig`, and the comparisons the update path needs. Pure: the
 * ids of the policies and the OAC come in as `refs`, found or created by the workflow.
 */
import { createHash } from 'node:crypto';
import type {
  CacheBehavior,
  DefaultCacheBehavior,
  DistributionConfig,
  Tag,
} from '@aws-sdk/client-cloudfront';
import {
  CALLER_REFERENCE_PREFIX,
  MANAGED_TAG_KEYS,
  MANAGED_TAG_VALUE,
} from '../../shared/catalogue.js';
import { InvalidInputError } from '../../shared/errors.js';
import { behaviourPlan, originRequestPolicyId, type BehaviourPlan } from './policies.js';
import type { DistributionSpec } from '../../shared/distributionSpec.js';

/** Ids the workflow found or created before it builds the distribution. */
export interface DistributionRefs {
  readonly callerReference: string;
  readonly originAccessControlId: string;
  /** Cache policy id by policy name (`cdnp-<name>-video` → id). */
  readonly cachePolicyIds: Readonly<Record<string, string>>;
  readonly responseHeadersPolicyId: string;
  /** Defaults to {@link originRequestPolicyId} (managed CORS-S3Origin when CORS is on). */
  readonly originRequestPolicyId?: string | undefined;
  /** Key group id by key group name (the private prefixes'); none needed without them. */
  readonly keyGroupIds?: Readonly<Record<string, string>>;
}

/** A private prefix's behaviour: its content class's cache policy, and its trusted key group. */
export interface PrivateBehaviourPlan extends BehaviourPlan {
  readonly pathPattern: string;
  readonly keyGroupName: string;
}

/**
 * The private prefixes' behaviours, in the spec's order: they come before every content-class
 * behaviour, so `reports/q3.pdf` needs a signature even though `*.pdf` would match it too. Each
 * uses the cache policy of its content class (the compressed variant when the class has one).
 */
export function privateBehaviourPlans(
  spec: DistributionSpec,
  plan: Pick<ReturnType<typeof behaviourPlan>, 'defaultBehaviour' | 'behaviours'> = behaviourPlan(
    spec,
  ),
): PrivateBehaviourPlan[] {
  return (spec.privatePrefixes ?? []).map((p) => {
    const ofClass = plan.behaviours.filter((b) => b.contentClass === p.contentClass);
    const like =
      p.contentClass === 'default'
        ? plan.defaultBehaviour
        : (ofClass.find((b) => b.compress) ?? ofClass[0] ?? plan.defaultBehaviour);
    return {
      pathPattern: p.pathPattern,
      contentClass: p.contentClass,
      compress: like.compress,
      cachePolicyName: like.cachePolicyName,
      keyGroupName: p.keyGroupName,
    };
  });
}

function trustedKeyGroups(plan: BehaviourPlan, refs: DistributionRefs) {
  if (!('keyGroupName' in plan)) return { Enabled: false, Quantity: 0 };
  const name = (plan as PrivateBehaviourPlan).keyGroupName;
  const id = refs.keyGroupIds?.[name];
  if (!id) {
    throw new InvalidInputError(
      `keyGroupIds.${name}`,
      "is missing: ensure the private prefixes' key groups before building the distribution",
    );
  }
  return { Enabled: true, Quantity: 1, Items: [id] };
}

/** The origin id of the bucket: `s3-<bucket>`. */
export function originId(spec: DistributionSpec): string {
  return `s3-${spec.bucket}`;
}

/**
 * The CallerReference of the spec's distribution: `cdnp-` + 40 hex of sha256 over bucket and
 * name. The same spec always gives the same reference, so a re-run that finds no distribution
 * by tag still cannot create a second one (CloudFront answers `DistributionAlreadyExists`).
 */
export function specCallerReference(spec: Pick<DistributionSpec, 'bucket' | 'name'>): string {
  const canonical = JSON.stringify(['cdnp/distribution/v1', spec.bucket, spec.name]);
  const digest = createHash('sha256').update(canonical, 'utf8').digest('hex');
  return `${CALLER_REFERENCE_PREFIX}${digest.slice(0, 40)}`;
}

/** Our tags (managed, bucket, name, and stage when given), then the user's. */
export function managedTags(spec: DistributionSpec, stage?: string): Tag[] {
  const tags: Tag[] = [
    { Key: MANAGED_TAG_KEYS.managed, Value: MANAGED_TAG_VALUE },
    { Key: MANAGED_TAG_KEYS.bucket, Value: spec.bucket },
    { Key: MANAGED_TAG_KEYS.name, Value: spec.name },
  ];
  if (stage) tags.push({ Key: MANAGED_TAG_KEYS.stage, Value: stage });
  for (const [Key, Value] of Object.entries(spec.tags)) tags.push({ Key, Value });
  return tags;
}

const list = <T>(items: readonly T[]) =>
  items.length > 0 ? { Quantity: items.length, Items: [...items] } : { Quantity: 0 };

/** The fields of one behaviour the spec manages (its cache, headers and origin-request policies, compression, HTTPS). */
export function behaviourFields(
  plan: BehaviourPlan,
  spec: DistributionSpec,
  refs: DistributionRefs,
): DefaultCacheBehavior {
  const cachePolicyId = refs.cachePolicyIds[plan.cachePolicyName];
  if (!cachePolicyId) {
    throw new InvalidInputError(
      `cachePolicyIds.${plan.cachePolicyName}`,
      'is missing: ensure every policy from cachePolicyConfigs(spec) before building the distribution',
    );
  }
  const originRequest =
    'originRequestPolicyId' in refs ? refs.originRequestPolicyId : originRequestPolicyId(spec);
  return {
    TargetOriginId: originId(spec),
    ViewerProtocolPolicy: 'redirect-to-https',
    AllowedMethods: {
      Quantity: 3,
      Items: ['GET', 'HEAD', 'OPTIONS'],
      CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] },
    },
    Compress: plan.compress,
    CachePolicyId: cachePolicyId,
    ResponseHeadersPolicyId: refs.responseHeadersPolicyId,
    ...(originRequest ? { OriginRequestPolicyId: originRequest } : {}),
    SmoothStreaming: false,
    FieldLevelEncryptionId: '',
    TrustedSigners: { Enabled: false, Quantity: 0 },
    TrustedKeyGroups: trustedKeyGroups(plan, refs),
    LambdaFunctionAssociations: { Quantity: 0 },
    FunctionAssociations: { Quantity: 0 },
  };
}

/**
 * The whole `DistributionConfig` for the spec: one S3 origin through OAC, a default behaviour,
 * the private prefixes' behaviours (trusted key groups) and one behaviour per content-class extension, HTTPS only, aliases with an SNI ACM certificate
 * (TLS 1.2_2021) or the default certificate, geo restriction, custom error responses, logging,
 * price class, HTTP/2+3, IPv6, WAF. Every field is set, since an update replaces the config.
 */
export function toDistributionConfig(
  spec: DistributionSpec,
  refs: DistributionRefs,
): DistributionConfig {
  const plan = behaviourPlan(spec);
  const behaviours: CacheBehavior[] = [
    ...privateBehaviourPlans(spec, plan),
    ...plan.behaviours,
  ].map((b) => ({
    PathPattern: b.pathPattern,
    ...behaviourFields(b, spec, refs),
  }));
  const geoType = { none: 'none', allow: 'whitelist', block: 'blacklist' } as const;
  return {
    CallerReference: refs.callerReference,
    Comment: spec.comment,
    Enabled: spec.enabled,
    Aliases: list(spec.aliases),
    DefaultRootObject: spec.defaultRootObject ?? '',
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: originId(spec),
          DomainName: spec.originDomain,
          OriginPath: spec.originPath,
          CustomHeaders: { Quantity: 0 },
          S3OriginConfig: { OriginAccessIdentity: '' },
          OriginAccessControlId: refs.originAccessControlId,
        },
      ],
    },
    DefaultCacheBehavior: behaviourFields(plan.defaultBehaviour, spec, refs),
    CacheBehaviors: list(behaviours),
    CustomErrorResponses: list(
      spec.errors.map((e) => ({
        ErrorCode: e.code,
        ErrorCachingMinTTL: e.cachingMinTtl,
        ...(e.responsePagePath !== undefined
          ? { ResponsePagePath: e.responsePagePath, ResponseCode: e.responseCode ?? String(e.code) }
          : {}),
      })),
    ),
    Logging: spec.logging
      ? {
          Enabled: true,
          IncludeCookies: spec.logging.includeCookies,
          Bucket: spec.logging.bucket,
          Prefix: spec.logging.prefix,
        }
      : { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    PriceClass: spec.priceClass,
    ViewerCertificate: spec.certificateArn
      ? {
          ACMCertificateArn: spec.certificateArn,
          SSLSupportMethod: 'sni-only',
          MinimumProtocolVersion: 'TLSv1.2_2021',
          CloudFrontDefaultCertificate: false,
        }
      : { CloudFrontDefaultCertificate: true },
    Restrictions: {
      GeoRestriction: {
        RestrictionType: geoType[spec.geo.type],
        ...list(spec.geo.countries),
      },
    },
    WebACLId: spec.webAclArn ?? '',
    HttpVersion: spec.httpVersion,
    IsIPV6Enabled: spec.ipv6,
    ...(spec.cacheTagHeader ? { CacheTagConfig: { HeaderName: spec.cacheTagHeader } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The update path (the comparison itself is configChanges.ts)
// ---------------------------------------------------------------------------------------------

export { configDiff, sameConfig } from './configChanges.js';
import { MANAGED_WHEN_ABSENT } from './configChanges.js';

/**
 * The config to send with UpdateDistribution: `desired`, with the current CallerReference
 * (CloudFront forbids changing it) and every top-level field `desired` leaves unset taken from
 * `current` (staging and continuous-deployment settings, origin groups, tenant settings…), since
 * an update replaces the whole config.
 */
export function mergeForUpdate(
  current: DistributionConfig,
  desired: DistributionConfig,
): DistributionConfig {
  const merged: DistributionConfig = { ...current };
  for (const key of Object.keys(desired) as Array<keyof DistributionConfig>) {
    if (desired[key] !== undefined) Object.assign(merged, { [key]: desired[key] });
  }
  merged.CallerReference = current.CallerReference;
  for (const key of MANAGED_WHEN_ABSENT) if (desired[key] === undefined) delete merged[key];
  return merged;
}
