/**
 * S3 keys ⇄ CloudFront paths. One mapping serves both invalidation paths and the URLs we hand
 * out, so that what we invalidate is exactly what viewers request (the cache key). Where
 * CloudFront cannot express that path in an invalidation, the key gets a bounded superset or is
 * refused: docs/invalidation-paths.md says which, why, and where the facts come from.
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

/** Warnings worth a log line for a key that is valid but unusual (read without an origin path). */
export function keyWarnings(key: string): string[] {
  const warnings: string[] = [];
  if (CONTROL_CHARS.test(key))
    warnings.push('key contains control characters (they are percent-encoded in URLs)');
  const dot = dotSegmentIn(`/${key}`);
  if (dot) {
    warnings.push(
      `key has a "${dot}" segment: no URL can reach it (browsers resolve "." and ".." segments, also written %2E)`,
    );
  }
  const invalidation = invalidationForKey(key);
  if (invalidation?.kind === 'superset-wildcard') warnings.push(`key ${invalidation.reason}`);
  if (invalidation?.kind === 'unexpressible')
    warnings.push(`key cannot be invalidated: ${invalidation.reason}`);
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
/** Every character of the text stays raw (the common key: nothing to encode). */
const ALL_RAW = /^[A-Za-z0-9\-._~!$&'()*,;=:@/]*$/;
/** What encodeURIComponent encodes that a path keeps raw: `$ & , ; = : @ /`. */
const KEPT_RAW_ESCAPES = /%(?:24|26|2C|3B|3D|3A|40|2F)/g;
const unescapeKept = (escape: string) => String.fromCharCode(parseInt(escape.slice(1), 16));

/**
 * Percent-encodes `text` as a path (see {@link RAW}). Called for every listed object and every
 * request, so the usual cases are fast: all raw, or encodeURIComponent (the same UTF-8,
 * upper-case escapes) with the characters a path keeps raw put back; the character loop only
 * for a string that is not well-formed UTF-16 (a lone surrogate), which encodeURIComponent
 * refuses. `test/unit/keysEncoding.test.ts` checks both against the loop.
 */
export function encodePath(text: string): string {
  if (ALL_RAW.test(text)) return text;
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    return encodePathByCharacter(text);
  }
  return encoded.replace(KEPT_RAW_ESCAPES, unescapeKept);
}

/** The reference encoding, one character at a time. */
export function encodePathByCharacter(text: string): string {
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

let lastOriginPath: string | undefined = '';
let lastNormalised = '';

/** Normalises an origin path (`prod`, `/prod/`, `/prod`) to `/prod`, or '' for none. */
export function normaliseOriginPath(originPath: string | undefined): string {
  // Asked once per key mapped, nearly always for the same origin path: remember the last one.
  if (originPath === lastOriginPath) return lastNormalised;
  lastNormalised = normalisedOriginPath(originPath);
  lastOriginPath = originPath;
  return lastNormalised;
}

function normalisedOriginPath(originPath: string | undefined): string {
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
 * RFC 1738 §2.2's unsafe characters. CloudFront wants them percent-encoded in invalidation paths,
 * and matches an encoded character only where viewers sent it encoded (CloudFront DG,
 * "Non-ASCII or unsafe characters in the path").
 */
const RFC1738_UNSAFE = ' <>"#%{}|\\^~[]`';

/**
 * Characters our URLs carry raw, as browsers send them, that an invalidation path cannot carry:
 * CloudFront refuses them raw (`InvalidArgument`), and encoded they match nothing. Today `~`.
 */
export const REFUSED_RAW_IN_INVALIDATIONS: readonly string[] = Object.freeze(
  [...RFC1738_UNSAFE].filter((ch) => RAW.test(ch)),
);

/**
 * Why CloudFront would refuse `path` as an invalidation path, or undefined when it accepts it
 * (docs/invalidation-paths.md): a leading `/`, at most 4 000 characters, `*` only as the last
 * character, `%` only in a complete escape, and no control, non-ASCII or RFC 1738 unsafe
 * character raw. A pre-flight check: CloudFront refuses a whole call for one such path.
 */
export function invalidationPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (path.length > MAX_INVALIDATION_PATH_CHARS)
    return `is ${path.length} characters long; at most ${MAX_INVALIDATION_PATH_CHARS} characters`;
  const body = path.endsWith('*') ? path.slice(0, -1) : path;
  if (body.includes('*')) return 'has "*" before its end: a wildcard only as the last character';
  const chars = [...body];
  for (const [i, ch] of chars.entries()) {
    if (CONTROL_CHARS.test(ch)) return 'has a raw control character';
    if (ch.codePointAt(0)! > 0x7e) return 'has a raw non-ASCII character';
    const escape = ch === '%' && /^[0-9A-Fa-f]{2}$/.test(`${chars[i + 1]}${chars[i + 2]}`);
    if (!escape && RFC1738_UNSAFE.includes(ch))
      return `has "${ch}" raw (RFC 1738 unsafe: percent-encode it)`;
  }
  return undefined;
}

/** The first `.` or `..` segment of a (decoded) path, if any. */
export function dotSegmentIn(path: string): '.' | '..' | undefined {
  return path.split('/').find((s): s is '.' | '..' => s === '.' || s === '..');
}

/**
 * How a key's cached copy is invalidated:
 * - `exact`: its own path (what our URLs and browsers request);
 * - `superset-wildcard`: CloudFront cannot express that path, so the longest prefix it can,
 *   plus `*`: never `/*`, and `keyPrefix` is the S3 prefix it covers (to count what it evicts).
 *   It is a wildcard for the quotas, and `reason` says why for the log;
 * - `unexpressible`: only `/*` would cover it, which would purge the whole distribution.
 */
export type KeyInvalidation =
  | { readonly kind: 'exact'; readonly path: string }
  | {
      readonly kind: 'superset-wildcard';
      readonly path: string;
      readonly keyPrefix: string;
      readonly reason: string;
    }
  | { readonly kind: 'unexpressible'; readonly reason: string };

/** A character or segment {@link firstInexpressible} stops at may be present (a quick pre-check). */
const MAYBE_INEXPRESSIBLE = new RegExp(
  `[*${REFUSED_RAW_IN_INVALIDATIONS.map((ch) => `\\${ch}`).join('')}]|(?:^|/)\\.\\.?(?:/|$)`,
);

/** Where in a decoded viewer path an exact invalidation path becomes impossible, and why. */
function firstInexpressible(viewerPath: string): { at: number; why: string } | undefined {
  // Most keys have none of these: one regular expression instead of the loops below.
  if (!MAYBE_INEXPRESSIBLE.test(viewerPath)) return undefined;
  let found: { at: number; why: string } | undefined;
  for (let i = 0; i < viewerPath.length && !found; i += 1) {
    const ch = viewerPath[i]!;
    if (ch === '*') {
      found = {
        at: i,
        why: 'contains "*", a wildcard in invalidation paths ("%2A" is accepted but matches nothing: viewers request "*" raw)',
      };
    } else if (REFUSED_RAW_IN_INVALIDATIONS.includes(ch)) {
      found = {
        at: i,
        why: `contains "${ch}", which CloudFront refuses raw in invalidation paths (encoded, it is accepted but matches nothing: viewers request "${ch}" raw)`,
      };
    }
  }
  let offset = 0;
  for (const segment of viewerPath.split('/')) {
    if (found && offset >= found.at) break;
    if (segment === '.' || segment === '..') {
      found = {
        at: offset,
        why: `has a "${segment}" segment, which URLs resolve away: viewers cannot request it as written, so its folder is invalidated`,
      };
      break;
    }
    offset += segment.length + 1;
  }
  return found;
}

/**
 * How to invalidate `key` served through an origin with `originPath`; undefined when the origin
 * does not serve it. See {@link KeyInvalidation}.
 */
export function invalidationForKey(key: string, originPath = ''): KeyInvalidation | undefined {
  const viewerPath = viewerPathForKey(key, originPath);
  if (viewerPath === undefined) return undefined;
  const cut = firstInexpressible(viewerPath);
  // A valid key (≤ 1 024 bytes) encodes to at most 3 073 characters: always within CloudFront's
  // 4 000-character path limit, so no key needs shortening.
  if (!cut) return { kind: 'exact', path: encodePath(viewerPath) };
  // encodePath works character by character, so this is a prefix of the exact path.
  const prefix = encodePath(viewerPath.slice(0, cut.at));
  if (prefix === '/') {
    return {
      kind: 'unexpressible',
      reason: `${cut.why}; at the root only /* would cover it, which purges the whole distribution`,
    };
  }
  return {
    kind: 'superset-wildcard',
    path: `${prefix}*`,
    keyPrefix: keyPrefixForPath(prefix, originPath),
    reason: `${cut.why}: invalidated with the bounded superset ${prefix}*`,
  };
}

/**
 * The CloudFront invalidation path for `key` (exact, or the bounded superset of
 * {@link invalidationForKey}), or undefined when the origin does not serve the key or no
 * bounded path covers it.
 */
export function invalidationPathForKey(key: string, originPath = ''): string | undefined {
  const invalidation = invalidationForKey(key, originPath);
  return invalidation && invalidation.kind !== 'unexpressible' ? invalidation.path : undefined;
}

export function isWildcardPath(path: string): boolean {
  return path.endsWith('*');
}

function preview(text: string): string {
  return clip(text, 80);
}
