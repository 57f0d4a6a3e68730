import { describe, expect, it } from 'vitest';
import {
  behaviourPlan,
  bucketCorsRule,
  cachePolicyConfigs,
  CORS_S3_ORIGIN_REQUEST_POLICY_ID,
  originAccessControlConfig,
  originRequestPolicyId,
  POLICY_NAME,
  responseHeadersPolicyConfig,
} from '../../../functions/provision/policies.js';
import { parseDistributionSpec } from '../../../shared/distributionSpec.js';

const spec = (extra: Record<string, unknown> = {}) =>
  parseDistributionSpec({ bucket: 'my-content', ...extra });
const CORS = { cors: { allowOrigins: ['https://app.example.com', 'https://admin.example.com'] } };

describe('cachePolicyConfigs', () => {
  it('returns default, video, streaming and streaming-uncompressed policies when the spec has the defaults', () => {
    expect(
      cachePolicyConfigs(spec()).map((p) => [
        p.name,
        p.contentClass,
        p.config.DefaultTTL,
        p.config.ParametersInCacheKeyAndForwardedToOrigin?.EnableAcceptEncodingGzip,
      ]),
    ).toEqual([
      ['cdnp-my-content-default', 'default', 86_400, true],
      ['cdnp-my-content-video', 'video', 604_800, false],
      ['cdnp-my-content-streaming', 'streaming', 3600, true],
      ['cdnp-my-content-streaming-uncompressed', 'streaming', 3600, false],
    ]);
  });

  it.each([
    ['the defaults', {}],
    [
      'a 40-character name and a 32-character class',
      {
        name: 'n'.repeat(40),
        contentClasses: { ['c'.repeat(32)]: { extensions: ['.glb', '.zip'], cacheClass: 'video' } },
      },
    ],
    [
      'CORS and custom TTLs',
      { ...CORS, contentClasses: { video: { minTtl: 60, defaultTtl: 600, maxTtl: 6000 } } },
    ],
  ])(
    'returns valid names of at most 128 characters and ordered TTLs when given %s',
    (_title, extra) => {
      const policies = cachePolicyConfigs(spec(extra));
      expect(policies.length).toBeGreaterThan(0);
      for (const { name, config } of policies) {
        expect(name).toMatch(POLICY_NAME);
        expect(name.length).toBeLessThanOrEqual(128);
        expect(config.Name).toBe(name);
        expect(config.MinTTL!).toBeLessThanOrEqual(config.DefaultTTL!);
        expect(config.DefaultTTL!).toBeLessThanOrEqual(config.MaxTTL!);
      }
      expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
    },
  );

  it('returns a cache key with no query strings, cookies or headers', () => {
    for (const { config } of cachePolicyConfigs(spec())) {
      const params = config.ParametersInCacheKeyAndForwardedToOrigin!;
      expect(params.QueryStringsConfig).toEqual({ QueryStringBehavior: 'none' });
      expect(params.CookiesConfig).toEqual({ CookieBehavior: 'none' });
      expect(params.HeadersConfig).toEqual({ HeaderBehavior: 'none' });
      expect(params.EnableAcceptEncodingBrotli).toBe(params.EnableAcceptEncodingGzip);
    }
  });

  it('returns custom TTLs on the class policy when the class overrides them', () => {
    const video = cachePolicyConfigs(
      spec({ contentClasses: { video: { minTtl: 60, defaultTtl: 600, maxTtl: 6000 } } }),
    ).find((p) => p.name === 'cdnp-my-content-video');
    expect(video?.config).toMatchObject({ MinTTL: 60, DefaultTTL: 600, MaxTTL: 6000 });
  });

  it('returns no Accept-Encoding in the key when every TTL is 0 (CloudFront rejects it)', () => {
    const [policy] = cachePolicyConfigs(
      spec({ contentClasses: { default: { defaultTtl: 0, maxTtl: 0 } } }),
    );
    expect(policy?.config).toMatchObject({ MinTTL: 0, DefaultTTL: 0, MaxTTL: 0 });
    expect(policy?.config.ParametersInCacheKeyAndForwardedToOrigin?.EnableAcceptEncodingGzip).toBe(
      false,
    );
  });

  it('returns one shared policy when two classes need the same TTLs and compression', () => {
    const policies = cachePolicyConfigs(
      spec({ contentClasses: { document: { extensions: ['.pdf', '.html'] } } }),
    );
    expect(policies.map((p) => p.name)).not.toContain('cdnp-my-content-document');
    const plan = behaviourPlan(spec({ contentClasses: { document: { extensions: ['.pdf'] } } }));
    expect(plan.behaviours.find((b) => b.pathPattern === '*.pdf')?.cachePolicyName).toBe(
      'cdnp-my-content-default',
    );
  });
});

describe('behaviourPlan', () => {
  it('returns one behaviour per extension with the compression decided per extension', () => {
    const plan = behaviourPlan(spec());
    expect(plan.defaultBehaviour).toEqual({
      pathPattern: undefined,
      contentClass: 'default',
      compress: true,
      cachePolicyName: 'cdnp-my-content-default',
    });
    expect(plan.behaviours.map((b) => [b.pathPattern, b.compress, b.cachePolicyName])).toEqual([
      ['*.mp4', false, 'cdnp-my-content-video'],
      ['*.mov', false, 'cdnp-my-content-video'],
      ['*.webm', false, 'cdnp-my-content-video'],
      ['*.mkv', false, 'cdnp-my-content-video'],
      ['*.m3u8', true, 'cdnp-my-content-streaming'],
      ['*.mpd', true, 'cdnp-my-content-streaming'],
      ['*.ts', false, 'cdnp-my-content-streaming-uncompressed'],
      ['*.m4s', false, 'cdnp-my-content-streaming-uncompressed'],
      ['*.aac', false, 'cdnp-my-content-streaming-uncompressed'],
    ]);
  });

  it('returns the same policy names whatever the order of a class’s extensions', () => {
    const names = (extensions: string[]) =>
      behaviourPlan(spec({ contentClasses: { streaming: { extensions } } })).policies.map(
        (p) => p.name,
      );
    expect(names(['.ts', '.m3u8'])).toEqual(names(['.m3u8', '.ts']));
  });
});

describe('responseHeadersPolicyConfig', () => {
  it('returns the security headers, each overriding the origin, when CORS is off', () => {
    const { name, config } = responseHeadersPolicyConfig(spec());
    expect(name).toBe('cdnp-my-content-headers');
    expect(name).toMatch(POLICY_NAME);
    expect(config.Name).toBe(name);
    expect(config.SecurityHeadersConfig).toEqual({
      StrictTransportSecurity: {
        Override: true,
        AccessControlMaxAgeSec: 63_072_000,
        IncludeSubdomains: true,
        Preload: false,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { Override: true, FrameOption: 'DENY' },
      ReferrerPolicy: { Override: true, ReferrerPolicy: 'strict-origin-when-cross-origin' },
      XSSProtection: { Override: true, Protection: true, ModeBlock: true },
    });
    expect(config.CorsConfig).toBeUndefined();
  });

  it('returns the configured HSTS, frame and referrer values when given', () => {
    const { config } = responseHeadersPolicyConfig(
      spec({
        headers: {
          hsts: { maxAgeSeconds: 31_536_000, preload: true },
          frameOptions: 'SAMEORIGIN',
          referrerPolicy: 'no-referrer',
        },
      }),
    );
    expect(config.SecurityHeadersConfig?.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 31_536_000,
      Preload: true,
    });
    expect(config.SecurityHeadersConfig?.FrameOptions?.FrameOption).toBe('SAMEORIGIN');
    expect(config.SecurityHeadersConfig?.ReferrerPolicy?.ReferrerPolicy).toBe('no-referrer');
  });

  it('returns CORS headers with consistent Quantity/Items when origins are allowed', () => {
    const { config } = responseHeadersPolicyConfig(
      spec({ cors: { ...CORS.cors, exposeHeaders: ['Content-Range'], maxAgeSeconds: 600 } }),
    );
    expect(config.CorsConfig).toEqual({
      AccessControlAllowOrigins: {
        Quantity: 2,
        Items: ['https://app.example.com', 'https://admin.example.com'],
      },
      AccessControlAllowMethods: { Quantity: 3, Items: ['GET', 'HEAD', 'OPTIONS'] },
      AccessControlAllowHeaders: { Quantity: 1, Items: ['*'] },
      AccessControlAllowCredentials: false,
      AccessControlExposeHeaders: { Quantity: 1, Items: ['Content-Range'] },
      AccessControlMaxAgeSec: 600,
      OriginOverride: true,
    });
  });

  it('returns no expose-headers list when none is configured', () => {
    const { config } = responseHeadersPolicyConfig(spec({ cors: { allowOrigins: ['*'] } }));
    expect(config.CorsConfig?.AccessControlAllowOrigins).toEqual({ Quantity: 1, Items: ['*'] });
    expect(config.CorsConfig?.AccessControlExposeHeaders).toBeUndefined();
  });
});

describe('originAccessControlConfig', () => {
  it('returns an S3 OAC that always signs with SigV4', () => {
    expect(originAccessControlConfig(spec())).toEqual({
      Name: 'cdnp-my-content-oac',
      Description: 'cdn-pipeline my-content: CloudFront reads s3://my-content',
      SigningProtocol: 'sigv4',
      SigningBehavior: 'always',
      OriginAccessControlOriginType: 's3',
    });
  });

  it('returns a name of at most 64 characters when the name is 40 characters', () => {
    expect(
      originAccessControlConfig(spec({ name: 'n'.repeat(40) })).Name!.length,
    ).toBeLessThanOrEqual(64);
  });
});

describe('CORS at the origin', () => {
  it('returns no origin-request policy and no bucket rule when CORS is off', () => {
    expect(originRequestPolicyId(spec())).toBeUndefined();
    expect(bucketCorsRule(spec())).toBeUndefined();
  });

  it('returns the managed CORS-S3Origin policy when CORS is on', () => {
    expect(originRequestPolicyId(spec(CORS))).toBe('88a5eaf4-2fd4-4709-b370-b4c650ea3fcf');
    expect(CORS_S3_ORIGIN_REQUEST_POLICY_ID).toBe('88a5eaf4-2fd4-4709-b370-b4c650ea3fcf');
  });

  it('returns a bucket CORS rule mirroring the spec, without OPTIONS, when CORS is on', () => {
    expect(bucketCorsRule(spec(CORS))).toEqual({
      ID: 'cdnp-my-content',
      AllowedOrigins: ['https://app.example.com', 'https://admin.example.com'],
      AllowedMethods: ['GET', 'HEAD'],
      AllowedHeaders: ['*'],
      MaxAgeSeconds: 86_400,
    });
  });
});
