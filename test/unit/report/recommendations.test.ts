import type {
  CacheBehavior,
  CachePolicyConfig,
  CustomErrorResponse,
  DefaultCacheBehavior,
  DistributionConfig,
  Origin,
} from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import type { TrafficSummary } from '../../../functions/report/metrics.js';
import {
  THRESHOLDS,
  recommend,
  type RecommendationInput,
} from '../../../functions/report/recommendations.js';
import type { Spend } from '../../../functions/report/spend.js';
import { MANAGED_CACHE_POLICIES, MANAGED_POLICY_IDS } from '../../../shared/catalogue.js';
import { formatBytes } from '../../../shared/text/numbers.js';

const MANAGED = {
  optimized: MANAGED_POLICY_IDS.cache.cachingOptimized,
  disabled: MANAGED_POLICY_IDS.cache.cachingDisabled,
  uncompressed: MANAGED_POLICY_IDS.cache.cachingOptimizedForUncompressedObjects,
} as const;

// ---------------------------------------------------------------------------------------------
// Factories
// ---------------------------------------------------------------------------------------------

/** A healthy, busy distribution with additional metrics on. */
function summary(overrides: Partial<TrafficSummary> = {}): TrafficSummary {
  return {
    distributionId: 'E2EXAMPLE',
    requests: 50_000,
    bytesDownloaded: 2_500_000_000,
    hitRate: 95,
    errorRate4xx: 0.5,
    errorRate5xx: 0.05,
    totalErrorRate: 0.55,
    originLatencyMs: 120,
    additionalMetrics: true,
    periods: 60,
    periodsWithRequests: 60,
    ...overrides,
  };
}

function policy(
  name: string,
  ttls: { min?: number; def: number; max: number },
  key: {
    qs?: 'none' | 'all' | 'whitelist';
    cookies?: 'none' | 'all' | 'whitelist';
    headers?: string[];
    encodings?: boolean;
  } = {},
): CachePolicyConfig {
  return {
    Name: name,
    MinTTL: ttls.min ?? 0,
    DefaultTTL: ttls.def,
    MaxTTL: ttls.max,
    ParametersInCacheKeyAndForwardedToOrigin: {
      EnableAcceptEncodingGzip: key.encodings ?? true,
      EnableAcceptEncodingBrotli: key.encodings ?? true,
      QueryStringsConfig: { QueryStringBehavior: key.qs ?? 'none' },
      CookiesConfig: { CookieBehavior: key.cookies ?? 'none' },
      HeadersConfig: key.headers
        ? {
            HeaderBehavior: 'whitelist',
            Headers: { Quantity: key.headers.length, Items: key.headers },
          }
        : { HeaderBehavior: 'none' },
    },
  };
}

const POLICIES = new Map<string, CachePolicyConfig>([
  ['cp-long', policy('cdnp-x-video', { def: 604_800, max: 31_536_000 })],
  ['cp-hour', policy('cdnp-x-short', { def: 3_600, max: 86_400 })],
  ['cp-max-hour', policy('cdnp-x-maxhour', { def: 86_400, max: 3_600 })],
  ['cp-qs', policy('cdnp-x-qs', { def: 86_400, max: 31_536_000 }, { qs: 'all' })],
  ['cp-cookies', policy('cdnp-x-ck', { def: 86_400, max: 31_536_000 }, { cookies: 'whitelist' })],
  ['cp-origin', policy('cdnp-x-hdr', { def: 86_400, max: 31_536_000 }, { headers: ['Origin'] })],
]);

const S3_ORIGIN: Origin = {
  Id: 's3-content',
  DomainName: 'content.s3.us-east-1.amazonaws.com',
  OriginPath: '',
  S3OriginConfig: { OriginAccessIdentity: '' },
  OriginAccessControlId: 'E3OAC',
};
const API_ORIGIN: Origin = {
  Id: 'api',
  DomainName: 'api.example.com',
  CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
};

const behaviour = (pattern: string, fields: Partial<CacheBehavior> = {}): CacheBehavior => ({
  PathPattern: pattern,
  TargetOriginId: S3_ORIGIN.Id,
  ViewerProtocolPolicy: 'redirect-to-https',
  Compress: true,
  CachePolicyId: 'cp-long',
  ...fields,
});

function config(
  options: {
    defaults?: Partial<DefaultCacheBehavior>;
    behaviours?: CacheBehavior[];
    origins?: Origin[];
    errors?: CustomErrorResponse[];
  } = {},
): DistributionConfig {
  const behaviours = options.behaviours ?? [behaviour('*.mp4', { Compress: false })];
  const errors = options.errors ?? [];
  const origins = options.origins ?? [S3_ORIGIN];
  return {
    CallerReference: 'ref',
    Comment: '',
    Enabled: true,
    Origins: { Quantity: origins.length, Items: origins },
    DefaultCacheBehavior: {
      TargetOriginId: S3_ORIGIN.Id,
      ViewerProtocolPolicy: 'redirect-to-https',
      Compress: true,
      CachePolicyId: MANAGED.optimized,
      ...options.defaults,
    },
    CacheBehaviors: { Quantity: behaviours.length, Items: behaviours },
    CustomErrorResponses: { Quantity: errors.length, Items: errors },
  };
}

const SPEND_OK: Spend = {
  pathsBilled: 400,
  freePaths: 1000,
  billablePaths: 0,
  estimatedUsd: 0,
  projectedPaths: 800,
};

const input = (overrides: Partial<RecommendationInput> = {}): RecommendationInput => ({
  summary: summary(),
  config: config(),
  cachePolicies: POLICIES,
  spend: SPEND_OK,
  ...overrides,
});

// ---------------------------------------------------------------------------------------------
// The table: each recommendation's trigger and non-trigger
// ---------------------------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly input: RecommendationInput;
  /** Exactly the ids recommended, most severe first. */
  readonly ids: readonly string[];
  /** Strings the first recommendation's evidence must contain. */
  readonly evidence?: readonly string[];
  readonly severity?: 'info' | 'warn' | 'critical';
  /** Strings the first recommendation's expected effect must contain. */
  readonly effect?: readonly string[];
}

const cases: Case[] = [
  { name: 'a healthy distribution', input: input(), ids: [] },

  // --- short TTLs on long-lived classes -------------------------------------------------------
  {
    name: 'a *.mp4 behaviour with a 1 h default TTL',
    input: input({
      config: config({
        behaviours: [behaviour('*.mp4', { Compress: false, CachePolicyId: 'cp-hour' })],
      }),
    }),
    ids: ['short-ttl:*.mp4'],
    severity: 'info',
    evidence: [
      '*.mp4',
      'cdnp-x-short',
      'DefaultTTL 3,600 s (1 h)',
      'MaxTTL 86,400 s (1 d)',
      '95.0%',
    ],
    effect: ['604,800 s (7 d)', '168×'],
  },
  {
    name: 'a *.mp4 behaviour with a 1 h maximum TTL, hit rate low',
    input: input({
      summary: summary({ hitRate: 85 }),
      config: config({
        behaviours: [behaviour('*.mp4', { Compress: false, CachePolicyId: 'cp-max-hour' })],
      }),
    }),
    ids: ['short-ttl:*.mp4'],
    evidence: ['MaxTTL 3,600 s (1 h)', 'below 86,400 s (1 d)'],
  },
  {
    name: 'a *.jpg behaviour on the managed CachingDisabled policy',
    input: input({
      config: config({
        behaviours: [behaviour('*.jpg', { Compress: false, CachePolicyId: MANAGED.disabled })],
      }),
    }),
    ids: ['short-ttl:*.jpg'],
    evidence: ['Managed-CachingDisabled', 'DefaultTTL 0 s'],
  },
  {
    name: 'a *.webm behaviour with legacy settings (DefaultTTL 600)',
    input: input({
      config: config({
        behaviours: [
          behaviour('*.webm', {
            Compress: false,
            CachePolicyId: undefined,
            MinTTL: 0,
            DefaultTTL: 600,
            MaxTTL: 600,
            ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
          }),
        ],
      }),
    }),
    ids: ['short-ttl:*.webm'],
    evidence: ['legacy cache settings', 'DefaultTTL 600 s (10 min)'],
  },
  {
    name: 'a *.mp4 behaviour with a 7-day default TTL (no trigger)',
    input: input(),
    ids: [],
  },
  {
    name: 'a *.mp4 behaviour on the managed CachingOptimized policy (1 d, no trigger)',
    input: input({
      config: config({
        behaviours: [behaviour('*.mp4', { Compress: false, CachePolicyId: MANAGED.optimized })],
      }),
    }),
    ids: [],
  },
  {
    name: 'a *.m3u8 manifest behaviour with a 1 h TTL (short on purpose, no trigger)',
    input: input({
      config: config({ behaviours: [behaviour('*.m3u8', { CachePolicyId: 'cp-hour' })] }),
    }),
    ids: [],
  },
  {
    name: 'a *.mp4 behaviour whose cache policy is unknown (never guessed)',
    input: input({
      config: config({
        behaviours: [behaviour('*.mp4', { Compress: false, CachePolicyId: 'cp-unknown' })],
      }),
    }),
    ids: [],
  },

  // --- compression ----------------------------------------------------------------------------
  {
    name: 'the default behaviour with Compress false',
    input: input({ config: config({ defaults: { Compress: false } }) }),
    ids: ['compression-off:*'],
    severity: 'info',
    evidence: ['Compress is false', formatBytes(2_500_000_000), '2.5 GB', '50,000 requests'],
  },
  {
    name: 'a *.json behaviour with Compress false',
    input: input({ config: config({ behaviours: [behaviour('*.json', { Compress: false })] }) }),
    ids: ['compression-off:*.json'],
    severity: 'warn',
    evidence: ['*.json', 'Compress is false'],
    effect: ['EnableAcceptEncodingGzip', 'EnableAcceptEncodingBrotli'],
  },
  {
    name: 'a *.m3u8 behaviour compressing with a policy that leaves Accept-Encoding out',
    input: input({
      config: config({
        behaviours: [behaviour('*.m3u8', { CachePolicyId: MANAGED.uncompressed })],
      }),
    }),
    ids: ['compression-off:*.m3u8'],
    evidence: ['Managed-CachingOptimizedForUncompressedObjects', 'Accept-Encoding'],
  },
  {
    name: 'a *.mp4 behaviour with Compress false (already compressed, no trigger)',
    input: input({ config: config({ behaviours: [behaviour('*.mp4', { Compress: false })] }) }),
    ids: [],
  },
  {
    name: 'a *.json behaviour with compression on (no trigger)',
    input: input({ config: config({ behaviours: [behaviour('*.json')] }) }),
    ids: [],
  },

  // --- cache key on an S3 origin ----------------------------------------------------------------
  {
    name: 'query strings in the cache key of an S3 behaviour',
    input: input({
      config: config({ behaviours: [behaviour('/docs/*', { CachePolicyId: 'cp-qs' })] }),
    }),
    ids: ['cache-key:/docs/*'],
    severity: 'warn',
    evidence: ['query strings (all)', 's3-content', 'cdnp-x-qs', '95.0%'],
  },
  {
    name: 'cookies in the cache key of the default S3 behaviour',
    input: input({ config: config({ defaults: { CachePolicyId: 'cp-cookies' } }) }),
    ids: ['cache-key:*'],
    evidence: ['cookies (whitelist)'],
  },
  {
    name: 'the Origin header in the cache key of an S3 behaviour',
    input: input({
      config: config({ behaviours: [behaviour('/img/*', { CachePolicyId: 'cp-origin' })] }),
    }),
    ids: ['cache-key:/img/*'],
    evidence: ['headers (Origin)'],
    effect: ['response headers policy'],
  },
  {
    name: 'legacy ForwardedValues with QueryString true on an S3 website origin',
    input: input({
      config: config({
        origins: [{ Id: 'site', DomainName: 'content.s3-website-us-east-1.amazonaws.com' }],
        defaults: {
          TargetOriginId: 'site',
          CachePolicyId: undefined,
          DefaultTTL: 86_400,
          MaxTTL: 31_536_000,
          ForwardedValues: { QueryString: true, Cookies: { Forward: 'none' } },
        },
        behaviours: [],
      }),
    }),
    ids: ['cache-key:*'],
    evidence: ['query strings (all)', 'legacy cache settings'],
  },
  {
    name: 'query strings in the cache key of a custom (API) origin (no trigger)',
    input: input({
      config: config({
        origins: [S3_ORIGIN, API_ORIGIN],
        behaviours: [behaviour('/api/*', { TargetOriginId: 'api', CachePolicyId: 'cp-qs' })],
      }),
    }),
    ids: [],
  },

  // --- Origin Shield ------------------------------------------------------------------------------
  {
    name: 'hit rate 62 % with regions unknown',
    input: input({ summary: summary({ hitRate: 62 }), previous: summary({ hitRate: 91.5 }) }),
    ids: ['origin-shield'],
    severity: 'info',
    evidence: [
      '62.0%',
      '80.0%',
      '50,000 requests',
      'previous period 91.5%',
      'regions served unknown',
    ],
  },
  {
    name: 'hit rate 62 % from 8 regions',
    input: input({ summary: summary({ hitRate: 62 }), regionsServed: 8 }),
    ids: ['origin-shield'],
    severity: 'warn',
    evidence: ['8 regions'],
  },
  {
    name: 'hit rate 62 % from 1 region (no trigger)',
    input: input({ summary: summary({ hitRate: 62 }), regionsServed: 1 }),
    ids: [],
  },
  {
    name: 'hit rate 62 % with Origin Shield already on (no trigger)',
    input: input({
      summary: summary({ hitRate: 62 }),
      config: config({
        origins: [
          { ...S3_ORIGIN, OriginShield: { Enabled: true, OriginShieldRegion: 'us-east-1' } },
        ],
      }),
    }),
    ids: [],
  },
  {
    name: 'hit rate exactly 80 % (no trigger)',
    input: input({ summary: summary({ hitRate: 80 }) }),
    ids: [],
  },
  {
    name: 'hit rate 62 % on 999 requests (below the minimum volume, no trigger)',
    input: input({ summary: summary({ hitRate: 62, requests: 999 }) }),
    ids: [],
  },
  {
    name: 'hit rate 62 % without the distribution config (Origin Shield unknown, no trigger)',
    input: input({ summary: summary({ hitRate: 62 }), config: undefined }),
    ids: [],
  },

  // --- 4xx ---------------------------------------------------------------------------------------
  {
    name: '4xx at 7.3 % with the default 10 s error caching',
    input: input({ summary: summary({ errorRate4xx: 7.3 }) }),
    ids: ['high-4xx'],
    severity: 'warn',
    evidence: ['7.3%', '5.0%', '50,000 requests', 'about 3,650 errors', '403: 10 s', '404: 10 s'],
    effect: ['ErrorCachingMinTTL for 403/404', '60 s (1 min)'],
  },
  {
    name: '4xx at 7.3 % with 404 cached 5 minutes',
    input: input({
      summary: summary({ errorRate4xx: 7.3 }),
      config: config({ errors: [{ ErrorCode: 404, ErrorCachingMinTTL: 300 }] }),
    }),
    ids: ['high-4xx'],
    evidence: ['404: 300 s (5 min)', '403: 10 s'],
    effect: ['ErrorCachingMinTTL for 403 to'],
  },
  {
    name: '4xx at 7.3 % without the config',
    input: input({ summary: summary({ errorRate4xx: 7.3 }), config: undefined }),
    ids: ['high-4xx'],
    evidence: ['error caching unknown'],
  },
  {
    name: '4xx at exactly 5 % (no trigger)',
    input: input({ summary: summary({ errorRate4xx: 5 }) }),
    ids: [],
  },
  {
    name: '4xx at 30 % on 500 requests (below the minimum volume, no trigger)',
    input: input({ summary: summary({ errorRate4xx: 30, requests: 500 }) }),
    ids: [],
  },

  // --- 5xx ---------------------------------------------------------------------------------------
  {
    name: '5xx at 2 %',
    input: input({
      summary: summary({ errorRate5xx: 2 }),
      previous: summary({ errorRate5xx: 0.1 }),
    }),
    ids: ['high-5xx'],
    severity: 'warn',
    evidence: ['5xx 2.0%', '1.0%', 'about 1,000 errors', 'previous period 0.10%', '120 ms'],
    effect: ['SourceArn', 'OAC'],
  },
  {
    name: '5xx at 6 % (critical)',
    input: input({ summary: summary({ errorRate5xx: 6 }) }),
    ids: ['high-5xx'],
    severity: 'critical',
    evidence: ['6.0%'],
  },
  {
    name: '5xx at exactly 1 % (no trigger)',
    input: input({ summary: summary({ errorRate5xx: 1 }) }),
    ids: [],
  },

  // --- additional metrics ----------------------------------------------------------------------
  {
    name: 'additional metrics off on a busy distribution',
    input: input({
      summary: summary({
        hitRate: undefined,
        originLatencyMs: undefined,
        additionalMetrics: false,
      }),
    }),
    ids: ['additional-metrics-off'],
    severity: 'info',
    evidence: ['50,000 requests', '60 periods', 'no CacheHitRate'],
    effect: ['create-monitoring-subscription', '--distribution-id E2EXAMPLE', 'up to 8 metrics'],
  },
  {
    name: 'additional metrics off on 999 requests (no trigger)',
    input: input({
      summary: summary({ requests: 999, hitRate: undefined, additionalMetrics: false }),
    }),
    ids: [],
  },

  // --- invalidation spend ------------------------------------------------------------------------
  {
    name: 'invalidation spend above the free tier',
    input: input({
      spend: {
        pathsBilled: 1240,
        freePaths: 1000,
        billablePaths: 240,
        estimatedUsd: 1.2,
        projectedPaths: 2480,
      },
    }),
    ids: ['invalidation-spend'],
    severity: 'warn',
    evidence: ['1,240 paths', '1,000 free', '240 × $0.005', '$1.20', 'projected 2,480'],
    effect: ['versioned keys', 'Cache-Control: public, max-age=31536000, immutable'],
  },
  {
    name: 'invalidation spend projected past the free tier',
    input: input({
      spend: {
        pathsBilled: 600,
        freePaths: 1000,
        billablePaths: 0,
        estimatedUsd: 0,
        projectedPaths: 1500,
      },
    }),
    ids: ['invalidation-spend-projected'],
    severity: 'info',
    evidence: ['600 paths', '1,500 by month end', '500 above', '$2.50'],
    effect: ['immutable'],
  },
  {
    name: 'invalidation spend exactly at the free tier, projection 1 000 (no trigger)',
    input: input({
      spend: {
        pathsBilled: 500,
        freePaths: 1000,
        billablePaths: 0,
        estimatedUsd: 0,
        projectedPaths: 1000,
      },
    }),
    ids: [],
  },
  {
    name: 'invalidation spend early in the month, no projection (no trigger)',
    input: input({
      spend: { pathsBilled: 900, freePaths: 1000, billablePaths: 0, estimatedUsd: 0 },
    }),
    ids: [],
  },

  // --- no data ----------------------------------------------------------------------------------
  {
    name: 'no data at all, whatever the config says',
    input: input({
      summary: summary({
        requests: 0,
        bytesDownloaded: 0,
        hitRate: undefined,
        errorRate4xx: undefined,
        errorRate5xx: undefined,
        totalErrorRate: undefined,
        originLatencyMs: undefined,
        additionalMetrics: false,
        periods: 0,
        periodsWithRequests: 0,
      }),
      config: config({
        defaults: { Compress: false, CachePolicyId: 'cp-qs' },
        behaviours: [behaviour('*.mp4', { Compress: false, CachePolicyId: 'cp-hour' })],
      }),
    }),
    ids: [],
  },

  // --- several at once, most severe first -------------------------------------------------------
  {
    name: 'several problems at once',
    input: input({
      summary: summary({ hitRate: 40, errorRate5xx: 8, errorRate4xx: 12 }),
      config: config({
        behaviours: [behaviour('*.mp4', { Compress: false, CachePolicyId: 'cp-hour' })],
      }),
      spend: { pathsBilled: 1100, freePaths: 1000, billablePaths: 100, estimatedUsd: 0.5 },
    }),
    ids: ['high-5xx', 'invalidation-spend', 'short-ttl:*.mp4', 'high-4xx', 'origin-shield'],
    severity: 'critical',
  },
];

describe('recommend', () => {
  describe.each(cases)('$name', (c) => {
    const result = recommend(c.input);

    it(`returns ${c.ids.length ? c.ids.join(', ') : 'nothing'}`, () => {
      expect(result.map((r) => r.id)).toEqual(c.ids);
    });

    if (c.ids.length > 0) {
      it('has a title, evidence with the numbers, and an expected effect', () => {
        const first = result[0]!;
        if (c.severity) expect(first.severity).toBe(c.severity);
        for (const r of result) {
          expect(r.title.length).toBeGreaterThan(0);
          expect(r.evidence).toMatch(/\d/);
          expect(r.expectedEffect.length).toBeGreaterThan(20);
        }
        for (const s of c.evidence ?? []) expect(first.evidence).toContain(s);
        for (const s of c.effect ?? []) expect(first.expectedEffect).toContain(s);
      });
    }
  });

  it('returns nothing for a spend-less empty summary', () => {
    expect(
      recommend({ summary: summary({ requests: 0, periods: 0, periodsWithRequests: 0 }) }),
    ).toEqual([]);
  });

  it('keeps its thresholds named', () => {
    expect(THRESHOLDS).toMatchObject({
      minRequests: 1000,
      lowHitRatePercent: 80,
      high4xxPercent: 5,
      high5xxPercent: 1,
      shortTtlSeconds: 86_400,
    });
    expect(MANAGED_CACHE_POLICIES.get(MANAGED.optimized)?.DefaultTTL).toBe(86_400);
  });
});
