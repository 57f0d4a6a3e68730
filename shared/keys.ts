/**
 * S3 keys ⇄ CloudFront paths. One mapping serves both invalidation paths and the URLs we hand
 * out, so that what we invalidate is exactly what viewers request (the cache key).
 */
import { InvalidInputError } from './errors.js';
import { clip } from './text/layout.js';

export const MAX_KEY_BYTES = 1024;
/** CloudFront rejects invalidation paths longer than this. */
export const MAX_INVALIDATION_PATH_CHARS = 4000;

/* eslint-disable-next-line no-control-regex */
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Decodes `s3.object.key` from an S3 event notification. Keys arrive form-encoded: a space is
 * `+`, a literal plus is `%2B`, and some senders (the emulator) also encode `/` as `%2F`.
 * Replace `+` first, then percent-decode.
 */
export function decodeEventKey(raw: unknown, field = 's3.object.key'): string {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new InvalidInputError(field, 'is missing or empty');
  }
  let key: string;
  try {
    key = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch (error) {
    throw new InvalidInputError(field, `is not valid URL encoding: "${preview(raw)}"`, {
      cause: error,
    });
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidInputError(
      field,
      `is ${bytes} bytes long; S3 keys are at most ${MAX_KEY_BYTES} bytes`,
    );
  }
  return key;
}

/** Warnings worth a log line for a key that is valid but unusual. */
export function keyWarnings(key: string): string[] {
  const warnings: string[] = [];
  if (CONTROL_CHARS.test(key))
    warnings.push('key contains control characters (they are percent-encoded in URLs)');
  if (key.includes('*')) {
    warnings.push(
      'key contains "*": CloudFront treats it as a wildcard, so its invalidation covers every path with the same prefix',
    );
  }
  return warnings;
}

/**
 * Characters that stay as they are in a path: RFC 3986 unreserved, sub-delims except `+`, ':'
 * and '@', and '/' (the segment separator). Everything else — space, '%', '?', '#', '"', '<',
 * '>', '[', '\\', ']', '^', '`', '{', '|', '}', control characters and all non-ASCII — is
 * percent-encoded as UTF-8 with upper-case hex, as browsers and CloudFront expect.
 *
 * `+` is encoded too (`%2B`): S3 reads a `+` in a request path as a space, also behind
 * CloudFront, so `/a+b.png` would ask for the key `a b.png`; `/a%2Bb.png` is the URL that
 * serves key `a+b.png`, and therefore the cache key to invalidate.
 */
const RAW = /[A-Za-z0-9\-._~!$&'()*,;=:@/]/;

export function encodePath(text: string): string {
  let out = '';
  for (const ch of text) {
    if (RAW.test(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Inverse of {@link encodePath} (and of any percent-encoding of a path). */
export function decodePath(path: string): string {
  return decodeURIComponent(path);
}

/** Normalises an origin path (`prod`, `/prod/`, `/prod`) to `/prod`, or '' for none. */
export function normaliseOriginPath(originPath: string | undefined): string {
  const trimmed = (originPath ?? '').replace(/\/+$/, '');
  if (!trimmed) return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * The request path (decoded, leading '/') at which a distribution serves `key` through an origin
 * with `originPath`, or undefined when the key lies outside the origin path.
 * With origin path `/prod`, key `prod/a.jpg` is served at `/a.jpg`.
 */
export function viewerPathForKey(key: string, originPath = ''): string | undefined {
  const origin = normaliseOriginPath(originPath);
  if (!origin) return `/${key}`;
  const prefix = `${origin.slice(1)}/`;
  if (!key.startsWith(prefix)) return undefined;
  return `/${key.slice(prefix.length)}`;
}

/** The S3 key prefix that an (encoded) folder path such as `/videos/2024/` reads from. */
export function keyPrefixForPath(folderPath: string, originPath = ''): string {
  const origin = normaliseOriginPath(originPath);
  const relative = decodePath(folderPath).replace(/^\//, '');
  return origin ? `${origin.slice(1)}/${relative}` : relative;
}

/**
 * The CloudFront invalidation path for `key`, or undefined when the origin does not serve it.
 *
 * CloudFront allows `*` only as the last character, where it is a wildcard. A key containing `*`
 * is therefore invalidated with the wildcard that ends at its first `*` (`a/b*c.png` → `/a/b*`):
 * a superset, never a miss.
 */
export function invalidationPathForKey(key: string, originPath = ''): string | undefined {
  const viewerPath = viewerPathForKey(key, originPath);
  if (viewerPath === undefined) return undefined;
  const star = viewerPath.indexOf('*');
  // A valid key (≤ 1 024 bytes) encodes to at most 3 073 characters: always within CloudFront's
  // 4 000-character path limit, so no key needs shortening.
  return star >= 0 ? `${encodePath(viewerPath.slice(0, star))}*` : encodePath(viewerPath);
}

export function isWildcardPath(path: string): boolean {
  return path.endsWith('*');
}

function preview(text: string): string {
  return clip(text, 80);
}
