/**
 * `privatePrefixes`: paths served only through signed URLs or signed cookies. Each entry becomes a
 * cache behaviour with a trusted key group built from the public keys given; the workflow ensures
 * the public keys and the key group, and orders these behaviours before every content-class one
 * (so `reports/q3.pdf` is private even though `*.pdf` is a class behaviour).
 *
 *   privatePrefixes: [{ pathPattern: 'reports/*', publicKey: '-----BEGIN PUBLIC KEY-----…' }]
 *
 * Only PUBLIC keys belong here: the spec travels through the workflow's state and history. A
 * private key (or a `privateKey` field) is refused, and no message here ever quotes a key.
 * `publicKeyFile` is read by the CLI, relative to the spec file ({@link resolvePublicKeyFiles}).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { RESOURCE_NAME_PREFIX } from '../catalogue.js';
import { InvalidInputError } from '../errors.js';
import { quoted } from './issues.js';
import type { ContentClassSpec, Ctx } from './parts.js';

export const PRIVATE_PREFIX_LIMITS = {
  /** CloudFront: PathPattern length. */
  maxPatternChars: 255,
  /** CloudFront: public keys in one key group (default quota). */
  maxKeysPerGroup: 5,
  /** CloudFront: key groups one distribution may reference (default quota). */
  maxKeyGroupsPerDistribution: 4,
  /** CloudFront: key group and public key names. */
  maxNameChars: 128,
} as const;

/** CloudFront's PathPattern characters (`&` is sent as is: the SDK escapes it in the XML). */
const PATH_PATTERN = /^[A-Za-z0-9_\-.*$/~"'@:+&?]+$/;
const KEY_GROUP_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const PUBLIC_HEADER = /-----BEGIN (RSA )?PUBLIC KEY-----/;

/** What a user wrote; the key fields are unknown on purpose (checked without being echoed). */
export const privatePrefixSchema = z.strictObject({
  /** `reports/*`, `private/*.pdf` (no leading `/` needed; CloudFront's `*` and `?` wildcards). */
  pathPattern: z.string(),
  /** One PEM public key, or a list (up to 5) while a key is being rotated. */
  publicKey: z.unknown().optional(),
  /** Read by the CLI, relative to the spec file; never reaches the workflow. */
  publicKeyFile: z.unknown().optional(),
  /** Accepted only to refuse it loudly (it must never be in a spec). */
  privateKey: z.unknown().optional(),
  /** Default `cdnp-<name>-keys-<fingerprint>`, one group per distinct set of keys. */
  keyGroupName: z.string().optional(),
  /** Whose cache policy (TTLs, compression) the behaviour uses; default `default`. */
  contentClass: z.string().default('default'),
});

export const privatePrefixesSchema = z.array(privatePrefixSchema).default([]);

export type PrivatePrefixInput = z.output<typeof privatePrefixSchema>;

/** One public key as the workflow sends it to CloudFront. */
export interface PublicKeySpec {
  /** `cdnp-<spec name>-<12 hex of the key's SHA-256>`. */
  readonly name: string;
  /** The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), CloudFront's EncodedKey. */
  readonly encodedKey: string;
  /** Hex SHA-256 of the key's DER (SPKI): how an existing public key is recognised. */
  readonly fingerprint: string;
}

/** A private behaviour as the tasks build it. */
export interface PrivatePrefixSpec {
  /** Without a leading `/`. */
  readonly pathPattern: string;
  readonly keyGroupName: string;
  /** Sorted by fingerprint. */
  readonly publicKeys: readonly PublicKeySpec[];
  /** `default` or a content class's name. */
  readonly contentClass: string;
}

const PRIVATE_KEY_ADVICE =
  'is a PRIVATE key: never put one in the spec (it would be kept in the workflow state and history). ' +
  'Give its public half (openssl rsa -in private_key.pem -pubout -out public_key.pem) and keep the private ' +
  'key where signedUrl() reads it: CDN_PRIVATE_KEY or CDN_PRIVATE_KEY_FILE, loaded from SSM Parameter Store or Secrets Manager';

/** The key's problem, or its parsed form. Never includes the key text in a message. */
function parseKey(value: unknown): { key: KeyObject } | { problem: string } {
  if (typeof value !== 'string') {
    return { problem: 'must be a PEM public key (text starting -----BEGIN PUBLIC KEY-----)' };
  }
  if (/PRIVATE KEY/.test(value)) return { problem: PRIVATE_KEY_ADVICE };
  if (!PUBLIC_HEADER.test(value)) {
    return {
      problem:
        'is not a PEM public key: expected -----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----',
    };
  }
  let key: KeyObject;
  try {
    key = createPublicKey(value);
  } catch {
    return {
      problem:
        'is not a readable PEM public key (the base64 between the BEGIN/END lines is damaged)',
    };
  }
  if (key.type !== 'public') return { problem: PRIVATE_KEY_ADVICE };
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || bits !== 2048) {
    return {
      problem: `must be a 2048-bit RSA public key (got ${key.asymmetricKeyType ?? 'an unknown type'}${bits ? ` ${bits}-bit` : ''}): signedUrl() signs with RSA-SHA1, and CloudFront takes RSA keys of 2048 bits`,
    };
  }
  return { key };
}

function keysOf(entry: PrivatePrefixInput): unknown[] {
  return Array.isArray(entry.publicKey) ? entry.publicKey : [entry.publicKey];
}

/** `/reports/*` and `reports/*` are the same pattern to CloudFront. */
export const normalisePattern = (pattern: string) => pattern.replace(/^\/+/, '');

/** Does glob `a` (CloudFront's `*` and `?`) match every path `b` matches? Literal test of b's text. */
function covers(a: string, b: string): boolean {
  const source = a
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(b);
}

const fingerprintOf = (key: KeyObject) =>
  createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');

/**
 * Cross-field rules: keys, patterns (duplicates, shadowing, collisions with the content-class
 * behaviours), key groups, content classes, and the behaviour count. Each problem names its field.
 */
export function checkPrivatePrefixes(
  entries: readonly PrivatePrefixInput[],
  classes: readonly ContentClassSpec[],
  ctx: Ctx,
  problem: (ctx: Ctx, message: string, path: PropertyKey[]) => void,
): void {
  const base = (i: number, ...rest: PropertyKey[]) => ['privatePrefixes', i, ...rest];
  const classPatterns = new Map(classes.flatMap((c) => c.extensions.map((e) => [`*${e}`, c.name])));
  const classNames = ['default', ...classes.map((c) => c.name)];
  const groups = new Map<string, { index: number; keys: string }>();
  const seen: string[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry.privateKey !== undefined) problem(ctx, PRIVATE_KEY_ADVICE, base(i, 'privateKey'));
    if (entry.publicKeyFile !== undefined) {
      problem(
        ctx,
        'is read by the cdn-pipeline CLI (relative to the spec file); when you start the workflow yourself, give publicKey (the PEM text)',
        base(i, 'publicKeyFile'),
      );
    }
    const pattern = normalisePattern(entry.pathPattern);
    if (!PATH_PATTERN.test(pattern) || pattern.length > PRIVATE_PREFIX_LIMITS.maxPatternChars) {
      problem(
        ctx,
        `${quoted(entry.pathPattern)} is not a CloudFront path pattern: 1 to 255 of A-Z a-z 0-9 _ - . * ? $ / ~ " ' @ : + &`,
        base(i, 'pathPattern'),
      );
    } else if (/^\**$/.test(pattern)) {
      problem(
        ctx,
        `"${entry.pathPattern}" matches every path: private prefixes cover part of the distribution (e.g. reports/*)`,
        base(i, 'pathPattern'),
      );
    } else if (classPatterns.has(pattern)) {
      problem(
        ctx,
        `"${entry.pathPattern}" collides with the cache behaviour of content class "${classPatterns.get(pattern)}"; make it narrower (e.g. private/${pattern}) or drop the extension from the class`,
        base(i, 'pathPattern'),
      );
    } else {
      const earlier = seen.findIndex((p) => p === pattern);
      const shadow = seen.findIndex((p) => covers(p, pattern));
      if (earlier >= 0) {
        problem(
          ctx,
          `repeats privatePrefixes[${earlier}].pathPattern ("${pattern}")`,
          base(i, 'pathPattern'),
        );
      } else if (shadow >= 0) {
        problem(
          ctx,
          `"${pattern}" is never used: privatePrefixes[${shadow}] ("${seen[shadow]}") comes first and matches every path it does; list the narrower pattern first`,
          base(i, 'pathPattern'),
        );
      }
    }
    seen.push(pattern);

    if (!classNames.includes(entry.contentClass)) {
      problem(
        ctx,
        `${quoted(entry.contentClass)} is not a content class of this spec (${classNames.join(', ')})`,
        base(i, 'contentClass'),
      );
    }
    if (entry.keyGroupName !== undefined && !KEY_GROUP_NAME.test(entry.keyGroupName)) {
      problem(ctx, 'must be 1 to 128 letters, digits, "-" or "_"', base(i, 'keyGroupName'));
    }

    const keys = keysOf(entry);
    if (entry.publicKey === undefined) {
      if (entry.publicKeyFile === undefined && entry.privateKey === undefined) {
        problem(
          ctx,
          'is required: the PEM public key whose private half signs the URLs',
          base(i, 'publicKey'),
        );
      }
      continue;
    }
    if (keys.length === 0 || keys.length > PRIVATE_PREFIX_LIMITS.maxKeysPerGroup) {
      problem(
        ctx,
        `must list 1 to ${PRIVATE_PREFIX_LIMITS.maxKeysPerGroup} public keys (CloudFront's keys per key group)`,
        base(i, 'publicKey'),
      );
      continue;
    }
    const fingerprints: string[] = [];
    for (const [k, value] of keys.entries()) {
      const path = Array.isArray(entry.publicKey) ? base(i, 'publicKey', k) : base(i, 'publicKey');
      const parsed = parseKey(value);
      if ('problem' in parsed) {
        problem(ctx, parsed.problem, path);
        continue;
      }
      const fp = fingerprintOf(parsed.key);
      if (fingerprints.includes(fp)) problem(ctx, 'lists the same public key twice', path);
      fingerprints.push(fp);
    }
    if (entry.keyGroupName !== undefined) {
      const set = [...new Set(fingerprints)].sort().join(',');
      const other = groups.get(entry.keyGroupName);
      if (other && other.keys !== set) {
        problem(
          ctx,
          `"${entry.keyGroupName}" is also privatePrefixes[${other.index}]'s key group, with other public keys; one key group has one set of keys`,
          base(i, 'keyGroupName'),
        );
      } else if (!other) groups.set(entry.keyGroupName, { index: i, keys: set });
    }
  }
  const behaviours = classPatterns.size + entries.length;
  if (entries.length > 0 && behaviours > 25) {
    problem(
      ctx,
      `need ${behaviours} cache behaviours (${entries.length} private, ${classPatterns.size} for content-class extensions); CloudFront allows 25 per distribution by default`,
      ['privatePrefixes'],
    );
  }
}

/** The resolved entries (call after the checks passed). */
export function resolvePrivatePrefixes(
  entries: readonly PrivatePrefixInput[],
  specName: string,
): PrivatePrefixSpec[] {
  return entries.map((entry) => {
    const publicKeys = keysOf(entry)
      .map((value) => {
        const key = createPublicKey(value as string);
        const fingerprint = fingerprintOf(key);
        return {
          name: `${RESOURCE_NAME_PREFIX}${specName}-${fingerprint.slice(0, 12)}`,
          encodedKey: key.export({ type: 'spki', format: 'pem' }).toString(),
          fingerprint,
        };
      })
      .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
    const setDigest = createHash('sha256')
      .update(publicKeys.map((k) => k.fingerprint).join(','))
      .digest('hex');
    return {
      pathPattern: normalisePattern(entry.pathPattern),
      keyGroupName:
        entry.keyGroupName ?? `${RESOURCE_NAME_PREFIX}${specName}-keys-${setDigest.slice(0, 12)}`,
      publicKeys,
      contentClass: entry.contentClass,
    };
  });
}

/** Distinct key groups of the resolved entries (first use order). */
export function keyGroupsOf(
  prefixes: readonly PrivatePrefixSpec[],
): Array<{ name: string; publicKeys: readonly PublicKeySpec[] }> {
  const out = new Map<string, readonly PublicKeySpec[]>();
  for (const p of prefixes) if (!out.has(p.keyGroupName)) out.set(p.keyGroupName, p.publicKeys);
  return [...out].map(([name, publicKeys]) => ({ name, publicKeys }));
}

/**
 * For the CLI: replaces each `privatePrefixes[i].publicKeyFile` with `publicKey` (the file's
 * text), paths relative to `baseDir`. A file that cannot be read fails naming the field.
 */
export function resolvePublicKeyFiles(
  spec: Record<string, unknown>,
  baseDir: string,
): Record<string, unknown> {
  const entries = spec.privatePrefixes;
  if (!Array.isArray(entries)) return spec;
  const resolved = entries.map((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object') return entry;
    const { publicKeyFile, ...rest } = entry as Record<string, unknown>;
    if (publicKeyFile === undefined) return entry;
    const field = `privatePrefixes[${i}].publicKeyFile`;
    if (typeof publicKeyFile !== 'string' || publicKeyFile === '') {
      throw new InvalidInputError(field, 'must be the path of a PEM public key file');
    }
    if (rest.publicKey !== undefined) {
      throw new InvalidInputError(field, 'give publicKey or publicKeyFile, not both');
    }
    const path = isAbsolute(publicKeyFile) ? publicKeyFile : resolve(baseDir, publicKeyFile);
    try {
      return { ...rest, publicKey: readFileSync(path, 'utf8') };
    } catch (error) {
      throw new InvalidInputError(
        field,
        `cannot read "${publicKeyFile}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        { cause: error },
      );
    }
  });
  return { ...spec, privatePrefixes: resolved };
}
