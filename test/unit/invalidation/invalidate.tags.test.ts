/**
 * Cache tags through the invalidate core (invalidateBatch), S3 and CloudFront faked in memory:
 * a `#tag` item where the distribution reads the `cache-tag` metadata, and never elsewhere.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetLearned } from '../../../functions/invalidate/bisect.js';
import { invalidateBatch } from '../../../functions/invalidate/invalidate.js';
import { forgetRecentInvalidations } from '../../../functions/invalidate/recentCoverage.js';
import { forgetTagMembers } from '../../../functions/invalidate/tagged.js';
import type { BucketOrigin } from '../../../shared/distributions.js';
import { DEFAULT_ERROR_CACHING_TTL } from '../../../shared/catalogue.js';
import {
  Clock,
  DISTRIBUTION,
  FakeBucket,
  FakeCloudFront,
  T0,
  installFakes,
  overwrite,
} from './fakeAws.js';

let restore: (() => void) | undefined;
beforeEach(() => {
  forgetLearned();
  forgetRecentInvalidations();
  forgetTagMembers();
});
afterEach(() => {
  restore?.();
  restore = undefined;
});

const origin = (cacheTagHeader?: string): BucketOrigin => ({
  distributionId: DISTRIBUTION,
  arn: `arn:aws:cloudfront::123456789012:distribution/${DISTRIBUTION}`,
  domainName: 'd111111abcdef8.cloudfront.net',
  originId: 's3',
  originPath: '',
  routes: [{ pathPattern: '*', targetOriginId: 's3' }],
  groupIds: [],
  missingObjectErrorTtl: DEFAULT_ERROR_CACHING_TTL,
  ...(cacheTagHeader ? { cacheTagHeader } : {}),
});

/** Five segments of one ladder, each in its own folder (no wildcard can take them). */
const KEYS = Array.from({ length: 5 }, (_, i) => `hls/title-7/r${i}/seg-${i}.ts`);

async function run(o: BucketOrigin, tags = true) {
  const clock = new Clock();
  const bucket = new FakeBucket(clock);
  const cloudfront = new FakeCloudFront(clock);
  for (const key of KEYS) bucket.put(key, T0 - 1000);
  const deps = installFakes(clock, bucket, cloudfront);
  restore = deps.restore;
  clock.now = T0 + 1000;
  const batch = KEYS.map((key, i) => ({
    id: `m${i}`,
    request: {
      ...overwrite(key, T0 - 1000),
      ...(tags ? { cacheTags: ['Title:7'], cacheTagMembers: { 'title:7': 5 } } : {}),
    },
  }));
  const result = await invalidateBatch({ ...deps, findOrigins: () => Promise.resolve([o]) }, batch);
  return { result, cloudfront, sent: cloudfront.invalidations.flatMap((i) => i.paths) };
}

describe('invalidateBatch with cache tags', () => {
  it('sends one #tag item for a tagged ladder on a distribution reading x-amz-meta-cache-tag', async () => {
    const { result, sent, cloudfront } = await run(origin('x-amz-meta-cache-tag'));
    expect(sent).toEqual(['#title:7']);
    expect(cloudfront.billed()).toBe(1);
    expect(result.deferred.size).toBe(0);
    expect(result.distributions[0]!.invalidations[0]!.requests).toBe(5);
  });

  it('never sends a #tag to a distribution without CacheTagConfig: the paths go out', async () => {
    const { result, sent } = await run(origin());
    expect(sent.filter((p) => p.startsWith('#'))).toEqual([]);
    expect([...sent].sort()).toEqual(KEYS.map((k) => `/${k}`).sort());
    expect(result.deferred.size).toBe(0);
  });

  it('never sends a #tag where CacheTagConfig reads another header (not our metadata)', async () => {
    const { sent } = await run(origin('x-cache-tags'));
    expect(sent.filter((p) => p.startsWith('#'))).toEqual([]);
    expect(sent).toHaveLength(5);
  });

  it('sees a tag whose members arrive in two batches as one burst: the second call sends #tag', async () => {
    const clock = new Clock();
    const bucket = new FakeBucket(clock);
    const cloudfront = new FakeCloudFront(clock);
    // Six renditions of one product, stored by size: a folder wildcard would evict other products.
    const keys = Array.from({ length: 6 }, (_, i) => `img/w${i}/p-0001.jpg`);
    for (const key of keys) bucket.put(key, T0 - 1000);
    const deps = installFakes(clock, bucket, cloudfront);
    restore = deps.restore;
    const o = origin('x-amz-meta-cache-tag');
    const batch = (from: number, to: number) =>
      keys.slice(from, to).map((key, i) => ({
        id: `m${from + i}`,
        request: {
          ...overwrite(key, T0 - 1000),
          cacheTags: ['product:p-0001'],
          cacheTagMembers: { 'product:p-0001': 6 },
        },
      }));
    const withOrigin = { ...deps, findOrigins: () => Promise.resolve([o]) };
    clock.now = T0 + 1000;
    await invalidateBatch(withOrigin, batch(0, 3));
    // Three of six: three unchanged members, below COLLAPSE_MIN_SIBLINGS changed ones: paths.
    expect(cloudfront.invalidations.flatMap((i) => i.paths)).toHaveLength(3);
    clock.now = T0 + 61_000;
    await invalidateBatch(withOrigin, batch(3, 6));
    // The other three, with the first three remembered as changed: every member changed.
    expect(cloudfront.invalidations[1]!.paths).toEqual(['#product:p-0001']);
  });

  it('sends paths, not a tag CloudFront refuses (a raw "~"), and nothing is deferred', async () => {
    const clock = new Clock();
    const bucket = new FakeBucket(clock);
    const cloudfront = new FakeCloudFront(clock);
    cloudfront.refuses = (p) => p.includes('~');
    for (const key of KEYS) bucket.put(key, T0 - 1000);
    const deps = installFakes(clock, bucket, cloudfront);
    restore = deps.restore;
    clock.now = T0 + 1000;
    const batch = KEYS.map((key, i) => ({
      id: `m${i}`,
      request: {
        ...overwrite(key, T0 - 1000),
        cacheTags: ['title~7'],
        cacheTagMembers: { 'title~7': 5 },
      },
    }));
    const result = await invalidateBatch(
      { ...deps, findOrigins: () => Promise.resolve([origin('x-amz-meta-cache-tag')]) },
      batch,
    );
    expect(cloudfront.invalidations.flatMap((i) => i.paths)).toHaveLength(5);
    expect(result.deferred.size).toBe(0);
  });

  it('sends paths for requests that carry no tags (an older ingest)', async () => {
    const { sent } = await run(origin('x-amz-meta-cache-tag'), false);
    expect(sent).toHaveLength(5);
  });
});
