/**
 * LOCAL ONLY. AWS's managed CloudFront policies (cache, origin request, response headers) with
 * their real ids and settings, as the local CloudFront shim lists them, and the shape of the
 * shim's state (every policy, subscription and origin extra it keeps).
 */
import type {
  CachePolicyConfig,
  MonitoringSubscription,
  Origin,
  OriginRequestPolicyConfig,
  ResponseHeadersPolicyConfig,
} from '@aws-sdk/client-cloudfront';

export type PolicyType = 'managed' | 'custom';

export interface StoredPolicy<C> {
  id: string;
  type: PolicyType;
  etag: string;
  lastModified: Date;
  config: C;
}

export interface ManagedPolicies {
  cachePolicies: Map<string, StoredPolicy<CachePolicyConfig>>;
  responseHeadersPolicies: Map<string, StoredPolicy<ResponseHeadersPolicyConfig>>;
  originRequestPolicies: Map<string, StoredPolicy<OriginRequestPolicyConfig>>;
}

/** Origin fields moto drops, by origin id, per distribution id. */
export type OriginExtras = Map<string, Pick<Origin, 'OriginAccessControlId' | 'S3OriginConfig'>>;

/** Everything the shim answers from. */
export interface ShimState extends ManagedPolicies {
  monitoring: Map<string, MonitoringSubscription>;
  origins: Map<string, OriginExtras>;
}

const MANAGED_TIME = new Date('2020-10-01T00:00:00.000Z');
const ETAG_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function newEtag(): string {
  let tag = 'E';
  for (let i = 0; i < 13; i++) tag += ETAG_CHARS[Math.floor(Math.random() * ETAG_CHARS.length)];
  return tag;
}

function managed<C>(id: string, config: C): [string, StoredPolicy<C>] {
  return [id, { id, type: 'managed', etag: newEtag(), lastModified: MANAGED_TIME, config }];
}

function cacheConfig(
  name: string,
  comment: string,
  ttls: [number, number, number],
  compress: boolean,
  headers: string[] = [],
): CachePolicyConfig {
  return {
    Name: name,
    Comment: comment,
    MinTTL: ttls[0],
    DefaultTTL: ttls[1],
    MaxTTL: ttls[2],
    ParametersInCacheKeyAndForwardedToOrigin: {
      EnableAcceptEncodingGzip: compress,
      EnableAcceptEncodingBrotli: compress,
      HeadersConfig:
        headers.length > 0
          ? { HeaderBehavior: 'whitelist', Headers: { Quantity: headers.length, Items: headers } }
          : { HeaderBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    },
  };
}

function originRequestConfig(
  name: string,
  comment: string,
  headers: OriginRequestPolicyConfig['HeadersConfig'],
  all = false,
): OriginRequestPolicyConfig {
  return {
    Name: name,
    Comment: comment,
    HeadersConfig: headers,
    CookiesConfig: { CookieBehavior: all ? 'all' : 'none' },
    QueryStringsConfig: { QueryStringBehavior: all ? 'all' : 'none' },
  };
}

const whitelist = (...items: string[]) => ({
  HeaderBehavior: 'whitelist' as const,
  Headers: { Quantity: items.length, Items: items },
});

/** AWS's managed policies, with their real ids (cloudfront-facts.md §3). */
export function managedPolicies(): ManagedPolicies {
  const year = 31_536_000;
  return {
    cachePolicies: new Map([
      managed(
        '658327ea-f89d-4fab-a63d-7e88639e58f6',
        cacheConfig(
          'Managed-CachingOptimized',
          'Default policy when CF compression is enabled',
          [1, 86_400, year],
          true,
        ),
      ),
      managed(
        '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        cacheConfig('Managed-CachingDisabled', 'Policy with caching disabled', [0, 0, 0], false),
      ),
      managed(
        'b2884449-e4de-46a7-ac36-70bc7f1ddd6d',
        cacheConfig(
          'Managed-CachingOptimizedForUncompressedObjects',
          'Default policy when compression is disabled',
          [1, 86_400, year],
          false,
        ),
      ),
      managed(
        '08627262-05a9-4f76-9ded-b50ca2e3a84f',
        cacheConfig(
          'Managed-Elemental-MediaPackage',
          'Policy for Elemental MediaPackage Origin',
          [0, 86_400, year],
          true,
          ['origin'],
        ),
      ),
      managed(
        '2e54312d-136d-493c-8eb9-b001f22f67d2',
        cacheConfig('Managed-Amplify', 'Policy for Amplify Origin', [2, 2, year], true, [
          'Authorization',
          'CloudFront-Viewer-Country',
          'Host',
        ]),
      ),
    ]),
    originRequestPolicies: new Map([
      managed(
        '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf',
        originRequestConfig(
          'Managed-CORS-S3Origin',
          'Policy for S3 origin with CORS',
          whitelist('origin', 'access-control-request-headers', 'access-control-request-method'),
        ),
      ),
      managed(
        '59781a5b-3903-41f3-afcb-af62929ccde1',
        originRequestConfig(
          'Managed-CORS-CustomOrigin',
          'Policy for custom origin with CORS',
          whitelist('origin'),
        ),
      ),
      managed(
        '216adef6-5c7f-47e4-b989-5492eafa07d3',
        originRequestConfig(
          'Managed-AllViewer',
          'Policy to forward all parameters in viewer requests',
          { HeaderBehavior: 'allViewer' },
          true,
        ),
      ),
      managed(
        'b689b0a8-53d0-40ab-baf2-68738e2966ac',
        originRequestConfig(
          'Managed-AllViewerExceptHostHeader',
          'Policy to forward all parameters in viewer requests except for the Host header',
          { HeaderBehavior: 'allExcept', Headers: { Quantity: 1, Items: ['host'] } },
          true,
        ),
      ),
      managed(
        'acba4595-bd28-49b8-b9fe-13317c0390fa',
        originRequestConfig(
          'Managed-UserAgentRefererHeaders',
          'Policy to forward user-agent and referer headers to origin',
          whitelist('user-agent', 'referer'),
        ),
      ),
    ]),
    responseHeadersPolicies: new Map([
      managed<ResponseHeadersPolicyConfig>('67f7725c-6f97-4210-82d7-5512b31e9d03', {
        Name: 'Managed-SecurityHeadersPolicy',
        Comment: 'Adds a set of security headers to every response',
        SecurityHeadersConfig: {
          StrictTransportSecurity: {
            Override: false,
            AccessControlMaxAgeSec: year,
            IncludeSubdomains: false,
            Preload: false,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { Override: false, FrameOption: 'SAMEORIGIN' },
          ReferrerPolicy: { Override: false, ReferrerPolicy: 'strict-origin-when-cross-origin' },
          XSSProtection: { Override: false, Protection: true, ModeBlock: true },
        },
      } satisfies ResponseHeadersPolicyConfig),
      managed<ResponseHeadersPolicyConfig>('60669652-455b-4ae9-85a4-c4c02393f86c', {
        Name: 'Managed-SimpleCORS',
        Comment: 'Allows all origins for simple CORS requests',
        CorsConfig: {
          AccessControlAllowOrigins: { Quantity: 1, Items: ['*'] },
          AccessControlAllowHeaders: { Quantity: 1, Items: ['*'] },
          AccessControlAllowMethods: { Quantity: 1, Items: ['ALL'] },
          AccessControlAllowCredentials: false,
          OriginOverride: false,
        },
      } satisfies ResponseHeadersPolicyConfig),
    ]),
  };
}
