/** Cache keys per cache policy (local/edge/cacheKey.ts). */
import type { CachePolicyConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { cacheKey, normalisedEncoding } from '../../../local/edge/cacheKey.js';
import { MANAGED_CACHE_POLICIES, MANAGED_POLICY_IDS } from '../../../shared/catalogue.js';

const optimized = MANAGED_CACHE_POLICIES.get(MANAGED_POLICY_IDS.cache.cachingOptimized)!;
const req = (over: Partial<Parameters<typeof cacheKey>[1]> = {}) => ({
  distributionId: 'E1',
  path: '/a.css',
  query: '',
  headers: {},
  ...over,
});
const policy = (
  params: CachePolicyConfig['ParametersInCacheKeyAndForwardedToOrigin'],
): CachePolicyConfig => ({
  Name: 'p',
  MinTTL: 0,
  ParametersInCacheKeyAndForwardedToOrigin: params,
});

describe('cacheKey', () => {
  it('ignores query strings, cookies and headers the policy leaves out', () => {
    const a = cacheKey(optimized, req());
    expect(
      cacheKey(optimized, req({ query: 'v=2', headers: { cookie: 'x=1', 'user-agent': 'z' } })),
    ).toBe(a);
  });

  it('keeps the path case-sensitive and per distribution', () => {
    expect(cacheKey(optimized, req({ path: '/A.css' }))).not.toBe(cacheKey(optimized, req()));
    expect(cacheKey(optimized, req({ distributionId: 'E2' }))).not.toBe(cacheKey(optimized, req()));
  });

  it('splits by the normalised encoding where the policy enables gzip and Brotli', () => {
    const br = cacheKey(optimized, req({ headers: { 'accept-encoding': 'gzip, deflate, br' } }));
    const gzip = cacheKey(optimized, req({ headers: { 'accept-encoding': 'gzip' } }));
    const none = cacheKey(optimized, req({ headers: { 'accept-encoding': 'identity' } }));
    expect(new Set([br, gzip, none]).size).toBe(3);
    expect(cacheKey(optimized, req({ headers: { 'accept-encoding': 'br;q=1.0, gzip' } }))).toBe(br);
  });

  it.each([
    [
      'whitelist',
      { QueryStringBehavior: 'whitelist', QueryStrings: { Quantity: 1, Items: ['v'] } },
      'v=1&x=1',
      'v=1&x=2',
      'v=2&x=1',
    ],
    [
      'allExcept',
      { QueryStringBehavior: 'allExcept', QueryStrings: { Quantity: 1, Items: ['x'] } },
      'v=1&x=1',
      'v=1&x=2',
      'v=2&x=1',
    ],
    ['all', { QueryStringBehavior: 'all' }, 'v=1', 'v=1', 'v=2'],
  ] as const)('query strings: %s', (_b, qs, a, same, other) => {
    const p = policy({
      EnableAcceptEncodingGzip: false,
      HeadersConfig: { HeaderBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: qs as never,
    });
    expect(cacheKey(p, req({ query: same }))).toBe(cacheKey(p, req({ query: a })));
    expect(cacheKey(p, req({ query: other }))).not.toBe(cacheKey(p, req({ query: a })));
  });

  it('headers and cookies: only the listed ones, header names case-insensitive', () => {
    const p = policy({
      EnableAcceptEncodingGzip: false,
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: { Quantity: 1, Items: ['Origin'] } },
      CookiesConfig: { CookieBehavior: 'whitelist', Cookies: { Quantity: 1, Items: ['session'] } },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    });
    const base = cacheKey(
      p,
      req({ headers: { origin: 'https://a.example.com', cookie: 'session=1; theme=dark' } }),
    );
    expect(
      cacheKey(
        p,
        req({ headers: { origin: 'https://a.example.com', cookie: 'theme=light; session=1' } }),
      ),
    ).toBe(base);
    expect(
      cacheKey(p, req({ headers: { origin: 'https://b.example.com', cookie: 'session=1' } })),
    ).not.toBe(base);
    expect(
      cacheKey(p, req({ headers: { origin: 'https://a.example.com', cookie: 'session=2' } })),
    ).not.toBe(base);
  });
});

it('normalisedEncoding prefers Brotli, honours q=0 and the policy', () => {
  const params = optimized.ParametersInCacheKeyAndForwardedToOrigin;
  expect(normalisedEncoding(params, 'gzip, br')).toBe('br');
  expect(normalisedEncoding(params, 'gzip, br;q=0')).toBe('gzip');
  expect(normalisedEncoding(params, undefined)).toBeUndefined();
  expect(normalisedEncoding({ ...params!, EnableAcceptEncodingBrotli: false }, 'br, gzip')).toBe(
    'gzip',
  );
});
