/** Which cached entries an invalidation evicts (local/edge/invalidationMatch.ts, EdgeCache). */
import { describe, expect, it } from 'vitest';
import { EdgeCache, type CacheEntry } from '../../../local/edge/EdgeCache.js';
import { matchesInvalidation } from '../../../local/edge/invalidationMatch.js';

const at = (path: string, tags: string[] = []) => ({ path, tags: new Set(tags) });

describe('matchesInvalidation', () => {
  it.each([
    ['/images/a.jpg', '/images/a.jpg', true],
    ['/images/a.jpg', '/images/a.jpeg', false],
    ['/images/a.jpg', '/Images/a.jpg', false], // case-sensitive
    ['/images/*', '/images/a.jpg', true],
    ['/images/*', '/images/sub/b.jpg', true],
    ['/images/*', '/imagesX/b.jpg', false],
    ['/images*', '/imagesX/b.jpg', true],
    ['/*', '/anything', true],
    ['/images/a.jpg?v=2', '/images/a.jpg', true], // the query string plays no part
    ['/a%20b.jpg', '/a%20b.jpg', true],
    ['/a b.jpg', '/a%20b.jpg', false], // encoded only matches encoded
    ['/im*ges/a.jpg', '/images/a.jpg', false], // * only at the end is a wildcard
  ])('%s against %s: %s', (item, path, expected) => {
    expect(matchesInvalidation(item, at(path))).toBe(expected);
  });

  it('a #tag item matches the entries stored with that tag', () => {
    expect(matchesInvalidation('#product-42', at('/a', ['product-42', 'sale']))).toBe(true);
    expect(matchesInvalidation('#product-4', at('/a', ['product-42']))).toBe(false);
  });

  it('a #tag item matches case-insensitively (CloudFront: tags are case-insensitive)', () => {
    expect(matchesInvalidation('#title:7', at('/a', ['Title:7']))).toBe(true);
    expect(matchesInvalidation('#TITLE:7', at('/a', ['title:7']))).toBe(true);
  });
});

describe('EdgeCache.invalidate', () => {
  const entry = (distributionId: string, path: string, size = 10): CacheEntry => ({
    distributionId,
    path,
    tags: new Set(),
    status: 200,
    headers: {},
    body: Buffer.alloc(size),
    storedAt: 0,
    expiresAt: 1,
  });

  it('evicts every query-string and encoding variant of the path, on that distribution only', () => {
    const cache = new EdgeCache();
    cache.set('k1', entry('E1', '/a.css'));
    cache.set('k2', entry('E1', '/a.css')); // another variant of the same path
    cache.set('k3', entry('E1', '/b.css'));
    cache.set('k4', entry('E2', '/a.css'));
    expect(cache.invalidate('E1', ['/a.css'])).toBe(2);
    expect([cache.get('k1'), cache.get('k2')]).toEqual([undefined, undefined]);
    expect(cache.get('k3')).toBeDefined();
    expect(cache.get('k4')).toBeDefined();
  });

  it('drops the least recently used entries beyond its byte bound', () => {
    const cache = new EdgeCache(25);
    cache.set('a', entry('E1', '/a', 10));
    cache.set('b', entry('E1', '/b', 10));
    cache.get('a');
    cache.set('c', entry('E1', '/c', 10));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.bytes).toBe(20);
  });
});
