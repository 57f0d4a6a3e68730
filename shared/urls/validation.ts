/**
 * Checks on what an app passes in: the domain, the key, the validity window, the IP range and
 * the signing key. Each throws an InvalidInputError naming its field; a key is never echoed.
 */
import { createPrivateKey } from 'node:crypto';
import { hostnameProblem } from '../distributionSpec.js';
import { InvalidInputError } from '../errors.js';
import { clip } from '../text/layout.js';
import { dotSegmentIn, encodePath, MAX_KEY_BYTES, viewerPathForKey } from '../keys.js';
import { URL_LIMITS, type Expiry, type SigningKey } from './limits.js';

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

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The local edge's base URL (local runs only): http(s) on a loopback host, an optional path
 * prefix (`/_edge/<id>`), no query or fragment; returned without a trailing `/`.
 */
export function validEdgeUrl(value: string, field = 'edgeUrl'): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidInputError(
      field,
      `must be a URL such as http://127.0.0.1:4580 (got "${value}")`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidInputError(field, `must be an http:// URL (got "${value}")`);
  if (!LOOPBACK.test(url.hostname))
    throw new InvalidInputError(
      field,
      `must be on this machine (127.0.0.1, localhost or [::1]): the local edge is for local runs only (got "${value}")`,
    );
  if (url.search || url.hash || url.username || url.password)
    throw new InvalidInputError(
      field,
      `must have no query, fragment or credentials (got "${value}")`,
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * A key a URL can be built for: present, at most 1 024 bytes, and without a `.` or `..`
 * segment. Browsers and HTTP clients (WHATWG URL) resolve such segments before sending, also
 * when written `%2E`/`%2e%2E`, so `/a/../b.png` asks for `b.png`: no CloudFront or S3 URL can
 * reach that object, and handing one out would serve another.
 */
export function validKey(key: string): void {
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
  const dot = dotSegmentIn(key);
  if (dot) {
    throw new InvalidInputError(
      'key',
      `"${clip(key, 200)}" has a "${dot}" segment: browsers and HTTP clients resolve it away (also when written %2E), so no URL reaches this object; rename the key`,
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

export function validIpAddress(ip: string): string {
  const m = IPV4_CIDR.exec(ip.trim());
  const octetsOk = m && m.slice(1, 5).every((o) => Number(o) <= 255);
  const maskOk = m && (m[5] === undefined || Number(m[5]) <= 32);
  if (!m || !octetsOk || !maskOk) {
    throw new InvalidInputError('ipAddress', `must be an IPv4 address or CIDR (got "${ip}")`);
  }
  return m[5] === undefined ? `${ip.trim()}/32` : ip.trim();
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
