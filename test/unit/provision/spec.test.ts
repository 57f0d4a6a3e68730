import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../shared/errors.js';
import {
  bucketNameProblem,
  deriveName,
  fieldName,
  hostnameProblem,
  ISO_COUNTRY_CODES,
  parseDistributionSpec,
  type DistributionSpec,
} from '../../../shared/distributionSpec.js';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const WAF =
  'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

const parse = (extra: Record<string, unknown> = {}) =>
  parseDistributionSpec({ bucket: 'my-content', ...extra });

/** The InvalidInputError a spec raises (the test fails when it raises none). */
function rejection(input: unknown): InvalidInputError {
  try {
    parseDistributionSpec(input);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

describe('parseDistributionSpec defaults', () => {
  const spec = parse();
  it.each<[string, (s: DistributionSpec) => unknown, unknown]>([
    ['bucketRegion us-east-1', (s) => s.bucketRegion, 'us-east-1'],
    [
      'the regional S3 REST origin domain',
      (s) => s.originDomain,
      'my-content.s3.us-east-1.amazonaws.com',
    ],
    ['no origin path', (s) => s.originPath, ''],
    ['a name derived from the bucket', (s) => s.name, 'my-content'],
    ['no aliases', (s) => s.aliases, []],
    ['no certificate', (s) => s.certificateArn, undefined],
    ['PriceClass_100', (s) => s.priceClass, 'PriceClass_100'],
    ['no geo restriction', (s) => s.geo, { type: 'none', countries: [] }],
    [
      'HSTS for two years with subdomains, no preload',
      (s) => s.headers.hsts,
      { maxAgeSeconds: 63_072_000, includeSubdomains: true, preload: false },
    ],
    ['frame options DENY', (s) => s.headers.frameOptions, 'DENY'],
    [
      'strict-origin-when-cross-origin',
      (s) => s.headers.referrerPolicy,
      'strict-origin-when-cross-origin',
    ],
    ['no CORS', (s) => s.cors, undefined],
    [
      '403 and 404 cached 10 s without a page',
      (s) => s.errors,
      [
        { code: 403, cachingMinTtl: 10 },
        { code: 404, cachingMinTtl: 10 },
      ],
    ],
    ['no logging', (s) => s.logging, undefined],
    ['no additional metrics', (s) => s.additionalMetrics, false],
    ['no web ACL', (s) => s.webAclArn, undefined],
    ['enabled', (s) => s.enabled, true],
    ['HTTP/2 and HTTP/3', (s) => s.httpVersion, 'http2and3'],
    ['IPv6 on', (s) => s.ipv6, true],
    ['no default root object', (s) => s.defaultRootObject, undefined],
    ['a generated comment', (s) => s.comment, 'cdn-pipeline my-content: s3://my-content'],
    ['no user tags', (s) => s.tags, {}],
    [
      'a 24 h compressed default behaviour',
      (s) => s.defaultBehavior,
      { minTtl: 0, defaultTtl: 86_400, maxTtl: 31_536_000, compress: true },
    ],
  ])('returns %s when the field is not given', (_title, get, expected) => {
    expect(get(spec)).toEqual(expected);
  });

  it('returns video (7 days, uncompressed) and streaming (1 hour, manifests compressed) classes', () => {
    expect(spec.contentClasses).toEqual([
      {
        name: 'video',
        extensions: ['.mp4', '.mov', '.webm', '.mkv'],
        minTtl: 0,
        defaultTtl: 604_800,
        maxTtl: 31_536_000,
        compress: [],
      },
      {
        name: 'streaming',
        extensions: ['.m3u8', '.mpd', '.ts', '.m4s', '.aac'],
        minTtl: 0,
        defaultTtl: 3600,
        maxTtl: 31_536_000,
        compress: ['.m3u8', '.mpd'],
      },
    ]);
  });
});

describe('parseDistributionSpec normalisation', () => {
  it.each<[string, Record<string, unknown>, (s: DistributionSpec) => unknown, unknown]>([
    [
      'lower-cased aliases',
      { aliases: ['CDN.Example.COM'], certificateArn: CERT },
      (s) => s.aliases,
      ['cdn.example.com'],
    ],
    [
      'a wildcard alias',
      { aliases: ['*.example.com'], certificateArn: CERT },
      (s) => s.aliases,
      ['*.example.com'],
    ],
    [
      'upper-cased, sorted, distinct countries',
      { geo: { type: 'block', countries: ['ru', 'BY', 'ru'] } },
      (s) => s.geo.countries,
      ['BY', 'RU'],
    ],
    [
      'an origin path with one leading slash',
      { originPath: 'prod/' },
      (s) => s.originPath,
      '/prod',
    ],
    [
      'the origin domain of another region',
      { bucketRegion: 'eu-west-1' },
      (s) => s.originDomain,
      'my-content.s3.eu-west-1.amazonaws.com',
    ],
    [
      'the logging bucket as its domain',
      { logging: { bucket: 'my-logs' } },
      (s) => s.logging,
      { bucket: 'my-logs.s3.amazonaws.com', prefix: '', includeCookies: false },
    ],
    [
      'a logging domain kept as it is',
      { logging: { bucket: 'my-logs.s3.amazonaws.com', prefix: '/cf/' } },
      (s) => s.logging,
      { bucket: 'my-logs.s3.amazonaws.com', prefix: 'cf/', includeCookies: false },
    ],
    ['the name given', { name: 'Media_01' }, (s) => s.name, 'Media_01'],
    ['the comment given', { comment: 'hello' }, (s) => s.comment, 'hello'],
    [
      'CORS with its defaults',
      { cors: { allowOrigins: ['https://app.example.com'] } },
      (s) => s.cors,
      {
        allowOrigins: ['https://app.example.com'],
        allowMethods: ['GET', 'HEAD', 'OPTIONS'],
        allowHeaders: ['*'],
        exposeHeaders: [],
        maxAgeSeconds: 86_400,
      },
    ],
    ['a "*" CORS origin', { cors: { allowOrigins: ['*'] } }, (s) => s.cors?.allowOrigins, ['*']],
    ['no custom errors when given []', { errors: [] }, (s) => s.errors, []],
    [
      'an error page',
      { errors: [{ code: 404, responsePagePath: '/404.html', responseCode: '404' }] },
      (s) => s.errors,
      [{ code: 404, cachingMinTtl: 10, responsePagePath: '/404.html', responseCode: '404' }],
    ],
    ['user tags', { tags: { team: 'media' } }, (s) => s.tags, { team: 'media' }],
  ])('returns %s', (_title, extra, get, expected) => {
    expect(get(parse(extra))).toEqual(expected);
  });

  it('returns a name with dots replaced when the bucket has dots', () => {
    expect(parseDistributionSpec({ bucket: 'media.example.com' }).name).toBe('media-example-com');
  });

  it('returns a comment of at most 128 characters when the bucket and origin path are long', () => {
    const spec = parseDistributionSpec({
      bucket: 'b'.repeat(63),
      originPath: `/${'p'.repeat(100)}`,
    });
    expect(spec.comment.length).toBeLessThanOrEqual(128);
    expect(spec.comment).toMatch(/\.\.\.$/);
  });
});

describe('deriveName', () => {
  it('returns the bucket name when it is a valid label of at most 40 characters', () => {
    expect(deriveName('my-content')).toBe('my-content');
  });

  it('returns 40 characters, distinct per bucket, when the bucket name is longer', () => {
    const a = deriveName(`${'a'.repeat(50)}-one`);
    const b = deriveName(`${'a'.repeat(50)}-two`);
    expect(a).toHaveLength(40);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
  });
});

describe('content classes', () => {
  it('returns overridden TTLs and keeps the built-in extensions when only TTLs are given', () => {
    const spec = parse({ contentClasses: { video: { defaultTtl: 2_592_000, maxTtl: 2_592_000 } } });
    expect(spec.contentClasses[0]).toMatchObject({
      name: 'video',
      extensions: ['.mp4', '.mov', '.webm', '.mkv'],
      minTtl: 0,
      defaultTtl: 2_592_000,
      maxTtl: 2_592_000,
    });
  });

  it('returns a maxTtl that is at least the defaultTtl when only defaultTtl is given', () => {
    const spec = parse({ contentClasses: { video: { defaultTtl: 40_000_000 } } });
    expect(spec.contentClasses[0]?.maxTtl).toBe(40_000_000);
  });

  it('returns no streaming class when it is disabled', () => {
    const spec = parse({ contentClasses: { streaming: { enabled: false } } });
    expect(spec.contentClasses.map((c) => c.name)).toEqual(['video']);
  });

  it('returns a custom class after the built-in ones, extensions lower-cased', () => {
    const spec = parse({
      contentClasses: { model: { extensions: ['.GLB', '.gltf'], cacheClass: 'video' } },
    });
    expect(spec.contentClasses[2]).toEqual({
      name: 'model',
      extensions: ['.glb', '.gltf'],
      minTtl: 0,
      defaultTtl: 604_800,
      maxTtl: 31_536_000,
      compress: ['.glb', '.gltf'],
    });
  });

  it('returns the built-in image extensions with only .svg compressed when image is named', () => {
    const spec = parse({ contentClasses: { image: { defaultTtl: 604_800 } } });
    const image = spec.contentClasses.find((c) => c.name === 'image');
    expect(image?.extensions).toContain('.png');
    expect(image?.compress).toEqual(['.svg']);
  });

  it.each<[unknown, string[]]>([
    [true, ['.mp4', '.mov', '.webm', '.mkv']],
    [false, []],
    [['.webm'], ['.webm']],
  ])('returns compress %j as the extensions %j', (compress, expected) => {
    expect(parse({ contentClasses: { video: { compress } } }).contentClasses[0]?.compress).toEqual(
      expected,
    );
  });

  it('returns a default behaviour without compression when asked', () => {
    expect(
      parse({ contentClasses: { default: { compress: false } } }).defaultBehavior.compress,
    ).toBe(false);
  });
});

describe('parseDistributionSpec rejects bad input naming the field', () => {
  const manyExtensions = Array.from({ length: 17 }, (_, i) => `.x${i}`);
  it.each<[string, unknown, string, RegExp]>([
    // The issue's "Bad input" list.
    [
      'an unknown price class',
      { bucket: 'b-1', priceClass: 'PriceClass_50' },
      'priceClass',
      /must be one of PriceClass_100, PriceClass_200, PriceClass_All \(got "PriceClass_50"\)/,
    ],
    [
      'a certificate outside us-east-1',
      {
        bucket: 'b-1',
        aliases: ['cdn.example.com'],
        certificateArn: CERT.replace('us-east-1', 'eu-west-1'),
      },
      'certificateArn',
      /^certificateArn: CloudFront only uses ACM certificates from us-east-1 \(N\. Virginia\); this one is in eu-west-1$/,
    ],
    [
      'an alias that is not a hostname',
      { bucket: 'b-1', aliases: ['cdn.example.com', 'not a host'], certificateArn: CERT },
      'aliases[1]',
      /"not a host" is not a hostname/,
    ],
    [
      'an alias with an underscore',
      { bucket: 'b-1', aliases: ['cdn_1.example.com'], certificateArn: CERT },
      'aliases[0]',
      /letters, digits and hyphens/,
    ],
    [
      'an alias with a leading hyphen label',
      { bucket: 'b-1', aliases: ['-cdn.example.com'], certificateArn: CERT },
      'aliases[0]',
      /starts or ends with a hyphen/,
    ],
    [
      'a single-label alias',
      { bucket: 'b-1', aliases: ['localhost'], certificateArn: CERT },
      'aliases[0]',
      /fully qualified/,
    ],
    [
      'an inner wildcard alias',
      { bucket: 'b-1', aliases: ['cdn.*.example.com'], certificateArn: CERT },
      'aliases[0]',
      /whole first label/,
    ],
    [
      'an alias label over 63 characters',
      { bucket: 'b-1', aliases: [`${'a'.repeat(64)}.example.com`], certificateArn: CERT },
      'aliases[0]',
      /longer than 63/,
    ],
    [
      'a duplicate alias',
      { bucket: 'b-1', aliases: ['cdn.example.com', 'CDN.example.com'], certificateArn: CERT },
      'aliases[1]',
      /repeats aliases\[0\]/,
    ],
    [
      'a geo code that is not ISO',
      { bucket: 'b-1', geo: { type: 'block', countries: ['US', 'FR', 'ZZ'] } },
      'geo.countries[2]',
      /"ZZ" is not an ISO 3166-1 alpha-2 country code/,
    ],
    [
      'UK instead of GB',
      { bucket: 'b-1', geo: { type: 'allow', countries: ['UK'] } },
      'geo.countries[0]',
      /the United Kingdom is GB/,
    ],
    [
      'Kosovo (XK)',
      { bucket: 'b-1', geo: { type: 'allow', countries: ['XK'] } },
      'geo.countries[0]',
      /user-assigned/,
    ],
    [
      'a certificate without aliases',
      { bucket: 'b-1', certificateArn: CERT },
      'aliases',
      /certificate without aliases is never used/,
    ],
    [
      'aliases without a certificate',
      { bucket: 'b-1', aliases: ['cdn.example.com'] },
      'certificateArn',
      /is required when aliases are set.*cdn\.example\.com/,
    ],
    [
      'an error page path without "/"',
      { bucket: 'b-1', errors: [{ code: 404, responsePagePath: '404.html' }] },
      'errors[0].responsePagePath',
      /must start with "\/"/,
    ],
    [
      'minTtl above defaultTtl',
      { bucket: 'b-1', contentClasses: { video: { minTtl: 700_000 } } },
      'contentClasses.video.minTtl',
      /minTtl \(700000 s\) is above defaultTtl \(604800 s\)/,
    ],
    [
      'maxTtl below defaultTtl',
      { bucket: 'b-1', contentClasses: { streaming: { maxTtl: 60 } } },
      'contentClasses.streaming.maxTtl',
      /maxTtl \(60 s\) is below defaultTtl \(3600 s\)/,
    ],
    [
      'default behaviour TTLs out of order',
      { bucket: 'b-1', contentClasses: { default: { minTtl: 10, defaultTtl: 5 } } },
      'contentClasses.default.minTtl',
      /minTtl ≤ defaultTtl ≤ maxTtl/,
    ],
    // The rest of the spec.
    ['a missing bucket', {}, 'bucket', /is required/],
    ['a spec that is not an object', 'my-content', 'spec', /must be an object/],
    ['an upper-case bucket', { bucket: 'My-Content' }, 'bucket', /lower-case letters/],
    ['an IP-shaped bucket', { bucket: '192.168.1.1' }, 'bucket', /IP address/],
    ['a bucket with ".."', { bucket: 'a..b' }, 'bucket', /adjacent dots/],
    ['a bad region', { bucket: 'b-1', bucketRegion: 'Ireland' }, 'bucketRegion', /AWS region/],
    [
      'an origin path with "?"',
      { bucket: 'b-1', originPath: '/a?b' },
      'originPath',
      /URL path characters/,
    ],
    ['a name with a dot', { bucket: 'b-1', name: 'a.b' }, 'name', /letters, digits, "-" or "_"/],
    ['a name over 40 characters', { bucket: 'b-1', name: 'n'.repeat(41) }, 'name', /1 to 40/],
    [
      'a malformed certificate ARN',
      {
        bucket: 'b-1',
        aliases: ['cdn.example.com'],
        certificateArn: 'arn:aws:iam::123456789012:server-certificate/x',
      },
      'certificateArn',
      /not an ACM certificate ARN/,
    ],
    [
      'an unknown geo type',
      { bucket: 'b-1', geo: { type: 'deny', countries: ['US'] } },
      'geo.type',
      /none, allow, block/,
    ],
    [
      'an allow list without countries',
      { bucket: 'b-1', geo: { type: 'allow' } },
      'geo.countries',
      /at least one country when geo.type is "allow"/,
    ],
    [
      'countries with type none',
      { bucket: 'b-1', geo: { countries: ['US'] } },
      'geo.countries',
      /must be empty when geo.type is "none"/,
    ],
    [
      'an unknown field',
      { bucket: 'b-1', priceclass: 'PriceClass_All' },
      'priceclass',
      /not a field/,
    ],
    [
      'an unknown nested field',
      { bucket: 'b-1', headers: { hsts: { maxAge: 1 } } },
      'headers.hsts.maxAge',
      /not a field/,
    ],
    [
      'a negative TTL',
      { bucket: 'b-1', contentClasses: { video: { defaultTtl: -1 } } },
      'contentClasses.video.defaultTtl',
      /≥ 0/,
    ],
    [
      'a fractional TTL',
      { bucket: 'b-1', contentClasses: { video: { maxTtl: 1.5 } } },
      'contentClasses.video.maxTtl',
      /whole number/,
    ],
    [
      'a bad extension',
      { bucket: 'b-1', contentClasses: { video: { extensions: ['mp4'] } } },
      'contentClasses.video.extensions[0]',
      /must look like ".mp4"/,
    ],
    [
      'a bad compress extension',
      { bucket: 'b-1', contentClasses: { video: { compress: ['mp4'] } } },
      'contentClasses.video.compress[0]',
      /must look like ".mp4"/,
    ],
    [
      'a compress extension outside the class',
      { bucket: 'b-1', contentClasses: { video: { compress: ['.m3u8'] } } },
      'contentClasses.video.compress[0]',
      /not one of this class's extensions/,
    ],
    [
      'a custom class without extensions',
      { bucket: 'b-1', contentClasses: { model: { defaultTtl: 60 } } },
      'contentClasses.model.extensions',
      /required for a class that is not built in/,
    ],
    [
      'an upper-case class name',
      { bucket: 'b-1', contentClasses: { Model: { extensions: ['.glb'] } } },
      'contentClasses.Model',
      /lower-case/,
    ],
    [
      'a class name ending in -uncompressed',
      { bucket: 'b-1', contentClasses: { 'x-uncompressed': { extensions: ['.glb'] } } },
      'contentClasses.x-uncompressed',
      /must not end in "-uncompressed"/,
    ],
    [
      'an extension in two classes',
      { bucket: 'b-1', contentClasses: { clips: { extensions: ['.gif', '.mp4'] } } },
      'contentClasses.clips.extensions[1]',
      /\.mp4 is already in class "video"/,
    ],
    [
      'more than 25 cache behaviours',
      { bucket: 'b-1', contentClasses: { many: { extensions: manyExtensions } } },
      'contentClasses',
      /need 26 cache behaviours.*allows 25/,
    ],
    [
      'an unknown frame option',
      { bucket: 'b-1', headers: { frameOptions: 'ALLOW' } },
      'headers.frameOptions',
      /DENY, SAMEORIGIN/,
    ],
    [
      'an unknown referrer policy',
      { bucket: 'b-1', headers: { referrerPolicy: 'never' } },
      'headers.referrerPolicy',
      /strict-origin-when-cross-origin/,
    ],
    [
      'HSTS preload without subdomains',
      { bucket: 'b-1', headers: { hsts: { preload: true, includeSubdomains: false } } },
      'headers.hsts.preload',
      /includeSubdomains/,
    ],
    [
      'an http CORS origin',
      { bucket: 'b-1', cors: { allowOrigins: ['http://app.example.com'] } },
      'cors.allowOrigins[0]',
      /https:\/\/host/,
    ],
    [
      'a CORS origin with a path',
      { bucket: 'b-1', cors: { allowOrigins: ['https://app.example.com/'] } },
      'cors.allowOrigins[0]',
      /no path/,
    ],
    [
      '"*" beside other origins',
      { bucket: 'b-1', cors: { allowOrigins: ['https://a.example.com', '*'] } },
      'cors.allowOrigins[1]',
      /use it alone/,
    ],
    [
      'a CORS method outside GET/HEAD/OPTIONS',
      { bucket: 'b-1', cors: { allowOrigins: ['*'], allowMethods: ['POST'] } },
      'cors.allowMethods[0]',
      /GET, HEAD, OPTIONS/,
    ],
    [
      'CORS with OPTIONS only',
      { bucket: 'b-1', cors: { allowOrigins: ['*'], allowMethods: ['OPTIONS'] } },
      'cors.allowMethods',
      /GET or HEAD/,
    ],
    [
      'a bad CORS header name',
      { bucket: 'b-1', cors: { allowOrigins: ['*'], allowHeaders: ['x y'] } },
      'cors.allowHeaders[0]',
      /header name/,
    ],
    [
      'an error code other than 403/404',
      { bucket: 'b-1', errors: [{ code: 500 }] },
      'errors[0].code',
      /must be 403 or 404 \(got 500\)/,
    ],
    [
      'a duplicate error code',
      { bucket: 'b-1', errors: [{ code: 404 }, { code: 404 }] },
      'errors[1].code',
      /already configured in errors\[0\]/,
    ],
    [
      'a response code without a page',
      { bucket: 'b-1', errors: [{ code: 403, responseCode: '200' }] },
      'errors[0].responseCode',
      /needs responsePagePath/,
    ],
    [
      'a response code as a number',
      { bucket: 'b-1', errors: [{ code: 403, responsePagePath: '/x', responseCode: 200 }] },
      'errors[0].responseCode',
      /"200", "403", "404"|200, 403, 404/,
    ],
    [
      'an error caching TTL over a year',
      { bucket: 'b-1', errors: [{ code: 403, cachingMinTtl: 31_536_001 }] },
      'errors[0].cachingMinTtl',
      /one year/,
    ],
    [
      'a bad logging bucket',
      { bucket: 'b-1', logging: { bucket: 'Logs!' } },
      'logging.bucket',
      /not a bucket name/,
    ],
    [
      'logging into the content bucket',
      { bucket: 'b-1', logging: { bucket: 'b-1.s3.amazonaws.com' } },
      'logging.bucket',
      /must not be the content bucket/,
    ],
    [
      'a regional web ACL',
      {
        bucket: 'b-1',
        webAclArn: WAF.replace('us-east-1', 'eu-west-1').replace('global', 'regional'),
      },
      'webAclArn',
      /regional web ACL.*scope CLOUDFRONT/,
    ],
    [
      'a WAF Classic id',
      { bucket: 'b-1', webAclArn: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' },
      'webAclArn',
      /WAFv2 global web ACL ARN/,
    ],
    [
      'a comment over 128 characters',
      { bucket: 'b-1', comment: 'c'.repeat(129) },
      'comment',
      /at most 128/,
    ],
    [
      'a default root object with "/"',
      { bucket: 'b-1', defaultRootObject: '/index.html' },
      'defaultRootObject',
      /must not start with "\/"/,
    ],
    [
      'an unknown HTTP version',
      { bucket: 'b-1', httpVersion: 'http4' },
      'httpVersion',
      /http2and3/,
    ],
    [
      'a non-boolean flag',
      { bucket: 'b-1', ipv6: 'yes' },
      'ipv6',
      /must be a boolean \(got "yes"\)/,
    ],
    [
      'a reserved tag key',
      { bucket: 'b-1', tags: { 'cdn-pipeline:managed': 'false' } },
      'tags.cdn-pipeline:managed',
      /reserved/,
    ],
    [
      'a tag value over 256 characters',
      { bucket: 'b-1', tags: { team: 'v'.repeat(257) } },
      'tags.team',
      /at most 256/,
    ],
    [
      'more than 46 user tags',
      {
        bucket: 'b-1',
        tags: Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v'])),
      },
      'tags',
      /at most 46/,
    ],
  ])('throws naming the field when given %s', (_title, input, field, message) => {
    const error = rejection(input);
    expect(error.name).toBe('InvalidInputError');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });
});

describe('validators', () => {
  it.each([
    ['my-content', undefined],
    ['media.example.com', undefined],
    ['ab', /3 to 63/],
    ['a'.repeat(64), /3 to 63/],
    ['-abc', /start and end/],
    ['abc.', /start and end/],
    ['my_bucket', /lower-case/],
    ['xn--abc', /reserves/],
    ['abc-s3alias', /reserves/],
  ])('bucketNameProblem returns %j → %s', (name, expected) => {
    const why = bucketNameProblem(name);
    if (expected === undefined) expect(why).toBeUndefined();
    else expect(why).toMatch(expected);
  });

  it.each([
    ['cdn.example.com', undefined],
    ['*.example.com', undefined],
    ['xn--bcher-kva.example', undefined],
    ['a'.repeat(63) + '.com', undefined],
    [`${'a.'.repeat(126)}com`, /253/],
    ['cdn.example.com.', /end with a dot/],
    ['10.0.0.1', /IP address/],
    ['cdn..example.com', /empty label/],
    ['*', /fully qualified/],
  ])('hostnameProblem returns %j → %s', (host, expected) => {
    const why = hostnameProblem(host);
    if (expected === undefined) expect(why).toBeUndefined();
    else expect(why).toMatch(expected);
  });

  it.each<[PropertyKey[], string]>([
    [[], 'spec'],
    [['bucket'], 'bucket'],
    [['aliases', 0], 'aliases[0]'],
    [['geo', 'countries', 2], 'geo.countries[2]'],
    [['errors', 1, 'responsePagePath'], 'errors[1].responsePagePath'],
  ])('fieldName returns %j as %s', (path, expected) => {
    expect(fieldName(path)).toBe(expected);
  });
});

describe('ISO_COUNTRY_CODES', () => {
  it('returns the 249 assigned codes, upper-case, without XK', () => {
    expect(ISO_COUNTRY_CODES.size).toBe(249);
    for (const code of ISO_COUNTRY_CODES) expect(code).toMatch(/^[A-Z]{2}$/);
    for (const code of ['US', 'GB', 'DE', 'JP', 'BR', 'AX', 'SS', 'BQ']) {
      expect(ISO_COUNTRY_CODES.has(code)).toBe(true);
    }
    for (const code of ['XK', 'UK', 'EU', 'EL', 'AN'])
      expect(ISO_COUNTRY_CODES.has(code)).toBe(false);
  });
});
