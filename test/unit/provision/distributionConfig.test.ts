import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import {
  configDiff,
  managedTags,
  mergeForUpdate,
  sameConfig,
  specCallerReference,
  toDistributionConfig,
  type DistributionRefs,
} from '../../../functions/provision/distributionConfig.js';
import { cachePolicyConfigs } from '../../../functions/provision/policies.js';
import { parseDistributionSpec, type DistributionSpec } from '../../../shared/distributionSpec.js';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const WAF =
  'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

const spec = (extra: Record<string, unknown> = {}) =>
  parseDistributionSpec({ bucket: 'my-content', ...extra });

function refsFor(s: DistributionSpec, extra: Partial<DistributionRefs> = {}): DistributionRefs {
  return {
    callerReference: specCallerReference(s),
    originAccessControlId: 'E2OACID',
    cachePolicyIds: Object.fromEntries(cachePolicyConfigs(s).map((p) => [p.name, `id-${p.name}`])),
    responseHeadersPolicyId: 'rhp-id',
    ...extra,
  };
}

const build = (extra: Record<string, unknown> = {}) => {
  const s = spec(extra);
  return toDistributionConfig(s, refsFor(s));
};

/**
 * Every `{ Quantity, Items }` must agree: Quantity equals the number of Items, or is 0 when
 * Items is left out. Returns the paths where they do not.
 */
function quantityProblems(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => quantityProblems(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  if ('Quantity' in record || 'Items' in record) {
    const { Quantity, Items } = record;
    if (typeof Quantity !== 'number') problems.push(`${path}: Items without a numeric Quantity`);
    else if (Items === undefined && Quantity !== 0) problems.push(`${path}: ${Quantity}, no Items`);
    else if (Items !== undefined && (!Array.isArray(Items) || Items.length !== Quantity)) {
      problems.push(`${path}: Quantity ${Quantity} but Items ${JSON.stringify(Items)}`);
    }
  }
  for (const [key, child] of Object.entries(record)) {
    problems.push(...quantityProblems(child, `${path}.${key}`));
  }
  return problems;
}

const FULL = {
  aliases: ['cdn.example.com', 'media.example.com'],
  certificateArn: CERT,
  priceClass: 'PriceClass_All',
  geo: { type: 'block', countries: ['RU', 'BY'] },
  cors: { allowOrigins: ['https://app.example.com'], exposeHeaders: ['Content-Range'] },
  errors: [{ code: 404, responsePagePath: '/404.html' }, { code: 403 }],
  logging: { bucket: 'my-logs', prefix: 'cf/' },
  webAclArn: WAF,
  defaultRootObject: 'index.html',
  contentClasses: { model: { extensions: ['.glb'] } },
};

describe('quantityProblems (the checker itself)', () => {
  it('returns the path when Quantity and Items disagree', () => {
    expect(quantityProblems({ A: { B: { Quantity: 2, Items: ['x'] } } })).toEqual([
      '$.A.B: Quantity 2 but Items ["x"]',
    ]);
    expect(quantityProblems({ A: { Quantity: 1 } })).toEqual(['$.A: 1, no Items']);
  });
});

describe('toDistributionConfig', () => {
  it.each([
    ['the defaults', {}],
    ['every option', FULL],
    ['geo allow', { geo: { type: 'allow', countries: ['US'] } }],
    ['no errors and logging off', { errors: [] }],
  ])('returns consistent Quantity/Items everywhere when given %s', (_title, extra) => {
    expect(quantityProblems(build(extra))).toEqual([]);
  });

  it('returns one S3 origin read through OAC with an empty OAI', () => {
    const config = build({ originPath: 'prod', bucketRegion: 'eu-west-1' });
    expect(config.Origins).toEqual({
      Quantity: 1,
      Items: [
        {
          Id: 's3-my-content',
          DomainName: 'my-content.s3.eu-west-1.amazonaws.com',
          OriginPath: '/prod',
          CustomHeaders: { Quantity: 0 },
          S3OriginConfig: { OriginAccessIdentity: '' },
          OriginAccessControlId: 'E2OACID',
        },
      ],
    });
  });

  it('returns the default behaviour with the default policy, compressed', () => {
    const b = build().DefaultCacheBehavior!;
    expect(b).toMatchObject({
      TargetOriginId: 's3-my-content',
      ViewerProtocolPolicy: 'redirect-to-https',
      Compress: true,
      CachePolicyId: 'id-cdnp-my-content-default',
      ResponseHeadersPolicyId: 'rhp-id',
    });
    expect(b.OriginRequestPolicyId).toBeUndefined();
  });

  it.each([
    ['*.mp4', false, 'id-cdnp-my-content-video'],
    ['*.mov', false, 'id-cdnp-my-content-video'],
    ['*.webm', false, 'id-cdnp-my-content-video'],
    ['*.mkv', false, 'id-cdnp-my-content-video'],
    ['*.m3u8', true, 'id-cdnp-my-content-streaming'],
    ['*.mpd', true, 'id-cdnp-my-content-streaming'],
    ['*.ts', false, 'id-cdnp-my-content-streaming-uncompressed'],
    ['*.m4s', false, 'id-cdnp-my-content-streaming-uncompressed'],
    ['*.aac', false, 'id-cdnp-my-content-streaming-uncompressed'],
  ])('returns a behaviour for %s with Compress %s and policy %s', (pattern, compress, policy) => {
    const behaviour = build().CacheBehaviors?.Items?.find((b) => b.PathPattern === pattern);
    expect(behaviour).toMatchObject({
      TargetOriginId: 's3-my-content',
      Compress: compress,
      CachePolicyId: policy,
      ResponseHeadersPolicyId: 'rhp-id',
    });
  });

  it('returns redirect-to-https, GET/HEAD/OPTIONS and cached GET/HEAD on every behaviour', () => {
    const config = build(FULL);
    const all = [config.DefaultCacheBehavior!, ...(config.CacheBehaviors?.Items ?? [])];
    expect(all).toHaveLength(11);
    for (const b of all) {
      expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(b.AllowedMethods).toEqual({
        Quantity: 3,
        Items: ['GET', 'HEAD', 'OPTIONS'],
        CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] },
      });
      expect(b.TrustedKeyGroups).toEqual({ Enabled: false, Quantity: 0 });
      expect(b.OriginRequestPolicyId).toBe('88a5eaf4-2fd4-4709-b370-b4c650ea3fcf');
    }
  });

  it('returns the origin-request policy given in refs, or none when refs says undefined', () => {
    const s = spec({ cors: { allowOrigins: ['*'] } });
    const own = toDistributionConfig(s, refsFor(s, { originRequestPolicyId: 'own-orp' }));
    expect(own.DefaultCacheBehavior?.OriginRequestPolicyId).toBe('own-orp');
    const none = toDistributionConfig(s, refsFor(s, { originRequestPolicyId: undefined }));
    expect(none.DefaultCacheBehavior?.OriginRequestPolicyId).toBeUndefined();
  });

  it('returns aliases with an SNI ACM certificate and TLS 1.2_2021 when aliases are set', () => {
    const config = build(FULL);
    expect(config.Aliases).toEqual({
      Quantity: 2,
      Items: ['cdn.example.com', 'media.example.com'],
    });
    expect(config.ViewerCertificate).toEqual({
      ACMCertificateArn: CERT,
      SSLSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      CloudFrontDefaultCertificate: false,
    });
  });

  it('returns the default certificate and no aliases when none are set', () => {
    const config = build();
    expect(config.Aliases).toEqual({ Quantity: 0 });
    expect(config.ViewerCertificate).toEqual({ CloudFrontDefaultCertificate: true });
  });

  it.each([
    [{ type: 'none' }, { RestrictionType: 'none', Quantity: 0 }],
    [
      { type: 'allow', countries: ['us', 'CA'] },
      { RestrictionType: 'whitelist', Quantity: 2, Items: ['CA', 'US'] },
    ],
    [
      { type: 'block', countries: ['RU'] },
      { RestrictionType: 'blacklist', Quantity: 1, Items: ['RU'] },
    ],
  ])('returns the geo restriction %j as %j', (geo, expected) => {
    expect(build({ geo }).Restrictions).toEqual({ GeoRestriction: expected });
  });

  it('returns 403 and 404 cached 10 s without pages by default', () => {
    expect(build().CustomErrorResponses).toEqual({
      Quantity: 2,
      Items: [
        { ErrorCode: 403, ErrorCachingMinTTL: 10 },
        { ErrorCode: 404, ErrorCachingMinTTL: 10 },
      ],
    });
  });

  it('returns error pages with a string ResponseCode (the error code unless given)', () => {
    const config = build({
      errors: [
        { code: 404, responsePagePath: '/404.html', cachingMinTtl: 60 },
        { code: 403, responsePagePath: '/index.html', responseCode: '200', cachingMinTtl: 0 },
      ],
    });
    expect(config.CustomErrorResponses?.Items).toEqual([
      {
        ErrorCode: 404,
        ErrorCachingMinTTL: 60,
        ResponsePagePath: '/404.html',
        ResponseCode: '404',
      },
      {
        ErrorCode: 403,
        ErrorCachingMinTTL: 0,
        ResponsePagePath: '/index.html',
        ResponseCode: '200',
      },
    ]);
  });

  it('returns no custom error responses when errors is empty', () => {
    expect(build({ errors: [] }).CustomErrorResponses).toEqual({ Quantity: 0 });
  });

  it.each([
    [{}, { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' }],
    [
      { logging: { bucket: 'my-logs', prefix: 'cf/' } },
      { Enabled: true, IncludeCookies: false, Bucket: 'my-logs.s3.amazonaws.com', Prefix: 'cf/' },
    ],
  ])('returns the full logging shape when given %j', (extra, expected) => {
    expect(build(extra).Logging).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>, Partial<DistributionConfig>]>([
    [
      'the defaults',
      {},
      {
        PriceClass: 'PriceClass_100',
        HttpVersion: 'http2and3',
        IsIPV6Enabled: true,
        WebACLId: '',
        DefaultRootObject: '',
        Enabled: true,
        Comment: 'cdn-pipeline my-content: s3://my-content',
      },
    ],
    ['price class All', { priceClass: 'PriceClass_All' }, { PriceClass: 'PriceClass_All' }],
    ['price class 200', { priceClass: 'PriceClass_200' }, { PriceClass: 'PriceClass_200' }],
    ['HTTP/2 only', { httpVersion: 'http2' }, { HttpVersion: 'http2' }],
    ['IPv6 off', { ipv6: false }, { IsIPV6Enabled: false }],
    ['a web ACL', { webAclArn: WAF }, { WebACLId: WAF }],
    ['a root object', { defaultRootObject: 'index.html' }, { DefaultRootObject: 'index.html' }],
    ['disabled', { enabled: false }, { Enabled: false }],
    ['a comment', { comment: 'media for the app' }, { Comment: 'media for the app' }],
  ])('returns the top-level fields when given %s', (_title, extra, expected) => {
    expect(build(extra)).toMatchObject(expected);
  });

  it('returns a comment of at most 128 characters when the generated one would be longer', () => {
    expect(
      build({ name: 'n'.repeat(40), originPath: `/${'p'.repeat(120)}` }).Comment!.length,
    ).toBeLessThanOrEqual(128);
  });

  it('returns the refs caller reference', () => {
    const s = spec();
    expect(toDistributionConfig(s, refsFor(s, { callerReference: 'given' })).CallerReference).toBe(
      'given',
    );
  });

  it('throws naming the policy when a cache policy id is missing from refs', () => {
    const s = spec();
    expect(() =>
      toDistributionConfig(s, refsFor(s, { cachePolicyIds: { 'cdnp-my-content-default': 'x' } })),
    ).toThrow(/cachePolicyIds\.cdnp-my-content-video: is missing/);
  });
});

describe('managedTags', () => {
  it('returns the managed, bucket and name tags, then the user tags', () => {
    expect(managedTags(spec({ name: 'media', tags: { team: 'video' } }))).toEqual([
      { Key: 'cdn-pipeline:managed', Value: 'true' },
      { Key: 'cdn-pipeline:bucket', Value: 'my-content' },
      { Key: 'cdn-pipeline:name', Value: 'media' },
      { Key: 'team', Value: 'video' },
    ]);
  });

  it('returns a stage tag when a stage is given', () => {
    expect(managedTags(spec(), 'prod')).toContainEqual({
      Key: 'cdn-pipeline:stage',
      Value: 'prod',
    });
  });
});

describe('specCallerReference', () => {
  it('returns cdnp- and 40 hex characters, the same for the same bucket and name', () => {
    const ref = specCallerReference(spec());
    expect(ref).toMatch(/^cdnp-[0-9a-f]{40}$/);
    expect(specCallerReference(spec({ priceClass: 'PriceClass_All', aliases: [] }))).toBe(ref);
  });

  it.each([
    ['another bucket', { bucket: 'other-content' }],
    ['another name', { name: 'second' }],
  ])('returns a different reference for %s', (_title, extra) => {
    expect(specCallerReference(spec(extra))).not.toBe(specCallerReference(spec()));
  });

  it('returns distinct references when bucket and name would concatenate alike', () => {
    expect(specCallerReference({ bucket: 'ab-c', name: 'd' })).not.toBe(
      specCallerReference({ bucket: 'ab', name: 'c-d' }),
    );
  });
});

/** What GetDistributionConfig answers for `config`: CloudFront's defaults filled in, lists reordered. */
function asCloudFrontReturnsIt(config: DistributionConfig): DistributionConfig {
  const copy = structuredClone(config);
  const withLegacy = <T extends object>(b: T) => ({
    ...b,
    MinTTL: 0,
    DefaultTTL: 86_400,
    MaxTTL: 31_536_000,
    GrpcConfig: { Enabled: false },
    RealtimeLogConfigArn: '',
  });
  return {
    ...copy,
    CallerReference: 'cdnp-some-older-reference',
    OriginGroups: { Quantity: 0 },
    ContinuousDeploymentPolicyId: '',
    Staging: false,
    Aliases: {
      Quantity: copy.Aliases!.Quantity,
      ...(copy.Aliases?.Items ? { Items: [...copy.Aliases.Items].reverse() } : {}),
    },
    Origins: {
      Quantity: 1,
      Items: copy.Origins!.Items!.map((o) => ({
        ...o,
        ConnectionAttempts: 3,
        ConnectionTimeout: 10,
        OriginShield: { Enabled: false },
      })),
    },
    DefaultCacheBehavior: withLegacy(copy.DefaultCacheBehavior!),
    CacheBehaviors: {
      Quantity: copy.CacheBehaviors!.Quantity,
      Items: copy.CacheBehaviors!.Items!.map(withLegacy),
    },
    CustomErrorResponses: {
      Quantity: copy.CustomErrorResponses!.Quantity,
      Items: [...(copy.CustomErrorResponses!.Items ?? [])].reverse(),
    },
    ViewerCertificate: copy.ViewerCertificate?.CloudFrontDefaultCertificate
      ? {
          CloudFrontDefaultCertificate: true,
          SSLSupportMethod: 'vip',
          MinimumProtocolVersion: 'TLSv1',
          CertificateSource: 'cloudfront',
        }
      : { ...copy.ViewerCertificate, Certificate: CERT, CertificateSource: 'acm' },
  };
}

describe('configDiff', () => {
  it.each([
    ['the defaults', {}],
    ['every option', FULL],
  ])('returns nothing when CloudFront echoes %s with its own defaults', (_title, extra) => {
    const desired = build(extra);
    expect(configDiff(asCloudFrontReturnsIt(desired), desired)).toEqual([]);
    expect(sameConfig(asCloudFrontReturnsIt(desired), desired)).toBe(true);
  });

  it('returns nothing when logging is off and CloudFront kept an old bucket', () => {
    const desired = build();
    const current = {
      ...desired,
      Logging: {
        Enabled: false,
        IncludeCookies: false,
        Bucket: 'old.s3.amazonaws.com',
        Prefix: 'x/',
      },
    };
    expect(configDiff(current, desired)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['a changed price class', {}, { priceClass: 'PriceClass_All' }, ['PriceClass']],
    [
      'an added alias',
      FULL,
      { ...FULL, aliases: [...FULL.aliases, 'img.example.com'] },
      ['Aliases'],
    ],
    [
      'aliases added (certificate too)',
      {},
      { aliases: ['cdn.example.com'], certificateArn: CERT },
      ['Aliases', 'ViewerCertificate'],
    ],
    ['a geo list', {}, { geo: { type: 'block', countries: ['RU'] } }, ['Restrictions']],
    ['logging turned on', {}, { logging: { bucket: 'my-logs' } }, ['Logging']],
    ['HTTP/2 only', {}, { httpVersion: 'http2' }, ['HttpVersion']],
    ['a disabled distribution', {}, { enabled: false }, ['Enabled']],
    ['a removed root object', { defaultRootObject: 'index.html' }, {}, ['DefaultRootObject']],
    ['a removed web ACL', { webAclArn: WAF }, {}, ['WebACLId']],
    [
      'a class turned off',
      {},
      { contentClasses: { streaming: { enabled: false } } },
      ['CacheBehaviors'],
    ],
    [
      'compression turned off for the default',
      {},
      { contentClasses: { default: { compress: false } } },
      ['DefaultCacheBehavior'],
    ],
    [
      'a new error page',
      {},
      { errors: [{ code: 404, responsePagePath: '/404.html' }] },
      ['CustomErrorResponses'],
    ],
  ])('returns the changed field when given %s', (_title, before, after, expected) => {
    const current = asCloudFrontReturnsIt(build(before));
    expect(configDiff(current, build(after))).toEqual(expected);
    expect(sameConfig(current, build(after))).toBe(false);
  });

  it('returns nothing for fields the desired config does not set', () => {
    const desired = build();
    const current = {
      ...asCloudFrontReturnsIt(desired),
      Staging: true,
      ContinuousDeploymentPolicyId: 'cdp-1',
    };
    expect(configDiff(current, desired)).toEqual([]);
  });

  it('returns the behaviours when their order changes (order is precedence)', () => {
    const desired = build();
    const items = [...desired.CacheBehaviors!.Items!].reverse();
    const current = { ...desired, CacheBehaviors: { Quantity: items.length, Items: items } };
    expect(configDiff(current, desired)).toEqual(['CacheBehaviors']);
  });
});

describe('mergeForUpdate', () => {
  it('returns the desired config with the current CallerReference and unmanaged fields kept', () => {
    const desired = build({ priceClass: 'PriceClass_All' });
    const current = {
      ...asCloudFrontReturnsIt(build()),
      ContinuousDeploymentPolicyId: 'cdp-1',
      Staging: false,
    };
    const merged = mergeForUpdate(current, desired);
    expect(merged.CallerReference).toBe('cdnp-some-older-reference');
    expect(merged.PriceClass).toBe('PriceClass_All');
    expect(merged.ContinuousDeploymentPolicyId).toBe('cdp-1');
    expect(merged.Origins).toEqual(desired.Origins);
    expect(configDiff(merged, desired)).toEqual([]);
    expect(quantityProblems(merged)).toEqual([]);
  });
});
