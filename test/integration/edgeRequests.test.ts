/**
 * One edge location's answers (local/edge/handleRequest.ts) against the emulator's S3, on a clock
 * the test moves: TTLs from Cache-Control held and expired, revalidation (RefreshHit), cached
 * errors held for their error-caching TTL and cleared by an invalidation, compression, viewer
 * conditional requests, origin path and key decoding, cache tags, an origin that does not
 * answer.
 */
import type { CachePolicyConfig } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequestId } from '../../local/edge/cloudfrontErrors.js';
import { EdgeCache } from '../../local/edge/EdgeCache.js';
import type { EdgeBehaviour, EdgeDistribution } from '../../local/edge/edgeDistributions.js';
import { handleEdgeRequest, type EdgeDeps } from '../../local/edge/handleRequest.js';
import { freePort } from '../../local/emulator.js';
import { MANAGED_CACHE_POLICIES, MANAGED_POLICY_IDS } from '../../shared/catalogue.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';

const BUCKET = 'edge-requests';
const T0 = Date.parse('2026-12-02T00:00:00Z');
let emu: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);
afterAll(() => emu?.stop());

const put = (Key: string, Body: string, extra: Record<string, unknown> = {}) =>
  emu.clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ...extra }));

const optimized = MANAGED_CACHE_POLICIES.get(MANAGED_POLICY_IDS.cache.cachingOptimized)!;
const disabled = MANAGED_CACHE_POLICIES.get(MANAGED_POLICY_IDS.cache.cachingDisabled)!;

function behaviour(
  pathPattern: string,
  cachePolicy: CachePolicyConfig,
  compress = false,
): EdgeBehaviour {
  return {
    pathPattern,
    targetOriginId: 's3',
    compress,
    allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
    cachedMethods: ['GET', 'HEAD'],
    cachePolicy,
  };
}

function distribution(over: Partial<EdgeDistribution> = {}): EdgeDistribution {
  return {
    id: 'E2EDGEREQUESTS',
    domainName: 'd111111abcdef8.cloudfront.net',
    aliases: [],
    enabled: true,
    behaviours: [
      behaviour('/nocache/*', disabled),
      behaviour('*.css', optimized, true),
      behaviour('*', { ...optimized, MinTTL: 0 }),
    ],
    origins: new Map([['s3', { id: 's3', bucket: BUCKET, originPath: '' }]]),
    errorCachingMinTtl: new Map(),
    errorPages: new Map(),
    missingObjectStatus: 403,
    additionalMetrics: false,
    ...over,
  };
}

/** An edge on a clock the test moves. */
function edge(d: EdgeDistribution = distribution(), s3: S3Client = emu.clients.s3) {
  let now = T0;
  const deps: EdgeDeps = {
    distributions: () => [d],
    cache: new EdgeCache(),
    s3,
    now: () => now,
    pop: 'LCL1-P1',
    viaHost: 'abc.cloudfront.net',
  };
  const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
    handleEdgeRequest(deps, {
      method,
      url,
      headers: { host: '127.0.0.1:4580', ...headers },
      headerBytes: 100,
      requestId: newRequestId(),
    });
  return { deps, get, at: (seconds: number) => (now = T0 + seconds * 1000) };
}

describe('TTLs', () => {
  it('holds an object for its max-age, then revalidates it (RefreshHit), then fetches a changed one', async () => {
    await put('ttl/a.txt', 'one', { CacheControl: 'max-age=60' });
    const e = edge();
    expect((await e.get('/ttl/a.txt')).resultType).toBe('Miss');
    e.at(30);
    const hit = await e.get('/ttl/a.txt');
    expect([hit.resultType, hit.headers.age, hit.headers['x-cache']]).toEqual([
      'Hit',
      '30',
      'Hit from cloudfront',
    ]);
    e.at(61);
    const refreshed = await e.get('/ttl/a.txt');
    expect([refreshed.resultType, refreshed.headers['x-cache'], refreshed.body.toString()]).toEqual(
      ['RefreshHit', 'RefreshHit from cloudfront', 'one'],
    );
    e.at(90);
    expect((await e.get('/ttl/a.txt')).resultType).toBe('Hit'); // another 60 s from the refresh
    await put('ttl/a.txt', 'two', { CacheControl: 'max-age=60' });
    e.at(122);
    const changed = await e.get('/ttl/a.txt');
    expect([changed.resultType, changed.body.toString()]).toEqual(['Miss', 'two']);
  });

  it('caches nothing under CachingDisabled', async () => {
    await put('nocache/a.txt', 'x');
    const e = edge();
    expect((await e.get('/nocache/a.txt')).resultType).toBe('Miss');
    expect((await e.get('/nocache/a.txt')).resultType).toBe('Miss');
  });
});

describe('errors', () => {
  it('holds a missing object\u2019s 403 for the default 10 s error-caching TTL', async () => {
    const e = edge();
    const first = await e.get('/late/a.txt');
    expect([first.status, first.headers['x-cache']]).toEqual([403, 'Error from cloudfront']);
    await put('late/a.txt', 'here now');
    e.at(9);
    expect((await e.get('/late/a.txt')).status).toBe(403);
    e.at(11);
    const served = await e.get('/late/a.txt');
    expect([served.status, served.resultType]).toEqual([200, 'Miss']);
  });

  it('holds a 404 (with s3:ListBucket) for the distribution\u2019s ErrorCachingMinTTL; an invalidation clears it', async () => {
    const d = distribution({ missingObjectStatus: 404, errorCachingMinTtl: new Map([[404, 300]]) });
    const e = edge(d);
    const first = await e.get('/late/b.txt');
    expect(first.status).toBe(404);
    expect(first.body.toString()).toContain('<Code>NoSuchKey</Code>');
    await put('late/b.txt', 'here now');
    e.at(299);
    expect((await e.get('/late/b.txt')).status).toBe(404);
    expect(e.deps.cache.invalidate(d.id, ['/late/*'])).toBe(1);
    expect((await e.get('/late/b.txt')).status).toBe(200);
  });

  it('serves the custom error page with its ResponseCode, cached for the error-caching TTL', async () => {
    await put('errors/not-found.html', '<h1>not here</h1>', { ContentType: 'text/html' });
    await put('app/index.html', '<div id=app></div>', { ContentType: 'text/html' });
    const d = distribution({
      errorPages: new Map([[403, { path: '/errors/not-found.html', responseCode: 404 }]]),
    });
    const e = edge(d);
    const answer = await e.get('/missing/page.html');
    expect([answer.status, answer.body.toString(), answer.headers['x-cache']]).toEqual([
      404,
      '<h1>not here</h1>',
      'Error from cloudfront',
    ]);
    e.at(5);
    expect((await e.get('/missing/page.html')).status).toBe(404);
    const spa = edge(
      distribution({
        errorPages: new Map([[403, { path: '/app/index.html', responseCode: 200 }]]),
      }),
    );
    const route = await spa.get('/app/settings');
    expect([route.status, route.body.toString()]).toEqual([200, '<div id=app></div>']);
  });

  it('answers 502 when the origin does not answer, and keeps serving an expired copy it has', async () => {
    const dead = new S3Client({
      endpoint: `http://127.0.0.1:${await freePort()}`,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    const down = edge(distribution(), dead);
    const answer = await down.get('/down/a.txt');
    expect([answer.status, answer.headers['x-cache'], answer.detailedResultType]).toEqual([
      502,
      'Error from cloudfront',
      'OriginConnectError',
    ]);
    expect(answer.body.toString()).toContain('The request could not be satisfied');

    await put('down/b.txt', 'kept', { CacheControl: 'max-age=10' });
    const e = edge();
    await e.get('/down/b.txt');
    const stale = { ...e.deps, s3: dead };
    e.at(20);
    const served = await handleEdgeRequest(stale, {
      method: 'GET',
      url: '/down/b.txt',
      headers: { host: '127.0.0.1' },
      headerBytes: 10,
      requestId: newRequestId(),
    });
    expect([served.status, served.body.toString()]).toEqual([200, 'kept']);
  });
});

describe('compression', () => {
  it('compresses a listed type for a viewer that accepts it, cached apart from the identity copy', async () => {
    const css = 'body { color: red; }\n'.repeat(100);
    await put('site/a.css', css, { ContentType: 'text/css' });
    const e = edge();
    const br = await e.get('/site/a.css', { 'accept-encoding': 'gzip, br' });
    expect([br.headers['content-encoding'], br.headers.vary]).toEqual(['br', 'Accept-Encoding']);
    expect(brotliDecompressSync(br.body).toString()).toBe(css);
    const plain = await e.get('/site/a.css');
    expect([plain.resultType, plain.headers['content-encoding'], plain.body.toString()]).toEqual([
      'Miss',
      undefined,
      css,
    ]);
    expect((await e.get('/site/a.css', { 'accept-encoding': 'br' })).resultType).toBe('Hit');
  });

  it('leaves a behaviour without Compress alone', async () => {
    await put('site/a.txt', 'x'.repeat(5_000), { ContentType: 'text/plain' });
    const answer = await edge().get('/site/a.txt', { 'accept-encoding': 'gzip' });
    expect(answer.headers['content-encoding']).toBeUndefined();
  });
});

describe('requests', () => {
  it('answers If-None-Match and If-Modified-Since with 304, HEAD without a body', async () => {
    await put('cond/a.txt', 'cond');
    const e = edge();
    const first = await e.get('/cond/a.txt');
    const etag = first.headers.etag!;
    const inm = await e.get('/cond/a.txt', { 'if-none-match': etag });
    expect([inm.status, inm.body.length, inm.headers.etag]).toEqual([304, 0, etag]);
    const ims = await e.get('/cond/a.txt', {
      'if-modified-since': new Date(Date.now() + 60_000).toUTCString(),
    });
    expect(ims.status).toBe(304);
    expect((await e.get('/cond/a.txt', { 'if-none-match': '"other"' })).status).toBe(200);
    const head = await e.get('/cond/a.txt', {}, 'HEAD');
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([200, 0, '4']);
  });

  it('honours the origin path and reads + as a space and %2B as a plus, as S3 does', async () => {
    await put('prod/a b+c.txt', 'under prod');
    const d = distribution({
      origins: new Map([['s3', { id: 's3', bucket: BUCKET, originPath: '/prod' }]]),
    });
    const answer = await edge(d).get('/a+b%2Bc.txt');
    expect([answer.status, answer.body.toString()]).toEqual([200, 'under prod']);
  });

  it('serves the default root object at /, and 403 for the bucket root without one', async () => {
    await put('index.html', '<h1>home</h1>', { ContentType: 'text/html' });
    expect(
      (await edge(distribution({ defaultRootObject: 'index.html' })).get('/')).body.toString(),
    ).toBe('<h1>home</h1>');
    expect((await edge().get('/')).status).toBe(403);
  });

  it('stores cache tags from the tag header and evicts by #tag', async () => {
    await put('tags/a.txt', 'tagged', { Metadata: { 'cache-tags': 'product-7, sale' } });
    const d = distribution({ cacheTagHeader: 'x-amz-meta-cache-tags' });
    const e = edge(d);
    await e.get('/tags/a.txt');
    expect(e.deps.cache.invalidate(d.id, ['#other'])).toBe(0);
    expect(e.deps.cache.invalidate(d.id, ['#sale'])).toBe(1);
    expect((await e.get('/tags/a.txt')).resultType).toBe('Miss');
  });

  it('answers a bad percent-encoding with 400 and a disabled distribution with 403', async () => {
    expect((await edge().get('/bad%E0%A4%A.txt')).status).toBe(400);
    expect((await edge(distribution({ enabled: false })).get('/a.txt')).status).toBe(403);
  });
});
