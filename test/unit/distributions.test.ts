import { describe, expect, it } from 'vitest';
import {
  bucketFromOriginDomain,
  bucketOriginsOf,
  matchesPathPattern,
  servedPaths,
  type BucketOrigin,
} from '../../shared/distributions.js';

describe('bucketFromOriginDomain', () => {
  it.each([
    ['my-content.s3.amazonaws.com', 'my-content'],
    ['my-content.s3.eu-west-1.amazonaws.com', 'my-content'],
    ['my-content.s3-eu-west-1.amazonaws.com', 'my-content'],
    ['my.dotted.bucket.s3.us-east-1.amazonaws.com', 'my.dotted.bucket'],
    ['my-content.s3.dualstack.us-east-1.amazonaws.com', 'my-content'],
    ['my-content.s3.cn-north-1.amazonaws.com.cn', 'my-content'],
    ['my-content.s3-website-us-east-1.amazonaws.com', undefined],
    ['my-content.s3-website.eu-west-1.amazonaws.com', undefined],
    ['api.example.com', undefined],
  ])('reads %s as bucket %s', (domain, bucket) => {
    expect(bucketFromOriginDomain(domain)).toBe(bucket);
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

  it('also invalidates / for the default root object', () => {
    const withRoot = { ...distribution, DefaultRootObject: 'index.html' };
    const [origin] = bucketOriginsOf(withRoot as never, 'my-content');
    expect(servedPaths(origin!, 'index.html')).toEqual(['/index.html', '/']);
    expect(servedPaths(origin!, 'docs/index.html')).toEqual(['/docs/index.html']);
  });
});
