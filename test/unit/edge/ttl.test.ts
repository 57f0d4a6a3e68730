/**
 * TTLs by CloudFront's rules (local/edge/ttl.ts): the cache policy's min/default/max against the
 * origin's Cache-Control and Expires (DG, "Manage how long content stays in the cache"), and the
 * error-caching rules (DG, "Control how long CloudFront caches errors").
 */
import { describe, expect, it } from 'vitest';
import { errorTtl, objectTtl, parseCacheControl } from '../../../local/edge/ttl.js';

const NOW = Date.parse('2026-12-02T00:00:00Z');
const inSeconds = (s: number) => new Date(NOW + s * 1000).toUTCString();
const MIN0 = { minTtl: 0, defaultTtl: 86_400, maxTtl: 31_536_000 };
const MIN60 = { minTtl: 60, defaultTtl: 300, maxTtl: 3_600 };

describe('objectTtl', () => {
  it.each([
    ['no header: the default TTL', MIN0, {}, 86_400],
    ['max-age within the bounds', MIN60, { cacheControl: 'public, max-age=600' }, 600],
    ['max-age above the maximum: the maximum', MIN60, { cacheControl: 'max-age=7200' }, 3_600],
    ['max-age below the minimum: the minimum', MIN60, { cacheControl: 'max-age=5' }, 60],
    ['s-maxage wins over max-age', MIN60, { cacheControl: 'max-age=100, s-maxage=900' }, 900],
    ['no-cache with minimum 0: not cached', MIN0, { cacheControl: 'no-cache' }, 0],
    ['no-store with minimum 60: the minimum', MIN60, { cacheControl: 'no-store' }, 60],
    ['private with minimum 60: the minimum', MIN60, { cacheControl: 'private, max-age=900' }, 60],
    ['Expires within the bounds', MIN60, { expires: inSeconds(1_000) }, 1_000],
    ['Expires past the maximum', MIN60, { expires: inSeconds(100_000) }, 3_600],
    ['Expires in the past: the minimum', MIN60, { expires: inSeconds(-10) }, 60],
    ['an unparseable Expires: already expired', MIN0, { expires: 'soon' }, 0],
    [
      'max-age wins over Expires',
      MIN60,
      { cacheControl: 'max-age=120', expires: inSeconds(3_000) },
      120,
    ],
    ['a Cache-Control without max-age: the default', MIN60, { cacheControl: 'public' }, 300],
    ['a malformed max-age is ignored', MIN60, { cacheControl: 'max-age=soon' }, 300],
  ])('%s', (_what, ttls, headers, expected) => {
    expect(objectTtl(ttls, headers, NOW)).toBe(expected);
  });
});

describe('errorTtl', () => {
  it.each([
    ['no header: ErrorCachingMinTTL', 404, 10, {}, 10],
    ['a longer max-age wins', 404, 10, { cacheControl: 'max-age=60' }, 60],
    ['a shorter max-age loses to ErrorCachingMinTTL', 403, 30, { cacheControl: 'max-age=5' }, 30],
    ['max-age is capped at the maximum TTL', 404, 10, { cacheControl: 'max-age=999999' }, 3_600],
    ['no-store on a 404: not cached', 404, 10, { cacheControl: 'no-store' }, 0],
    [
      'no-cache on a 403: ignored, cached for the minimum',
      403,
      10,
      { cacheControl: 'no-cache' },
      10,
    ],
    ['416 is never cached', 416, 300, {}, 0],
    ['Expires counts like max-age', 404, 10, { expires: inSeconds(120) }, 120],
  ])('%s', (_what, status, min, headers, expected) => {
    expect(errorTtl(status, min, 3_600, headers, NOW)).toBe(expected);
  });
});

it('parseCacheControl reads directives in any case, quoted values and spacing', () => {
  expect(parseCacheControl(' Public , MAX-AGE="30", S-MaxAge=40 , No-Store')).toEqual({
    maxAge: 30,
    sMaxAge: 40,
    noCache: false,
    noStore: true,
    private: false,
  });
});
