/**
 * LOCAL ONLY (the local edge). CloudFront's cache key for a request under a cache policy: the
 * distribution, the path as the viewer sent it (case-sensitive), and the query strings, headers
 * and cookies the policy names, plus the normalised Accept-Encoding where the policy enables
 * gzip or Brotli (CloudFront DG, "Understand the cache key"; "Compression support").
 */
import type { CachePolicyConfig } from '@aws-sdk/client-cloudfront';

/** What the cache key is computed from. */
export interface KeyRequest {
  readonly distributionId: string;
  /** The path as received (still percent-encoded), without the query string. */
  readonly path: string;
  /** The raw query string, without `?` ('' for none). */
  readonly query: string;
  /** Request headers, names lower-case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

type Params = NonNullable<CachePolicyConfig['ParametersInCacheKeyAndForwardedToOrigin']>;

/** `a=1&b=2` → [['a','1'], ['b','2']] (names and values kept as sent). */
export function queryPairs(query: string): Array<[string, string]> {
  if (!query) return [];
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    });
}

/** `a=1; b=2` → [['a','1'], ['b','2']]. */
export function cookiePairs(header: string | undefined): Array<[string, string]> {
  if (!header) return [];
  return header
    .split(';')
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => {
      const at = c.indexOf('=');
      return at < 0 ? [c, ''] : [c.slice(0, at), c.slice(at + 1)];
    });
}

/** Filters name/value pairs by a none / whitelist / allExcept / all behaviour. */
function select(
  pairs: Array<[string, string]>,
  behavior: string | undefined,
  names: readonly string[],
): Array<[string, string]> {
  switch (behavior) {
    case 'all':
      return pairs;
    case 'whitelist':
      return pairs.filter(([n]) => names.includes(n));
    case 'allExcept':
      return pairs.filter(([n]) => !names.includes(n));
    default:
      return [];
  }
}

/**
 * The content coding CloudFront asks the origin for / compresses to for this viewer: `br` when the
 * policy enables Brotli and the viewer accepts it, else `gzip` likewise, else undefined.
 */
export function normalisedEncoding(
  params: Params | undefined,
  acceptEncoding: string | undefined,
): 'br' | 'gzip' | undefined {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || !/^q=0(\.0*)?$/.test(q.trim()))
      .map(([coding]) => (coding ?? '').trim().toLowerCase()),
  );
  if (params?.EnableAcceptEncodingBrotli && accepted.has('br')) return 'br';
  if (params?.EnableAcceptEncodingGzip && accepted.has('gzip')) return 'gzip';
  return undefined;
}

/** The cache key: one string, equal for requests CloudFront would answer from one entry. */
export function cacheKey(policy: CachePolicyConfig, request: KeyRequest): string {
  const params = policy.ParametersInCacheKeyAndForwardedToOrigin;
  const qs = params?.QueryStringsConfig;
  const query = select(
    queryPairs(request.query),
    qs?.QueryStringBehavior,
    qs?.QueryStrings?.Items ?? [],
  );
  const headerNames =
    params?.HeadersConfig?.HeaderBehavior === 'whitelist'
      ? (params.HeadersConfig.Headers?.Items ?? []).map((h) => h.toLowerCase()).sort()
      : [];
  const headers = headerNames.map((h) => [h, request.headers[h] ?? '']);
  const ck = params?.CookiesConfig;
  const cookies = select(
    cookiePairs(request.headers.cookie),
    ck?.CookieBehavior,
    ck?.Cookies?.Items ?? [],
  );
  const encoding = normalisedEncoding(params, request.headers['accept-encoding']) ?? '';
  return JSON.stringify([request.distributionId, request.path, query, headers, cookies, encoding]);
}
