/**
 * The policies a distribution needs, as CloudFront configs the workflow ensures (find by name,
 * else create): cache policies, one response-headers policy, one origin access control, and the
 * managed origin-request policy used when CORS is on.
 *
 * Names are deterministic (`cdnp-<spec name>-<what>`), so a re-run finds what an earlier run
 * created instead of adding another. Note: CloudFront's default quota is 20 custom cache policies
 * and 20 response-headers policies per account, and each spec uses up to one of the latter and a
 * handful of the former.
 */
import type {
  CachePolicyConfig,
  OriginAccessControlConfig,
  ResponseHeadersPolicyConfig,
} from '@aws-sdk/client-cloudfront';
import type { CORSRule } from '@aws-sdk/client-s3';
import { MANAGED_POLICY_IDS, RESOURCE_NAME_PREFIX } from '../../shared/catalogue.js';
import { UNCOMPRESSED_SUFFIX, type DistributionSpec } from '../../shared/distributionSpec.js';

/** CloudFront: policy names are letters, digits, `-` and `_`, at most 128 characters. */
export const POLICY_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** Managed `CORS-S3Origin`: forwards Origin, Access-Control-Request-Method/-Headers to S3. */
export const CORS_S3_ORIGIN_REQUEST_POLICY_ID = MANAGED_POLICY_IDS.originRequest.corsS3Origin;

/** One cache behaviour as the distribution will have it. */
export interface BehaviourPlan {
  /** `*.mp4`; undefined for the default behaviour. */
  readonly pathPattern: string | undefined;
  readonly contentClass: string;
  readonly compress: boolean;
  readonly cachePolicyName: string;
}

interface PolicyVariant {
  readonly name: string;
  readonly contentClass: string;
  readonly minTtl: number;
  readonly defaultTtl: number;
  readonly maxTtl: number;
  readonly compress: boolean;
}

const variantKey = (v: Omit<PolicyVariant, 'name' | 'contentClass'>) =>
  `${v.minTtl}/${v.defaultTtl}/${v.maxTtl}/${v.compress}`;

/**
 * Every cache behaviour the spec needs (the default first), each with the name of its cache
 * policy. Behaviours with the same TTLs and compression share one policy, named after the first
 * class that needs it: `cdnp-<name>-default`, `cdnp-<name>-video`, and for a class with both
 * kinds of extension `cdnp-<name>-<class>` (compressed) and `cdnp-<name>-<class>-uncompressed`.
 */
export function behaviourPlan(spec: DistributionSpec): {
  readonly defaultBehaviour: BehaviourPlan;
  readonly behaviours: readonly BehaviourPlan[];
  readonly policies: readonly PolicyVariant[];
} {
  const policies = new Map<string, PolicyVariant>();
  const policyFor = (
    contentClass: string,
    suffix: string,
    v: Omit<PolicyVariant, 'name' | 'contentClass'>,
  ): string => {
    const key = variantKey(v);
    const existing = policies.get(key);
    if (existing) return existing.name;
    const name = `${RESOURCE_NAME_PREFIX}${spec.name}-${contentClass}${suffix}`;
    policies.set(key, { name, contentClass, ...v });
    return name;
  };

  const d = spec.defaultBehavior;
  const defaultBehaviour: BehaviourPlan = {
    pathPattern: undefined,
    contentClass: 'default',
    compress: d.compress,
    cachePolicyName: policyFor('default', '', d),
  };

  const behaviours: BehaviourPlan[] = [];
  for (const cls of spec.contentClasses) {
    const ttls = { minTtl: cls.minTtl, defaultTtl: cls.defaultTtl, maxTtl: cls.maxTtl };
    const mixed = cls.compress.length > 0 && cls.compress.length < cls.extensions.length;
    // Compressed variant first, so its name never depends on the order of the extensions.
    const compressedName =
      cls.compress.length > 0 ? policyFor(cls.name, '', { ...ttls, compress: true }) : undefined;
    const plainName =
      cls.compress.length < cls.extensions.length
        ? policyFor(cls.name, mixed ? UNCOMPRESSED_SUFFIX : '', { ...ttls, compress: false })
        : undefined;
    for (const ext of cls.extensions) {
      const compress = cls.compress.includes(ext);
      behaviours.push({
        pathPattern: `*${ext}`,
        contentClass: cls.name,
        compress,
        cachePolicyName: (compress ? compressedName : plainName)!,
      });
    }
  }
  return { defaultBehaviour, behaviours, policies: [...policies.values()] };
}

/**
 * One cache policy per distinct (TTLs, compression) the behaviours need. The cache key holds no
 * query strings, cookies or headers (an S3 origin ignores them; each would split the cache).
 * Accept-Encoding (gzip, brotli) is in the key only where CloudFront compresses, and never when
 * every TTL is 0 (CloudFront rejects it on a policy that does not cache).
 */
export function cachePolicyConfigs(
  spec: DistributionSpec,
): Array<{ name: string; contentClass: string; config: CachePolicyConfig }> {
  return behaviourPlan(spec).policies.map((p) => {
    const encodings = p.compress && p.maxTtl > 0;
    return {
      name: p.name,
      contentClass: p.contentClass,
      config: {
        Name: p.name,
        Comment: `cdn-pipeline ${spec.name}: ${p.contentClass}, default TTL ${p.defaultTtl} s, ${p.compress ? 'compressed' : 'uncompressed'}`,
        MinTTL: p.minTtl,
        DefaultTTL: p.defaultTtl,
        MaxTTL: p.maxTtl,
        ParametersInCacheKeyAndForwardedToOrigin: {
          EnableAcceptEncodingGzip: encodings,
          EnableAcceptEncodingBrotli: encodings,
          HeadersConfig: { HeaderBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        },
      },
    };
  });
}

const list = <T>(items: readonly T[]) => ({ Quantity: items.length, Items: [...items] });

/** Name of the spec's response-headers policy: `cdnp-<name>-headers`. */
export function responseHeadersPolicyName(spec: DistributionSpec): string {
  return `${RESOURCE_NAME_PREFIX}${spec.name}-headers`;
}

/**
 * Security headers on every response (HSTS, nosniff, frame options, referrer policy, XSS
 * protection), each overriding whatever the origin sent; CORS headers when the spec allows
 * origins. Credentials are never allowed, so `*` origins and headers are safe.
 */
export function responseHeadersPolicyConfig(spec: DistributionSpec): {
  name: string;
  config: ResponseHeadersPolicyConfig;
} {
  const name = responseHeadersPolicyName(spec);
  const { hsts, frameOptions, referrerPolicy } = spec.headers;
  const config: ResponseHeadersPolicyConfig = {
    Name: name,
    Comment: `cdn-pipeline ${spec.name}: security headers${spec.cors ? ' and CORS' : ''}`,
    SecurityHeadersConfig: {
      StrictTransportSecurity: {
        Override: true,
        AccessControlMaxAgeSec: hsts.maxAgeSeconds,
        IncludeSubdomains: hsts.includeSubdomains,
        Preload: hsts.preload,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { Override: true, FrameOption: frameOptions },
      ReferrerPolicy: { Override: true, ReferrerPolicy: referrerPolicy },
      XSSProtection: { Override: true, Protection: true, ModeBlock: true },
    },
  };
  if (spec.cors) {
    const cors = spec.cors;
    config.CorsConfig = {
      AccessControlAllowOrigins: list(cors.allowOrigins),
      AccessControlAllowMethods: list(cors.allowMethods),
      AccessControlAllowHeaders: list(cors.allowHeaders),
      AccessControlAllowCredentials: false,
      ...(cors.exposeHeaders.length > 0
        ? { AccessControlExposeHeaders: list(cors.exposeHeaders) }
        : {}),
      AccessControlMaxAgeSec: cors.maxAgeSeconds,
      OriginOverride: true,
    };
  }
  return { name, config };
}

/** The origin access control: `cdnp-<name>-oac`, S3, SigV4, signing every request. */
export function originAccessControlConfig(spec: DistributionSpec): OriginAccessControlConfig {
  return {
    Name: `${RESOURCE_NAME_PREFIX}${spec.name}-oac`,
    Description: `cdn-pipeline ${spec.name}: CloudFront reads s3://${spec.bucket}`.slice(0, 256),
    SigningProtocol: 'sigv4',
    SigningBehavior: 'always',
    OriginAccessControlOriginType: 's3',
  };
}

/**
 * The origin-request policy for every behaviour: managed `CORS-S3Origin` when CORS is on, none
 * otherwise. Simple CORS requests do not need it (the response-headers policy adds the CORS
 * headers at the edge, whatever S3 says), but a preflight `OPTIONS` does: S3 answers it itself
 * and rejects one without the Origin and Access-Control-Request-* headers. The forwarded headers
 * are not in the cache key, so the hit rate is unchanged; OPTIONS is not a cached method.
 */
export function originRequestPolicyId(spec: DistributionSpec): string | undefined {
  return spec.cors ? CORS_S3_ORIGIN_REQUEST_POLICY_ID : undefined;
}

/**
 * The bucket CORS rule (id `cdnp-<name>`) that lets S3 answer preflights the same way the
 * response-headers policy answers the actual requests; undefined when CORS is off. Merge it
 * into the bucket's CORS configuration by id (PutBucketCors replaces the whole configuration).
 */
export function bucketCorsRule(spec: DistributionSpec): CORSRule | undefined {
  if (!spec.cors) return undefined;
  return {
    ID: `${RESOURCE_NAME_PREFIX}${spec.name}`,
    AllowedOrigins: [...spec.cors.allowOrigins],
    // S3 rules list the methods being allowed; OPTIONS is implied by the rule itself.
    AllowedMethods: spec.cors.allowMethods.filter((m) => m !== 'OPTIONS'),
    AllowedHeaders: [...spec.cors.allowHeaders],
    ...(spec.cors.exposeHeaders.length > 0 ? { ExposeHeaders: [...spec.cors.exposeHeaders] } : {}),
    MaxAgeSeconds: spec.cors.maxAgeSeconds,
  };
}
