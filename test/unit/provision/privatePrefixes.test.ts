/**
 * The spec's `privatePrefixes` (shared/distributionSpec/privatePrefixes.ts): public keys only (a
 * private key is refused and never quoted), CloudFront path patterns without duplicates,
 * shadowing or collisions with the content-class behaviours, one key set per key group, and the
 * resolved form the workflow uses (names, SPKI PEM, fingerprints).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specInput, validSpec } from '../../../cli/provisionSpec.js';
import { InvalidInputError } from '../../../shared/errors.js';
import {
  keyGroupsOf,
  parseDistributionSpec,
  resolvePublicKeyFiles,
} from '../../../shared/distributionSpec.js';

const pair = (modulusLength = 2048) => generateKeyPairSync('rsa', { modulusLength });
const a = pair();
const b = pair();
const spki = (k: ReturnType<typeof pair>) =>
  k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const pkcs1Public = a.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const privatePkcs8 = a.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const privatePkcs1 = a.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PUBLIC_A = spki(a);
const PUBLIC_B = spki(b);

const parse = (privatePrefixes: unknown, extra: Record<string, unknown> = {}) =>
  parseDistributionSpec({ bucket: 'my-content', name: 'docs', privatePrefixes, ...extra });

function rejection(privatePrefixes: unknown, extra: Record<string, unknown> = {}) {
  try {
    parse(privatePrefixes, extra);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

describe('privatePrefixes, accepted', () => {
  it('defaults to none', () => {
    expect(parseDistributionSpec({ bucket: 'my-content' }).privatePrefixes).toEqual([]);
  });

  it('resolves a prefix: pattern without its leading "/", SPKI key, derived names', () => {
    const [p] = parse([{ pathPattern: '/reports/*', publicKey: PUBLIC_A }]).privatePrefixes;
    expect(p).toMatchObject({ pathPattern: 'reports/*', contentClass: 'default' });
    expect(p!.keyGroupName).toMatch(/^cdnp-docs-keys-[0-9a-f]{12}$/);
    expect(p!.publicKeys).toHaveLength(1);
    expect(p!.publicKeys[0]!.encodedKey).toBe(PUBLIC_A);
    expect(p!.publicKeys[0]!.name).toBe(`cdnp-docs-${p!.publicKeys[0]!.fingerprint.slice(0, 12)}`);
  });

  it('reads a PKCS#1 public key as the same key in SPKI form', () => {
    const [fromPkcs1] = parse([{ pathPattern: 'r/*', publicKey: pkcs1Public }]).privatePrefixes;
    const [fromSpki] = parse([{ pathPattern: 'r/*', publicKey: PUBLIC_A }]).privatePrefixes;
    expect(fromPkcs1).toEqual(fromSpki);
  });

  it('gives prefixes with the same keys one key group, and a rotation (two keys) another', () => {
    const spec = parse([
      { pathPattern: 'reports/*', publicKey: PUBLIC_A },
      { pathPattern: 'invoices/*', publicKey: PUBLIC_A, contentClass: 'video' },
      { pathPattern: 'exports/*', publicKey: [PUBLIC_B, PUBLIC_A] },
    ]);
    const [r, i, e] = spec.privatePrefixes;
    expect(r!.keyGroupName).toBe(i!.keyGroupName);
    expect(e!.keyGroupName).not.toBe(r!.keyGroupName);
    expect(e!.publicKeys.map((k) => k.fingerprint)).toEqual(
      [...e!.publicKeys.map((k) => k.fingerprint)].sort(),
    );
    expect(keyGroupsOf(spec.privatePrefixes).map((g) => g.publicKeys.length)).toEqual([1, 2]);
  });

  it('keeps a given key group name', () => {
    const [p] = parse([
      { pathPattern: 'reports/*', publicKey: PUBLIC_A, keyGroupName: 'report-signers' },
    ]).privatePrefixes;
    expect(p!.keyGroupName).toBe('report-signers');
  });
});

describe('privatePrefixes, refused with the field named', () => {
  it.each([
    ['a PKCS#8 private key', privatePkcs8],
    ['a PKCS#1 private key', privatePkcs1],
  ])('refuses %s loudly, without quoting it', (_what, key) => {
    const error = rejection([{ pathPattern: 'reports/*', publicKey: key }]);
    expect(error.field).toBe('privatePrefixes[0].publicKey');
    expect(error.message).toMatch(/is a PRIVATE key: never put one in the spec/);
    expect(error.message).toContain('CDN_PRIVATE_KEY');
    const body = key.split('\n')[1]!;
    expect(error.message).not.toContain(body);
    expect(JSON.stringify(error)).not.toContain(body);
  });

  it.each<[string, unknown, string]>([
    ['a bare key instead of an entry', [privatePkcs8], 'privatePrefixes[0]'],
    ['a key instead of the list', privatePkcs8, 'privatePrefixes'],
    [
      'a key as the path pattern',
      [{ pathPattern: privatePkcs8, publicKey: PUBLIC_A }],
      'privatePrefixes[0].pathPattern',
    ],
    [
      'a key as the content class',
      [{ pathPattern: 'r/*', publicKey: PUBLIC_A, contentClass: privatePkcs8 }],
      'privatePrefixes[0].contentClass',
    ],
  ])('never quotes key material it refuses: %s', (_what, entries, field) => {
    const error = rejection(entries);
    expect(error.field).toBe(field);
    expect(error.message).not.toContain(privatePkcs8.split('\n')[1]!);
    expect(error.message).not.toContain('PRIVATE KEY-----');
  });

  it('refuses a privateKey field, without quoting it', () => {
    const error = rejection([
      { pathPattern: 'reports/*', publicKey: PUBLIC_A, privateKey: privatePkcs8 },
    ]);
    expect(error.field).toBe('privatePrefixes[0].privateKey');
    expect(error.message).toMatch(/PRIVATE key/);
    expect(error.message).not.toContain(privatePkcs8.split('\n')[1]!);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['text that is no key', 'hello', 'privatePrefixes[0].publicKey', /is not a PEM public key/],
    ['a number', 42, 'privatePrefixes[0].publicKey', /must be a PEM public key/],
    [
      'a damaged key',
      PUBLIC_A.replace(/[A-Za-z0-9+/]{20}/, '!!!!'),
      'privatePrefixes[0].publicKey',
      /is not a readable PEM public key/,
    ],
    ['a 1024-bit key', spki(pair(1024)), 'privatePrefixes[0].publicKey', /2048-bit RSA .*1024-bit/],
    ['no key', undefined, 'privatePrefixes[0].publicKey', /is required/],
    ['an empty key list', [], 'privatePrefixes[0].publicKey', /1 to 5 public keys/],
    [
      'the same key twice',
      [PUBLIC_A, PUBLIC_A],
      'privatePrefixes[0].publicKey[1]',
      /same public key twice/,
    ],
    [
      'a bad key in a list',
      [PUBLIC_A, 'x'],
      'privatePrefixes[0].publicKey[1]',
      /not a PEM public key/,
    ],
  ])('refuses %s', (_what, publicKey, field, message) => {
    const error = rejection([{ pathPattern: 'reports/*', publicKey }]);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it.each<[string, unknown[], string, RegExp]>([
    [
      'a duplicate pattern',
      [
        { pathPattern: 'reports/*', publicKey: PUBLIC_A },
        { pathPattern: '/reports/*', publicKey: PUBLIC_B },
      ],
      'privatePrefixes[1].pathPattern',
      /repeats privatePrefixes\[0\]\.pathPattern/,
    ],
    [
      'a pattern shadowed by an earlier, broader one',
      [
        { pathPattern: 'reports/*', publicKey: PUBLIC_A },
        { pathPattern: 'reports/2026/*', publicKey: PUBLIC_B },
      ],
      'privatePrefixes[1].pathPattern',
      /never used: privatePrefixes\[0\] .* list the narrower pattern first/,
    ],
    [
      'a pattern equal to a content-class behaviour',
      [{ pathPattern: '*.mp4', publicKey: PUBLIC_A }],
      'privatePrefixes[0].pathPattern',
      /collides with the cache behaviour of content class "video"/,
    ],
    [
      'a pattern matching every path',
      [{ pathPattern: '/*', publicKey: PUBLIC_A }],
      'privatePrefixes[0].pathPattern',
      /matches every path/,
    ],
    [
      'characters CloudFront refuses',
      [{ pathPattern: 'reports /*', publicKey: PUBLIC_A }],
      'privatePrefixes[0].pathPattern',
      /not a CloudFront path pattern/,
    ],
    [
      'an unknown content class',
      [{ pathPattern: 'reports/*', publicKey: PUBLIC_A, contentClass: 'pdfs' }],
      'privatePrefixes[0].contentClass',
      /"pdfs" is not a content class of this spec \(default, /,
    ],
    [
      'a key group name CloudFront refuses',
      [{ pathPattern: 'reports/*', publicKey: PUBLIC_A, keyGroupName: 'my group' }],
      'privatePrefixes[0].keyGroupName',
      /letters, digits/,
    ],
    [
      'one key group name with two key sets',
      [
        { pathPattern: 'reports/*', publicKey: PUBLIC_A, keyGroupName: 'signers' },
        { pathPattern: 'exports/*', publicKey: PUBLIC_B, keyGroupName: 'signers' },
      ],
      'privatePrefixes[1].keyGroupName',
      /also privatePrefixes\[0\]'s key group, with other public keys/,
    ],
    [
      'a publicKeyFile the CLI did not read',
      [{ pathPattern: 'reports/*', publicKeyFile: 'public_key.pem' }],
      'privatePrefixes[0].publicKeyFile',
      /read by the cdn-pipeline CLI/,
    ],
    [
      'an unknown field',
      [{ pathPattern: 'reports/*', publicKey: PUBLIC_A, keyPairId: 'K1' }],
      'privatePrefixes[0].keyPairId',
      /not a field/,
    ],
  ])('refuses %s', (_what, entries, field, message) => {
    const error = rejection(entries);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('counts private behaviours against the 25 behaviours of a distribution', () => {
    const entries = Array.from({ length: 17 }, (_, i) => ({
      pathPattern: `p${i}/*`,
      publicKey: PUBLIC_A,
    }));
    const error = rejection(entries);
    expect(error.field).toBe('privatePrefixes');
    expect(error.message).toMatch(/need \d+ cache behaviours \(17 private/);
  });

  it('lets a narrower pattern come before a broader one', () => {
    const spec = parse([
      { pathPattern: 'reports/2026/*', publicKey: PUBLIC_B },
      { pathPattern: 'reports/*', publicKey: PUBLIC_A },
    ]);
    expect(spec.privatePrefixes.map((p) => p.pathPattern)).toEqual(['reports/2026/*', 'reports/*']);
  });
});

describe('resolvePublicKeyFiles (the CLI reads publicKeyFile)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdnp-keys-'));
  writeFileSync(join(dir, 'public_key.pem'), PUBLIC_A);

  it('replaces publicKeyFile with the file text, relative to the spec file', () => {
    const spec = resolvePublicKeyFiles(
      {
        bucket: 'my-content',
        privatePrefixes: [{ pathPattern: 'r/*', publicKeyFile: 'public_key.pem' }],
      },
      dir,
    );
    expect(spec.privatePrefixes).toEqual([{ pathPattern: 'r/*', publicKey: PUBLIC_A }]);
    expect(parseDistributionSpec(spec).privatePrefixes[0]!.publicKeys[0]!.encodedKey).toBe(
      PUBLIC_A,
    );
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a missing file', { publicKeyFile: 'nope.pem' }, /cannot read "nope.pem": ENOENT/],
    ['both fields', { publicKeyFile: 'public_key.pem', publicKey: PUBLIC_A }, /not both/],
  ])('refuses %s naming the field', (_what, entry, message) => {
    expect(() =>
      resolvePublicKeyFiles({ privatePrefixes: [{ pathPattern: 'r/*', ...entry }] }, dir),
    ).toThrow(
      expect.objectContaining({
        field: 'privatePrefixes[0].publicKeyFile',
        message: expect.stringMatching(message),
      }),
    );
  });
});

describe('cdn-pipeline provision --spec with publicKeyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdnp-spec-'));
  writeFileSync(join(dir, 'public_key.pem'), PUBLIC_A);
  writeFileSync(join(dir, 'private_key.pem'), privatePkcs8);
  const specFile = (keyFile: string) => {
    const path = join(dir, `spec-${keyFile}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        bucket: 'my-content',
        privatePrefixes: [{ pathPattern: 'reports/*', publicKeyFile: keyFile }],
      }),
    );
    return path;
  };

  it('reads the key file beside the spec', async () => {
    const spec = validSpec(await specInput({ spec: specFile('public_key.pem') }));
    expect(spec.privatePrefixes[0]!.publicKeys[0]!.encodedKey).toBe(PUBLIC_A);
  });

  it('refuses a private key file before anything starts, without quoting it', async () => {
    const input = await specInput({ spec: specFile('private_key.pem') });
    expect(() => validSpec(input)).toThrow(
      /invalid spec: privatePrefixes\[0\]\.publicKey: is a PRIVATE key/,
    );
    expect(() => validSpec(input)).not.toThrow(privatePkcs8.split('\n')[1]!);
  });

  it('names the field when the key file is missing', async () => {
    await expect(specInput({ spec: specFile('missing.pem') })).rejects.toThrow(
      /--spec .*: privatePrefixes\[0\]\.publicKeyFile: cannot read "missing.pem"/,
    );
  });
});
