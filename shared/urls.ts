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
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { getSignedUrl as presignS3 } from '@aws-sdk/s3-request-presigner';
import { z } from 'zod';
import { parseEnv } from './config.js';
import { ConfigError, InvalidInputError } from './errors.js';
import { encodePath, MAX_KEY_BYTES, viewerPathForKey } from './keys.js';
import { hostnameProblem } from './distributionSpec.js';

type Env = Record<string, string | undefined>;

export const URL_LIMITS = {
  /** Lifetime when none is given (CDN_URL_TTL_SECONDS). */
  defaultTtlSeconds: 3600,
  /**
   * Our default ceiling on a signed URL's lifetime. CloudFront has none; a leaked URL is valid
   * until it expires, and the only other way to revoke it is to rotate the key pair. Raise it
   * with `maxTtlSeconds` (CDN_URL_MAX_TTL_SECONDS) up to one year.
   */
  maxTtlSeconds: 7 * 24 * 3600,
  maxConfigurableTtlSeconds: 365 * 24 * 3600,
  /** SigV4 presigned URLs: 7 days at most (AWS rejects longer), less with temporary credentials. */
  presignedMaxSeconds: 7 * 24 * 3600,
} as const;

export type UrlKind = 'cdn' | 'signed' | 'presigned';

export interface UrlResult {
  readonly url: string;
  readonly kind: UrlKind;
  /** When the URL stops working (signed and presigned URLs). */
  readonly expiresAt?: Date;
  /** Why a presigned URL was used instead of a CloudFront one, or why it expires early. */
  readonly note?: string;
}

export interface CdnUrlOptions {
  /** Host name the distribution answers to: an alias (`cdn.example.com`) or `d….cloudfront.net`. */
  readonly domain: string;
  /** The origin's OriginPath (`/prod`): key `prod/a.jpg` is served at `/a.jpg`. */
  readonly originPath?: string;
}

/** Validity window: an absolute end, or seconds from now. */
export type Expiry =
  | { readonly expiresAt: Date; readonly expiresInSeconds?: undefined }
  | { readonly expiresInSeconds: number; readonly expiresAt?: undefined };

export interface SigningKey {
  /** The CloudFront public key id (in a trusted key group), e.g. `K2JCJMDEHXQW5F`. */
  readonly keyPairId: string;
  /** PEM of the RSA private key. Never logged, never part of an error message. */
  readonly privateKey: string;
}

export type SignedUrlOptions = CdnUrlOptions &
  SigningKey &
  Expiry & {
    /** Only this IPv4 address or CIDR may use the URL (custom policy). */
    readonly ipAddress?: string;
    /** The URL does not work before this time (custom policy). */
    readonly notBefore?: Date;
    /** Longest lifetime accepted, in seconds (default {@link URL_LIMITS.maxTtlSeconds}). */
    readonly maxTtlSeconds?: number;
    readonly now?: Date;
  };

// ── Validation ──────────────────────────────────────────────────────────────────────────────

/** The host name, lower-cased, or an InvalidInputError naming `field`. */
export function validDomain(domain: string, field = 'domain'): string {
  const host = domain.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host) || /[/?#:@\s]/.test(host)) {
    throw new InvalidInputError(
      field,
      `must be a host name only, such as cdn.example.com or d111111abcdef8.cloudfront.net (got "${domain}": no scheme, port or path)`,
    );
  }
  if (host.startsWith('*.')) {
    throw new InvalidInputError(field, `is a wildcard alias ("${domain}"): name one host under it`);
  }
  const problem = hostnameProblem(host);
  if (problem) throw new InvalidInputError(field, `${problem} (got "${domain}")`);
  return host;
}

function validKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidInputError('key', 'is missing or empty');
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidInputError(
      'key',
      `is ${bytes} bytes long; S3 keys are at most ${MAX_KEY_BYTES} bytes`,
    );
  }
}

/** The encoded request path of `key` behind `originPath`, or an error naming `key`. */
export function urlPathForKey(key: string, originPath = ''): string {
  validKey(key);
  const viewerPath = viewerPathForKey(key, originPath);
  if (viewerPath === undefined) {
    throw new InvalidInputError(
      'key',
      `"${key}" lies outside the origin path "${originPath}": the distribution does not serve it`,
    );
  }
  return encodePath(viewerPath);
}

/**
 * The end of the validity window, checked: in the future, and no further than `maxTtlSeconds`.
 */
export function resolveExpiry(
  expiry: Expiry,
  options: { now?: Date; maxTtlSeconds?: number } = {},
): Date {
  const now = options.now ?? new Date();
  const max = options.maxTtlSeconds ?? URL_LIMITS.maxTtlSeconds;
  let end: Date;
  if (expiry.expiresAt !== undefined) {
    if (!(expiry.expiresAt instanceof Date) || Number.isNaN(expiry.expiresAt.getTime())) {
      throw new InvalidInputError('expiresAt', 'is not a valid date');
    }
    end = expiry.expiresAt;
  } else {
    const seconds = expiry.expiresInSeconds;
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new InvalidInputError('expiresInSeconds', `must be a number above 0 (got ${seconds})`);
    }
    end = new Date(now.getTime() + seconds * 1000);
  }
  const field = expiry.expiresAt !== undefined ? 'expiresAt' : 'expiresInSeconds';
  if (end.getTime() <= now.getTime()) {
    throw new InvalidInputError(field, `is in the past (${end.toISOString()})`);
  }
  if (end.getTime() - now.getTime() > max * 1000) {
    throw new InvalidInputError(
      field,
      `is more than ${max} s away (${end.toISOString()}); raise maxTtlSeconds (CDN_URL_MAX_TTL_SECONDS) if you mean it`,
    );
  }
  return end;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

function validIpAddress(ip: string): string {
  const m = IPV4_CIDR.exec(ip.trim());
  const octetsOk = m && m.slice(1, 5).every((o) => Number(o) <= 255);
  const maskOk = m && (m[5] === undefined || Number(m[5]) <= 32);
  if (!m || !octetsOk || !maskOk) {
    throw new InvalidInputError('ipAddress', `must be an IPv4 address or CIDR (got "${ip}")`);
  }
  return m[5] === undefined ? `${ip.trim()}/32` : ip.trim();
}

// ── URLs ────────────────────────────────────────────────────────────────────────────────────

/** `https://<domain><encoded path>`: the permanent URL of a public object. */
export function cdnUrl(key: string, options: CdnUrlOptions): string {
  return `https://${validDomain(options.domain)}${urlPathForKey(key, options.originPath)}`;
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
  const resource = cdnUrl(key, options);
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
    url: `${resource}?${params}&Key-Pair-Id=${keyPairId}&Signature=${signed['CloudFront-Signature']}`,
    kind: 'signed',
    expiresAt: new Date(epochSeconds(expiresAt) * 1000),
  };
}

/** The key pair id checked, and the private key checked to be an RSA key (never echoed). */
export function validSigningKey(
  key: SigningKey,
  idField: string,
  keyField: string,
): { keyPairId: string } {
  if (!/^[A-Z0-9]{1,128}$/.test(key.keyPairId ?? '')) {
    throw new InvalidInputError(
      idField,
      `must be a CloudFront public key id such as K2JCJMDEHXQW5F (got "${key.keyPairId}")`,
    );
  }
  let type: string | undefined;
  try {
    type = createPrivateKey(key.privateKey).asymmetricKeyType;
  } catch {
    throw new InvalidInputError(keyField, 'is not a readable PEM private key');
  }
  if (type !== 'rsa') {
    throw new InvalidInputError(
      keyField,
      `is a ${type} key; CloudFront signed URLs need the RSA key whose public half is in the key group`,
    );
  }
  return { keyPairId: key.keyPairId };
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
  const base = { domain, originPath: options.originPath ?? '' };
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

// ── Config for apps ─────────────────────────────────────────────────────────────────────────

export interface UrlConfig {
  readonly domain?: string;
  readonly originPath: string;
  readonly signingKey?: SigningKey;
  readonly ttlSeconds: number;
  readonly maxTtlSeconds: number;
}

const seconds = (max: number) => z.coerce.number().int().min(1).max(max);

const urlSchema = z.object({
  CDN_DOMAIN: z.string().optional(),
  CDN_ORIGIN_PATH: z.string().default(''),
  CDN_KEY_PAIR_ID: z.string().optional(),
  // Validated below, never echoed: parseEnv would quote the value in its message.
  CDN_PRIVATE_KEY: z.string().optional(),
  CDN_PRIVATE_KEY_FILE: z.string().optional(),
  CDN_URL_TTL_SECONDS: seconds(URL_LIMITS.maxConfigurableTtlSeconds).default(
    URL_LIMITS.defaultTtlSeconds,
  ),
  CDN_URL_MAX_TTL_SECONDS: seconds(URL_LIMITS.maxConfigurableTtlSeconds).default(
    URL_LIMITS.maxTtlSeconds,
  ),
});

/** The private key's PEM from CDN_PRIVATE_KEY (literal `\n` allowed) or CDN_PRIVATE_KEY_FILE. */
function privateKeyFrom(raw: z.output<typeof urlSchema>): [string, string] | undefined {
  if (raw.CDN_PRIVATE_KEY && raw.CDN_PRIVATE_KEY_FILE) {
    throw new ConfigError(
      'CDN_PRIVATE_KEY_FILE',
      'set either CDN_PRIVATE_KEY or CDN_PRIVATE_KEY_FILE, not both',
    );
  }
  if (raw.CDN_PRIVATE_KEY) return [raw.CDN_PRIVATE_KEY.replace(/\\n/g, '\n'), 'CDN_PRIVATE_KEY'];
  if (!raw.CDN_PRIVATE_KEY_FILE) return undefined;
  try {
    return [readFileSync(raw.CDN_PRIVATE_KEY_FILE, 'utf8'), 'CDN_PRIVATE_KEY_FILE'];
  } catch (error) {
    throw new ConfigError(
      'CDN_PRIVATE_KEY_FILE',
      `cannot read "${raw.CDN_PRIVATE_KEY_FILE}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * URL settings for apps, from the environment, checked once: CDN_DOMAIN, CDN_ORIGIN_PATH,
 * CDN_KEY_PAIR_ID with CDN_PRIVATE_KEY (PEM) or CDN_PRIVATE_KEY_FILE, CDN_URL_TTL_SECONDS
 * (default 3600), CDN_URL_MAX_TTL_SECONDS (default 7 days). Errors name the variable.
 */
export function loadUrlConfig(env: Env = process.env): UrlConfig {
  const raw = parseEnv(urlSchema, env);
  const asConfigError = (run: () => void) => {
    try {
      run();
    } catch (error) {
      if (error instanceof InvalidInputError) {
        throw new ConfigError(error.field, error.message.slice(error.field.length + 2), {
          cause: error,
        });
      }
      throw error;
    }
  };
  let domain: string | undefined;
  if (raw.CDN_DOMAIN) asConfigError(() => (domain = validDomain(raw.CDN_DOMAIN!, 'CDN_DOMAIN')));
  const pem = privateKeyFrom(raw);
  if (Boolean(pem) !== Boolean(raw.CDN_KEY_PAIR_ID)) {
    throw new ConfigError(
      pem ? 'CDN_KEY_PAIR_ID' : 'CDN_PRIVATE_KEY',
      pem
        ? 'is not set, and a private key is: signing needs both'
        : 'is not set (nor CDN_PRIVATE_KEY_FILE), and CDN_KEY_PAIR_ID is: signing needs both',
    );
  }
  let signingKey: SigningKey | undefined;
  if (pem) {
    signingKey = { keyPairId: raw.CDN_KEY_PAIR_ID!, privateKey: pem[0] };
    asConfigError(() => validSigningKey(signingKey!, 'CDN_KEY_PAIR_ID', pem[1]));
  }
  if (raw.CDN_URL_TTL_SECONDS > raw.CDN_URL_MAX_TTL_SECONDS) {
    throw new ConfigError(
      'CDN_URL_TTL_SECONDS',
      `is above CDN_URL_MAX_TTL_SECONDS (${raw.CDN_URL_TTL_SECONDS} > ${raw.CDN_URL_MAX_TTL_SECONDS})`,
    );
  }
  return Object.freeze({
    ...(domain ? { domain } : {}),
    originPath: raw.CDN_ORIGIN_PATH,
    ...(signingKey ? { signingKey: Object.freeze(signingKey) } : {}),
    ttlSeconds: raw.CDN_URL_TTL_SECONDS,
    maxTtlSeconds: raw.CDN_URL_MAX_TTL_SECONDS,
  });
}
