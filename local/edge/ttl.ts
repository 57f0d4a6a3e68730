/**
 * LOCAL ONLY (the local edge). How long CloudFront keeps a response: the cache policy's
 * min/default/max TTL against the origin's `Cache-Control` and `Expires` (CloudFront DG, "Manage
 * how long content stays in the cache (expiration)"), and how long it keeps an error (DG,
 * "Control how long CloudFront caches errors").
 */

/** The TTLs of a cache policy, in seconds. */
export interface PolicyTtls {
  readonly minTtl: number;
  readonly defaultTtl: number;
  readonly maxTtl: number;
}

/** The directives of a `Cache-Control` header CloudFront acts on. */
export interface CacheControl {
  readonly maxAge?: number;
  readonly sMaxAge?: number;
  readonly noCache: boolean;
  readonly noStore: boolean;
  readonly private: boolean;
}

/** Parses `Cache-Control`; a malformed max-age/s-maxage is ignored, as if absent. */
export function parseCacheControl(header: string | undefined): CacheControl {
  const out: {
    maxAge?: number;
    sMaxAge?: number;
    noCache: boolean;
    noStore: boolean;
    private: boolean;
  } = { noCache: false, noStore: false, private: false };
  for (const part of (header ?? '').split(',')) {
    const [rawName, ...rest] = part.trim().split('=');
    const name = (rawName ?? '').trim().toLowerCase();
    const value = rest.join('=').trim().replace(/^"|"$/g, '');
    const seconds = /^\d+$/.test(value) ? Number(value) : undefined;
    if (name === 'max-age' && seconds !== undefined) out.maxAge = seconds;
    else if (name === 's-maxage' && seconds !== undefined) out.sMaxAge = seconds;
    else if (name === 'no-cache') out.noCache = true;
    else if (name === 'no-store') out.noStore = true;
    else if (name === 'private') out.private = true;
  }
  return out;
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/** Seconds from `now` to an `Expires` date; an unparseable date is already expired (0). */
function expiresIn(expires: string, now: number): number {
  const at = Date.parse(expires);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((at - now) / 1000));
}

/**
 * The TTL (s) of a cacheable (2xx/3xx) response:
 * - `no-cache`, `no-store` or `private`: the minimum TTL (0: not cached);
 * - `s-maxage`, else `max-age`: that value, no less than the minimum nor more than the maximum;
 * - `Expires` (no max-age): the time left, clamped the same way (max-age wins over Expires);
 * - neither: the default TTL.
 */
export function objectTtl(
  ttls: PolicyTtls,
  headers: { readonly cacheControl?: string | undefined; readonly expires?: string | undefined },
  now: number,
): number {
  const cc = parseCacheControl(headers.cacheControl);
  if (cc.noCache || cc.noStore || cc.private) return ttls.minTtl;
  const age = cc.sMaxAge ?? cc.maxAge;
  if (age !== undefined) return clamp(age, ttls.minTtl, ttls.maxTtl);
  if (headers.expires !== undefined)
    return clamp(expiresIn(headers.expires, now), ttls.minTtl, ttls.maxTtl);
  return ttls.defaultTtl;
}

/** Error codes whose `no-store`/`no-cache`/`private` CloudFront honours (it caches no error). */
const HONOURS_NO_STORE = new Set([404, 410, 414, 501]);
/** CloudFront never caches these (416 even with an ErrorCachingMinTTL). */
const NEVER_CACHED = new Set([416]);

/**
 * The TTL (s) of an error response: the larger of the origin's max-age/s-maxage/Expires (at most
 * the behaviour's maximum TTL) and the code's ErrorCachingMinTTL (`errorMinTtl`, 10 s by default).
 * `no-store`, `no-cache` or `private` on a 404, 410, 414 or 501 means not cached.
 */
export function errorTtl(
  status: number,
  errorMinTtl: number,
  maxTtl: number,
  headers: { readonly cacheControl?: string | undefined; readonly expires?: string | undefined },
  now: number,
): number {
  if (NEVER_CACHED.has(status)) return 0;
  const cc = parseCacheControl(headers.cacheControl);
  if ((cc.noCache || cc.noStore || cc.private) && HONOURS_NO_STORE.has(status)) return 0;
  const age =
    cc.sMaxAge ??
    cc.maxAge ??
    (headers.expires !== undefined ? expiresIn(headers.expires, now) : undefined);
  return age === undefined ? errorMinTtl : Math.max(Math.min(age, maxTtl), errorMinTtl);
}
