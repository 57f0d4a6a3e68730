import { describe, expect, it } from 'vitest';
import {
  bucketFromOriginDomain,
  bucketOriginsOf,
  matchesPathPattern,
  servedInvalidations,
  servedPaths,
  type BucketOrigin,
} from '../../shared/distributions.js';

describe('bucketFromOriginDomain', () => {
  // Every S3 REST endpoint form (docs.aws.amazon.com/general/latest/gr/s3.html: regional, legacy
  // dash-region, dual-stack, FIPS, China's .amazonaws.com.cn), for bucket names with dots and
  // names that themselves contain ".s3." or an endpoint-looking label.
  it.each([
    ['my-content.s3.amazonaws.com', 'my-content'],
    ['my-content.s3.eu-west-1.amazonaws.com', 'my-content'],
    ['my-content.s3-eu-west-1.amazonaws.com', 'my-content'],
    ['bkt.s3-us-west-2.amazonaws.com', 'bkt'],
    ['bkt.s3.us-west-2.amazonaws.com', 'bkt'],
    ['my.dotted.bucket.s3.us-east-1.amazonaws.com', 'my.dotted.bucket'],
    ['my-content.s3.dualstack.us-east-1.amazonaws.com', 'my-content'],
    ['bkt.s3.dualstack.eu-west-1.amazonaws.com', 'bkt'],
    ['bkt.s3-fips.us-east-1.amazonaws.com', 'bkt'],
    ['bkt.s3-fips.dualstack.us-gov-west-1.amazonaws.com', 'bkt'],
    ['bkt.s3-external-1.amazonaws.com', 'bkt'],
    ['bkt.s3.us-gov-west-1.amazonaws.com', 'bkt'],
    ['my-content.s3.cn-north-1.amazonaws.com.cn', 'my-content'],
    ['bkt.s3.dualstack.cn-northwest-1.amazonaws.com.cn', 'bkt'],
    ['my.s3.logs.s3.amazonaws.com', 'my.s3.logs'],
    ['my.s3.logs.s3.us-west-2.amazonaws.com', 'my.s3.logs'],
    ['my.s3.logs.s3-us-west-2.amazonaws.com', 'my.s3.logs'],
    ['my.s3.logs.s3.dualstack.eu-west-1.amazonaws.com', 'my.s3.logs'],
    ['logs.s3.eu-west-1.s3.eu-west-1.amazonaws.com', 'logs.s3.eu-west-1'],
    ['a.s3-fips.s3.amazonaws.com', 'a.s3-fips'],
    ['x.s3.dualstack.s3.cn-north-1.amazonaws.com.cn', 'x.s3.dualstack'],
    ['site.s3-website.s3.amazonaws.com', 'site.s3-website'],
    ['My-Content.S3.EU-WEST-1.AmazonAWS.com', 'my-content'],
  ])('reads %s as bucket %s', (domain, bucket) => {
    expect(bucketFromOriginDomain(domain)).toBe(bucket);
  });

  // Website endpoints are custom origins (no OAC): they are not the bucket's REST origin.
  it.each([
    ['my-content.s3-website-us-east-1.amazonaws.com'],
    ['my-content.s3-website.eu-west-1.amazonaws.com'],
    ['my-content.s3-website.cn-north-1.amazonaws.com.cn'],
    ['my.s3.logs.s3-website-us-east-1.amazonaws.com'],
    ['my.s3.logs.s3-website.eu-west-1.amazonaws.com'],
  ])('does not read website endpoint %s as an S3 REST origin', (domain) => {
    expect(bucketFromOriginDomain(domain)).toBeUndefined();
  });

  it.each([
    ['api.example.com'],
    ['s3.amazonaws.com'],
    ['s3.us-east-1.amazonaws.com'],
    ['my-content.s3.amazonaws.com.example.com'],
    ['my-content.s3.example.com'],
    ['my-content.s3.not-a-region.amazonaws.com'],
    ['ab.s3.amazonaws.com'],
    ['a..b.s3.amazonaws.com'],
    ['-bucket.s3.amazonaws.com'],
    ['bucket_name.s3.amazonaws.com'],
    ['192.168.5.4.s3.amazonaws.com'],
  ])('names no bucket for %s (not an S3 REST endpoint, or not a valid bucket name)', (domain) => {
    expect(bucketFromOriginDomain(domain)).toBeUndefined();
  });
});

describe('matchesPathPattern', () => {
  it.each([
    ['*', '/anything/at/all', true],
    ['*.mp4', '/videos/a.mp4', true],
    ['*.mp4', '/videos/a.MP4', false],
    ['/images/*', '/images/a/b.png', true],
    ['images/*', '/images/a.png', true],
    ['images/*', '/other/images/a.png', false],
    ['images/?.png', '/images/a.png', true],
    ['images/?.png', '/images/ab.png', false],
    ['a+b/*', '/a+b/c', true],
    ['(x)/*', '/(x)/c', true],
  ])('pattern %s matches %s: %s', (pattern, path, expected) => {
    expect(matchesPathPattern(pattern, path)).toBe(expected);
  });
});

const distribution = {
  Id: 'E2EXAMPLE',
  ARN: 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE',
  DomainName: 'd111111abcdef8.cloudfront.net',
  Enabled: true,
  Origins: {
    Quantity: 3,
    Items: [
      { Id: 'content', DomainName: 'my-content.s3.us-east-1.amazonaws.com', OriginPath: '' },
      {
        Id: 'content-prod',
        DomainName: 'my-content.s3.us-east-1.amazonaws.com',
        OriginPath: '/prod',
      },
      { Id: 'api', DomainName: 'api.example.com', OriginPath: '' },
    ],
  },
  DefaultCacheBehavior: { TargetOriginId: 'content' },
  CacheBehaviors: {
    Quantity: 2,
    Items: [
      { PathPattern: '/api/*', TargetOriginId: 'api' },
      { PathPattern: '/live/*', TargetOriginId: 'content-prod' },
    ],
  },
} as const;

describe('bucketOriginsOf', () => {
  it('returns every origin that reads from the bucket, with routes in precedence order', () => {
    const origins = bucketOriginsOf(distribution as never, 'my-content');
    expect(origins.map((o) => [o.originId, o.originPath])).toEqual([
      ['content', ''],
      ['content-prod', '/prod'],
    ]);
    expect(origins[0]!.routes.map((r) => r.pathPattern)).toEqual(['/api/*', '/live/*', '*']);
  });

  it('returns nothing for another bucket or a disabled distribution', () => {
    expect(bucketOriginsOf(distribution as never, 'other-bucket')).toEqual([]);
    expect(bucketOriginsOf({ ...distribution, Enabled: false } as never, 'my-content')).toEqual([]);
  });
});

describe('bucketOriginsOf with bucket names that look like endpoints', () => {
  it.each([['my.s3.logs'], ['logs.s3.eu-west-1'], ['x.s3-fips']])(
    'attributes the origin of bucket %s to it, and to no shorter name',
    (bucket) => {
      const shorter = bucket.split('.')[0]!;
      const d = {
        ...distribution,
        Origins: {
          Quantity: 1,
          Items: [{ Id: 'content', DomainName: `${bucket}.s3.eu-west-1.amazonaws.com` }],
        },
      };
      expect(bucketOriginsOf(d as never, bucket).map((o) => o.originId)).toEqual(['content']);
      expect(bucketOriginsOf(d as never, shorter)).toEqual([]);
    },
  );
});

describe('servedPaths', () => {
  const [root, prod] = bucketOriginsOf(distribution as never, 'my-content') as [
    BucketOrigin,
    BucketOrigin,
  ];

  it.each([
    ['videos/a b.mp4', ['/videos/a%20b.mp4'], []],
    ['api/x.json', [], []],
    ['prod/live/i.m3u8', ['/prod/live/i.m3u8'], ['/live/i.m3u8']],
    ['live/i.m3u8', [], []],
    ['prod/other.png', ['/prod/other.png'], []],
  ])(
    'key %s is served by the root origin at %j and the /prod origin at %j',
    (key, viaRoot, viaProd) => {
      expect(servedPaths(root, key)).toEqual(viaRoot);
      expect(servedPaths(prod, key)).toEqual(viaProd);
    },
  );

  it('reaches an origin through an origin group (failover) a behaviour targets', () => {
    const grouped = {
      ...distribution,
      OriginGroups: {
        Quantity: 1,
        Items: [
          {
            Id: 'failover',
            Members: { Quantity: 2, Items: [{ OriginId: 'content' }, { OriginId: 'api' }] },
          },
        ],
      },
      DefaultCacheBehavior: { TargetOriginId: 'failover' },
    };
    const [member] = bucketOriginsOf(grouped as never, 'my-content');
    expect(member!.groupIds).toEqual(['failover']);
    expect(servedPaths(member!, 'a.png')).toEqual(['/a.png']);
  });

  it('invalidates a key CloudFront cannot name exactly with its bounded superset', () => {
    expect(servedPaths(root, 'static/runtime~main.js')).toEqual(['/static/runtime*']);
    expect(servedInvalidations(root, 'static/runtime~main.js')).toEqual([
      {
        kind: 'superset-wildcard',
        path: '/static/runtime*',
        keyPrefix: 'static/runtime',
        reason: expect.stringMatching(/"~"/),
      },
    ]);
    expect(servedPaths(prod, 'prod/live/seg~1.ts')).toEqual(['/live/seg*']);
  });

  it('never sends /* for a root key starting with "*": servedInvalidations says why instead', () => {
    expect(servedPaths(root, '*banner.png')).toEqual([]);
    expect(servedInvalidations(root, '*banner.png')).toEqual([
      { kind: 'unexpressible', reason: expect.stringMatching(/only \/\* would cover it/) },
    ]);
    expect(servedInvalidations(root, 'api/x.json')).toEqual([]);
  });

  it('also invalidates / for the default root object', () => {
    const withRoot = { ...distribution, DefaultRootObject: 'index.html' };
    const [origin] = bucketOriginsOf(withRoot as never, 'my-content');
    expect(servedPaths(origin!, 'index.html')).toEqual(['/index.html', '/']);
    expect(servedInvalidations(origin!, 'index.html')).toEqual([
      { kind: 'exact', path: '/index.html' },
      { kind: 'exact', path: '/' },
    ]);
    expect(servedPaths(origin!, 'docs/index.html')).toEqual(['/docs/index.html']);
  });
});
