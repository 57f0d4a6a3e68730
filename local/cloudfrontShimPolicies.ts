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
import { MANAGED_CACHE_POLICIES, MANAGED_POLICY_IDS } from '../shared/catalogue.js';

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

const clone = <T>(value: T): T => structuredClone(value);

function managed<C>(id: string, config: C): [string, StoredPolicy<C>] {
  return [id, { id, type: 'managed', etag: newEtag(), lastModified: MANAGED_TIME, config }];
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
  const ids = MANAGED_POLICY_IDS;
  return {
    cachePolicies: new Map(
      [...MANAGED_CACHE_POLICIES].map(([id, config]) => managed(id, clone(config))),
    ),
    originRequestPolicies: new Map([
      managed(
        ids.originRequest.corsS3Origin,
        originRequestConfig(
          'Managed-CORS-S3Origin',
          'Policy for S3 origin with CORS',
          whitelist('origin', 'access-control-request-headers', 'access-control-request-method'),
        ),
      ),
      managed(
        ids.originRequest.corsCustomOrigin,
        originRequestConfig(
          'Managed-CORS-CustomOrigin',
          'Policy for custom origin with CORS',
          whitelist('origin'),
        ),
      ),
      managed(
        ids.originRequest.allViewer,
        originRequestConfig(
          'Managed-AllViewer',
          'Policy to forward all parameters in viewer requests',
          { HeaderBehavior: 'allViewer' },
          true,
        ),
      ),
      managed(
        ids.originRequest.allViewerExceptHostHeader,
        originRequestConfig(
          'Managed-AllViewerExceptHostHeader',
          'Policy to forward all parameters in viewer requests except for the Host header',
          { HeaderBehavior: 'allExcept', Headers: { Quantity: 1, Items: ['host'] } },
          true,
        ),
      ),
      managed(
        ids.originRequest.userAgentRefererHeaders,
        originRequestConfig(
          'Managed-UserAgentRefererHeaders',
          'Policy to forward user-agent and referer headers to origin',
          whitelist('user-agent', 'referer'),
        ),
      ),
    ]),
    responseHeadersPolicies: new Map([
      managed<ResponseHeadersPolicyConfig>(ids.responseHeaders.securityHeaders, {
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
      managed<ResponseHeadersPolicyConfig>(ids.responseHeaders.simpleCors, {
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
