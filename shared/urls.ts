/**
 * URLs apps hand out: permanent CloudFront URLs, CloudFront signed URLs for private content, and
 * presigned S3 URLs as the fallback when no distribution (or no signing key) is available.
 *
 * The path of every CloudFront URL is {@link encodePath} of the viewer path — the same encoding
 * `invalidationPathForKey` uses — so the URL we hand out is the cache key we invalidate.
 *
 * Signing: `@aws-sdk/cloudfront-signer`'s `getSignedUrl` re-encodes the URL path it is given
 * (3.1166.0: `encodeURIComponent` per segment, so `=` → `%3D`, `,` → `%2C`, `+` → `%2B`, and
 * earlier releases did other things: aws-sdk-js-v3 #7428, #7571, #8033, #8277). A re-encoded
 * path is a different CloudFront cache key from the one we invalidate. So we build the policy
 * JSON ourselves (the exact shape CloudFront reconstructs for a canned policy), let the pinned
 * signer sign it (`getSignedCookies` with `policy`: RSA-SHA1, CloudFront's URL-safe base64), and
 * append the query parameters to our own URL. Tests verify the signatures independently.
 *
 * The builders are here; their limits and option types are in `urls/limits.ts`, the input
 * checks in `urls/validation.ts`, the settings apps read from the environment in `urls/config.ts`.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { getSignedUrl as presignS3 } from '@aws-sdk/s3-request-presigner';
import { InvalidInputError } from './errors.js';
import { viewerPathForKey } from './keys.js';
import {
  URL_LIMITS,
  type CdnUrlOptions,
  type SignedUrlOptions,
  type SigningKey,
  type UrlResult,
} from './urls/limits.js';
import {
  resolveExpiry,
  urlPathForKey,
  validDomain,
  validEdgeUrl,
  validIpAddress,
  validKey,
  validSigningKey,
} from './urls/validation.js';

export { loadUrlConfig, type UrlConfig } from './urls/config.js';
export {
  URL_LIMITS,
  type CdnUrlOptions,
  type Expiry,
  type SignedUrlOptions,
  type SigningKey,
  type UrlKind,
  type UrlResult,
} from './urls/limits.js';
export {
  resolveExpiry,
  urlPathForKey,
  validDomain,
  validEdgeUrl,
  validSigningKey,
} from './urls/validation.js';

// ── URLs ────────────────────────────────────────────────────────────────────────────────────

/**
 * `https://<domain><encoded path>`: the permanent URL of a public object. With `edgeUrl` (local
 * runs: CDN_LOCAL_EDGE_URL) the same path on the local edge, `http://127.0.0.1:4580<path>`.
 */
export function cdnUrl(key: string, options: CdnUrlOptions): string {
  const domain = validDomain(options.domain);
  const path = urlPathForKey(key, options.originPath);
  return options.edgeUrl ? `${validEdgeUrl(options.edgeUrl)}${path}` : `https://${domain}${path}`;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * The policy CloudFront checks. With only an expiry it is byte for byte the canned policy
 * CloudFront rebuilds from the request; otherwise a custom policy sent along in the URL.
 */
export function urlPolicy(
  resource: string,
  window: { expiresAt: Date; notBefore?: Date; ipAddress?: string },
): { policy: string; canned: boolean } {
  const condition: Record<string, unknown> = {
    DateLessThan: { 'AWS:EpochTime': epochSeconds(window.expiresAt) },
  };
  if (window.notBefore) {
    condition.DateGreaterThan = { 'AWS:EpochTime': epochSeconds(window.notBefore) };
  }
  if (window.ipAddress) condition.IpAddress = { 'AWS:SourceIp': window.ipAddress };
  const canned = !window.notBefore && !window.ipAddress;
  return {
    policy: JSON.stringify({ Statement: [{ Resource: resource, Condition: condition }] }),
    canned,
  };
}

/**
 * A CloudFront signed URL: canned policy (`Expires`) when only an expiry is given, custom policy
 * (`Policy`) with `ipAddress` or `notBefore`. The path is exactly {@link cdnUrl}'s.
 */
export function signedUrl(key: string, options: SignedUrlOptions): UrlResult {
  // The policy covers the URL CloudFront sees; a local edge URL is only where it is sent.
  const resource = cdnUrl(key, { domain: options.domain, originPath: options.originPath ?? '' });
  const base = options.edgeUrl ? cdnUrl(key, options) : resource;
  const now = options.now ?? new Date();
  const expiresAt = resolveExpiry(options, {
    now,
    ...(options.maxTtlSeconds !== undefined ? { maxTtlSeconds: options.maxTtlSeconds } : {}),
  });
  if (options.notBefore && !(options.notBefore.getTime() < expiresAt.getTime())) {
    throw new InvalidInputError('notBefore', 'must be before the expiry');
  }
  const ipAddress = options.ipAddress ? validIpAddress(options.ipAddress) : undefined;
  if ((ipAddress || options.notBefore) && key.includes('*')) {
    // In a custom policy `*` in Resource is a wildcard: it would open every key it matches.
    throw new InvalidInputError(
      'key',
      `contains "*", which a custom policy (ipAddress, notBefore) reads as a wildcard granting other keys too; sign it with an expiry only`,
    );
  }
  const { keyPairId } = validSigningKey(options, 'keyPairId', 'privateKey');
  const { policy, canned } = urlPolicy(resource, {
    expiresAt,
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(ipAddress ? { ipAddress } : {}),
  });
  const signed = getSignedCookies({ keyPairId, privateKey: options.privateKey, policy });
  const params = canned
    ? `Expires=${epochSeconds(expiresAt)}`
    : `Policy=${signed['CloudFront-Policy'] ?? ''}`;
  return {
    url: `${base}?${params}&Key-Pair-Id=${keyPairId}&Signature=${signed['CloudFront-Signature']}`,
    kind: 'signed',
    expiresAt: new Date(epochSeconds(expiresAt) * 1000),
  };
}

export interface PresignOptions {
  readonly bucket: string;
  readonly key: string;
  readonly expiresInSeconds: number;
  readonly now?: Date;
}

/**
 * A presigned S3 GET URL: the fallback when no distribution serves the key or no signing key is
 * configured. SigV4 caps it at 7 days; signed with temporary credentials (a Lambda role, SSO,
 * an instance profile) it stops working when the session ends, whatever was asked: `expiresAt`
 * then says the earlier time, and `note` why.
 */
export async function presignedUrl(s3: S3Client, options: PresignOptions): Promise<UrlResult> {
  validKey(options.key);
  const seconds = options.expiresInSeconds;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > URL_LIMITS.presignedMaxSeconds) {
    throw new InvalidInputError(
      'expiresInSeconds',
      `must be a whole number of seconds from 1 to ${URL_LIMITS.presignedMaxSeconds} (7 days, SigV4's limit) (got ${seconds})`,
    );
  }
  const now = options.now ?? new Date();
  const url = await presignS3(
    s3,
    new GetObjectCommand({ Bucket: options.bucket, Key: options.key }),
    {
      expiresIn: seconds,
      signingDate: now,
    },
  );
  const requested = new Date(now.getTime() + seconds * 1000);
  const credentials = await s3.config.credentials();
  const sessionEnd = credentials.expiration;
  if (sessionEnd && sessionEnd.getTime() < requested.getTime()) {
    return {
      url,
      kind: 'presigned',
      expiresAt: sessionEnd,
      note: `signed with temporary credentials: the URL stops working when they expire (${sessionEnd.toISOString()}), before the ${seconds} s asked`,
    };
  }
  return { url, kind: 'presigned', expiresAt: requested };
}

// ── One helper for apps ─────────────────────────────────────────────────────────────────────

export interface UrlForOptions {
  /** CloudFront host; without it every URL is a presigned S3 URL. */
  readonly domain?: string;
  readonly originPath?: string;
  /** LOCAL ONLY: the local edge's base URL (see {@link CdnUrlOptions.edgeUrl}). */
  readonly edgeUrl?: string;
  /** Private content: a signed (or presigned) URL, never a bare one. */
  readonly signed?: boolean;
  readonly signingKey?: SigningKey;
  /** Lifetime of signed and presigned URLs (default {@link URL_LIMITS.defaultTtlSeconds}). */
  readonly expiresInSeconds?: number;
  readonly maxTtlSeconds?: number;
  readonly ipAddress?: string;
  readonly notBefore?: Date;
  /** Where to presign when CloudFront cannot serve the URL. */
  readonly presign?: { readonly s3: S3Client; readonly bucket: string };
  readonly now?: Date;
}

/**
 * Picks the URL: public → {@link cdnUrl}; private → {@link signedUrl} when a signing key is
 * configured; else (or when the distribution does not serve the key) → {@link presignedUrl}.
 * The result says which it used.
 */
export async function urlFor(key: string, options: UrlForOptions): Promise<UrlResult> {
  validKey(key);
  const ttl = options.expiresInSeconds ?? URL_LIMITS.defaultTtlSeconds;
  const fallback = (field: string, reason: string): Promise<UrlResult> => {
    if (!options.presign) {
      throw new InvalidInputError(field, `${reason}, and no bucket to presign from is configured`);
    }
    return presignedUrl(options.presign.s3, {
      bucket: options.presign.bucket,
      key,
      expiresInSeconds: ttl,
      ...(options.now ? { now: options.now } : {}),
    }).then((r) => ({ ...r, note: r.note ? `${reason}; ${r.note}` : reason }));
  };
  if (options.domain === undefined) return fallback('domain', 'no CloudFront domain configured');
  const domain = validDomain(options.domain);
  if (viewerPathForKey(key, options.originPath) === undefined) {
    // Without a bucket to fall back on, the key's own error says it best.
    if (!options.presign) urlPathForKey(key, options.originPath);
    return fallback(
      'key',
      `the distribution does not serve "${key}" (outside origin path "${options.originPath}")`,
    );
  }
  const base = {
    domain,
    originPath: options.originPath ?? '',
    ...(options.edgeUrl ? { edgeUrl: options.edgeUrl } : {}),
  };
  if (!options.signed) return { url: cdnUrl(key, base), kind: 'cdn' };
  if (!options.signingKey) {
    return fallback('signingKey', 'private content and no CloudFront signing key configured');
  }
  return signedUrl(key, {
    ...base,
    ...options.signingKey,
    expiresInSeconds: ttl,
    ...(options.maxTtlSeconds !== undefined ? { maxTtlSeconds: options.maxTtlSeconds } : {}),
    ...(options.ipAddress ? { ipAddress: options.ipAddress } : {}),
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
