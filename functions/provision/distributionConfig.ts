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

function behaviourFields(
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
    TrustedKeyGroups: { Enabled: false, Quantity: 0 },
    LambdaFunctionAssociations: { Quantity: 0 },
    FunctionAssociations: { Quantity: 0 },
  };
}

/**
 * The whole `DistributionConfig` for the spec: one S3 origin through OAC, a default behaviour and
 * one behaviour per content-class extension, HTTPS only, aliases with an SNI ACM certificate
 * (TLS 1.2_2021) or the default certificate, geo restriction, custom error responses, logging,
 * price class, HTTP/2+3, IPv6, WAF. Every field is set, since an update replaces the config.
 */
export function toDistributionConfig(
  spec: DistributionSpec,
  refs: DistributionRefs,
): DistributionConfig {
  const plan = behaviourPlan(spec);
  const behaviours: CacheBehavior[] = plan.behaviours.map((b) => ({
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
  };
}

// ---------------------------------------------------------------------------------------------
// Comparing configs for the update path
// ---------------------------------------------------------------------------------------------

/** Legacy per-behaviour cache settings CloudFront ignores when a cache policy is attached. */
const LEGACY_CACHE_FIELDS = ['ForwardedValues', 'MinTTL', 'DefaultTTL', 'MaxTTL'] as const;
/** Origin fields whose values CloudFront fills in when they are not sent. */
const ORIGIN_DEFAULTS: Readonly<Record<string, unknown>> = {
  ConnectionAttempts: 3,
  ConnectionTimeout: 10,
  ResponseCompletionTimeout: 0,
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A canonical form for comparison: drops what CloudFront treats as "not set" (undefined, '',
 * false, `{ Quantity: 0 }`, empty objects) and defaults it fills in (origin timeouts, legacy TTLs
 * beside a cache policy, the certificate's deprecated echo fields), and sorts what is a set
 * (string lists, error responses by code, origins by id). Cache behaviours keep their order: it
 * is their precedence.
 */
function canonical(value: unknown, key = ''): Json | undefined {
  if (value === undefined || value === null || value === '' || value === false) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v)).filter((v): v is Json => v !== undefined);
    if (items.length === 0) return undefined;
    if (items.every((v) => typeof v === 'string')) return [...(items as string[])].sort();
    if (key === 'CustomErrorResponses' || key === 'Origins') {
      return items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    }
    return items;
  }
  if (typeof value !== 'object') return value as Json;

  let record = value as Record<string, unknown>;
  if (key === 'ViewerCertificate') {
    record = record.CloudFrontDefaultCertificate
      ? { CloudFrontDefaultCertificate: true }
      : {
          ACMCertificateArn: record.ACMCertificateArn,
          IAMCertificateId: record.IAMCertificateId,
          SSLSupportMethod: record.SSLSupportMethod,
          MinimumProtocolVersion: record.MinimumProtocolVersion,
        };
  }
  if (key === 'Logging' && !record.Enabled) return undefined;
  if (key === 'GeoRestriction' && record.RestrictionType === 'none') return undefined;
  if (typeof record.CachePolicyId === 'string' && record.CachePolicyId) {
    record = { ...record };
    for (const field of LEGACY_CACHE_FIELDS) delete record[field];
  }
  const out: Record<string, Json> = {};
  for (const k of Object.keys(record).sort()) {
    if (ORIGIN_DEFAULTS[k] !== undefined && record[k] === ORIGIN_DEFAULTS[k]) continue;
    if (key === 'ViewerCertificate' && (k === 'Certificate' || k === 'CertificateSource')) continue;
    // A list's Items are keyed by the list's own name, so set-like lists sort correctly.
    const v = canonical(record[k], k === 'Items' ? key : k);
    if (v !== undefined) out[k] = v;
  }
  const keys = Object.keys(out);
  if (keys.length === 0) return undefined;
  if (keys.length === 1 && out.Quantity === 0) return undefined;
  return out;
}

/**
 * The top-level fields of `desired` whose values differ from `current`, ignoring CallerReference
 * and the defaults CloudFront adds (empty lists, `Staging: false`, `ContinuousDeploymentPolicyId:
 * ''`, origin connection defaults, disabled logging's empty fields…). Fields `desired` does not
 * set are not compared: {@link mergeForUpdate} keeps them as they are. Empty means no update.
 */
export function configDiff(current: DistributionConfig, desired: DistributionConfig): string[] {
  const differ: string[] = [];
  for (const key of Object.keys(desired).sort() as Array<keyof DistributionConfig>) {
    if (key === 'CallerReference' || desired[key] === undefined) continue;
    const a = JSON.stringify(canonical(current[key], key) ?? null);
    const b = JSON.stringify(canonical(desired[key], key) ?? null);
    if (a !== b) differ.push(key);
  }
  return differ;
}

/** True when UpdateDistribution would change nothing this spec manages. */
export function sameConfig(current: DistributionConfig, desired: DistributionConfig): boolean {
  return configDiff(current, desired).length === 0;
}

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
  return merged;
}
