/**
 * URL building and signing. Every signed URL is checked the way CloudFront checks it: rebuild
 * the policy from the URL (canned) or read it from `Policy` (custom), then verify the RSA-SHA1
 * signature with the public key — independently of the signer library.
 */
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InvalidInputError } from '../../shared/errors.js';
import { encodePath, invalidationPathForKey, viewerPathForKey } from '../../shared/keys.js';
import {
  cdnUrl,
  loadUrlConfig,
  presignedUrl,
  signedUrl,
  urlFor,
  URL_LIMITS,
  type SigningKey,
} from '../../shared/urls.js';

const DOMAIN = 'cdn.example.com';
const NOW = new Date('2025-06-01T12:00:00.000Z');
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';

let privateKey: string;
let publicKey: KeyObject;
let signing: SigningKey;

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  publicKey = pair.publicKey;
  signing = { keyPairId: KEY_PAIR_ID, privateKey };
});

/** CloudFront's URL-safe base64 back to bytes. */
function fromCloudFrontBase64(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

/**
 * What CloudFront does with a signed URL: the resource is the URL without the signing
 * parameters; the policy is rebuilt (canned) or decoded (custom); the signature must verify.
 */
function checkSignature(url: string): { resource: string; policy: Record<string, unknown> } {
  const q = url.indexOf('?');
  const resource = url.slice(0, q);
  const params = new Map(
    url
      .slice(q + 1)
      .split('&')
      .map((p) => p.split('=') as [string, string]),
  );
  expect(params.get('Key-Pair-Id')).toBe(KEY_PAIR_ID);
  const policy = params.has('Policy')
    ? fromCloudFrontBase64(params.get('Policy')!).toString('utf8')
    : JSON.stringify({
        Statement: [
          {
            Resource: resource,
            Condition: { DateLessThan: { 'AWS:EpochTime': Number(params.get('Expires')) } },
          },
        ],
      });
  const signature = fromCloudFrontBase64(params.get('Signature')!);
  expect(verify('RSA-SHA1', Buffer.from(policy), publicKey, signature)).toBe(true);
  return { resource, policy: JSON.parse(policy) as Record<string, unknown> };
}

/** The path of a URL exactly as written (no URL parser normalising it). */
const pathOf = (url: string, domain = DOMAIN) => {
  const rest = url.slice(`https://${domain}`.length);
  const q = rest.indexOf('?');
  return q < 0 ? rest : rest.slice(0, q);
};

const ODD_KEYS: Array<[string, string]> = [
  ['plain', 'videos/2024/intro.mp4'],
  ['spaces', 'my folder/my file.png'],
  ['plus', 'a+b/c+d.png'],
  ['percent', '100%/50%25.txt'],
  ['question mark', 'what?/really?.txt'],
  ['hash', 'c#/notes#1.md'],
  ['equals and comma', 'q/a=b,c=d.json'],
  ['sub-delims', "x:y@z;$&!'().txt"],
  ['unreserved-looking but unsafe', 'a"b<c>d[e]f{g}h|i\\j^k`l.txt'],
  ['unicode', 'ünïcødé/日本語/🎉.png'],
  ['control characters', 'ctrl/\u0001tab\t\u007f.txt'],
  ['leading slash and double slash', '/root//file.txt'],
  ['1 024-byte key', `${'é'.repeat(511)}.a`],
];

describe('cdnUrl', () => {
  it.each(ODD_KEYS)('is https://domain + the invalidation path for a key with %s', (_, key) => {
    const url = cdnUrl(key, { domain: DOMAIN });
    expect(url).toBe(`https://${DOMAIN}${invalidationPathForKey(key)}`);
    // Only characters that travel as they are: no space, '?', '#', control or non-ASCII.
    expect(url).toMatch(/^https:\/\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+$/);
    // What a browser asks for is the key: S3 decodes the path back to it.
    expect(decodeURIComponent(pathOf(url))).toBe(`/${key}`);
  });

  it('keeps "*" as it is, inside the wildcard that invalidates it', () => {
    const url = cdnUrl('sprites/a*b.png', { domain: DOMAIN });
    expect(url).toBe(`https://${DOMAIN}/sprites/a*b.png`);
    const wildcard = invalidationPathForKey('sprites/a*b.png')!;
    expect(wildcard).toBe('/sprites/a*');
    expect(pathOf(url).startsWith(wildcard.slice(0, -1))).toBe(true);
  });

  it('serves a key under the origin path at the path relative to it', () => {
    expect(cdnUrl('prod/a b.png', { domain: DOMAIN, originPath: '/prod' })).toBe(
      `https://${DOMAIN}${invalidationPathForKey('prod/a b.png', '/prod')}`,
    );
    expect(cdnUrl('prod/a b.png', { domain: DOMAIN, originPath: 'prod/' })).toBe(
      `https://${DOMAIN}/a%20b.png`,
    );
  });

  it('rejects a key outside the origin path, naming key', () => {
    expect(() => cdnUrl('staging/a.png', { domain: DOMAIN, originPath: '/prod' })).toThrow(
      expect.objectContaining({ name: 'InvalidInputError', field: 'key' }),
    );
  });

  it.each([
    ['empty', ''],
    ['1 025 bytes', 'é'.repeat(512) + 'a'],
  ])('rejects a key that is %s, naming key', (_, key) => {
    expect(() => cdnUrl(key, { domain: DOMAIN })).toThrow(
      expect.objectContaining({ field: 'key' }),
    );
  });

  it.each([
    'https://cdn.example.com',
    'cdn.example.com/path',
    'cdn.example.com:443',
    '*.example.com',
    'localhost',
    'cdn..example.com',
    'user@cdn.example.com',
    'cdn example.com',
  ])('rejects the domain %j, naming domain', (domain) => {
    expect(() => cdnUrl('a.png', { domain })).toThrow(
      expect.objectContaining({ name: 'InvalidInputError', field: 'domain' }),
    );
  });

  it('accepts a cloudfront.net domain and lower-cases the host', () => {
    expect(cdnUrl('A.png', { domain: 'D111111ABCDEF8.cloudfront.net' })).toBe(
      'https://d111111abcdef8.cloudfront.net/A.png',
    );
  });
});

describe('signedUrl', () => {
  it.each(ODD_KEYS)('signs a canned policy that verifies, for a key with %s', (_, key) => {
    const { url, kind, expiresAt } = signedUrl(key, {
      domain: DOMAIN,
      ...signing,
      expiresInSeconds: 3600,
      now: NOW,
    });
    expect(kind).toBe('signed');
    expect(expiresAt).toEqual(new Date(NOW.getTime() + 3600_000));
    expect(url).toMatch(/\?Expires=\d+&Key-Pair-Id=K2JCJMDEHXQW5F&Signature=[A-Za-z0-9~_-]+$/);
    expect(pathOf(url)).toBe(invalidationPathForKey(key));
    const { resource } = checkSignature(url);
    expect(resource).toBe(cdnUrl(key, { domain: DOMAIN }));
  });

  it.each(ODD_KEYS)(
    'signs a custom policy (ip, not-before) that verifies, for a key with %s',
    (_, key) => {
      const notBefore = new Date(NOW.getTime() - 60_000);
      const expiresAt = new Date(NOW.getTime() + 600_000);
      const { url } = signedUrl(key, {
        domain: DOMAIN,
        originPath: '',
        ...signing,
        expiresAt,
        notBefore,
        ipAddress: '203.0.113.7',
        now: NOW,
      });
      expect(url).toMatch(/\?Policy=[A-Za-z0-9~_-]+&Key-Pair-Id=K2JCJMDEHXQW5F&Signature=/);
      expect(pathOf(url)).toBe(invalidationPathForKey(key));
      const { resource, policy } = checkSignature(url);
      expect(policy).toEqual({
        Statement: [
          {
            Resource: resource,
            Condition: {
              DateLessThan: { 'AWS:EpochTime': expiresAt.getTime() / 1000 },
              DateGreaterThan: { 'AWS:EpochTime': notBefore.getTime() / 1000 },
              IpAddress: { 'AWS:SourceIp': '203.0.113.7/32' },
            },
          },
        ],
      });
    },
  );

  it('signs a key under an origin path at its viewer path', () => {
    const { url } = signedUrl('prod/a=b c.png', {
      domain: DOMAIN,
      originPath: '/prod',
      ...signing,
      expiresInSeconds: 60,
      now: NOW,
    });
    expect(pathOf(url)).toBe('/a=b%20c.png');
    checkSignature(url);
  });

  it('matches the signer library byte for byte where it leaves the path alone', () => {
    const key = 'videos/2024/intro-1.mp4';
    const ours = signedUrl(key, { domain: DOMAIN, ...signing, expiresInSeconds: 3600, now: NOW });
    const theirs = getSignedUrl({
      url: `https://${DOMAIN}/${key}`,
      keyPairId: KEY_PAIR_ID,
      privateKey,
      dateLessThan: ours.expiresAt!,
    });
    expect(ours.url).toBe(theirs);
  });

  it('keeps "=" and "," as the invalidation path has them, where getSignedUrl would re-encode', () => {
    const key = 'q/a=b,c.json';
    const { url } = signedUrl(key, { domain: DOMAIN, ...signing, expiresInSeconds: 60, now: NOW });
    expect(pathOf(url)).toBe('/q/a=b,c.json');
    expect(pathOf(url)).toBe(invalidationPathForKey(key));
  });

  it('rejects "*" in a custom policy, where it would be a wildcard granting other keys', () => {
    const base = { domain: DOMAIN, ...signing, expiresInSeconds: 60, now: NOW };
    expect(() => signedUrl('a*b.png', { ...base, ipAddress: '203.0.113.7' })).toThrow(
      expect.objectContaining({ field: 'key' }),
    );
    // Canned: CloudFront rebuilds the resource from the request, so "*" is just a character.
    checkSignature(signedUrl('a*b.png', base).url);
  });

  describe('expiry', () => {
    let base: { domain: string; keyPairId: string; privateKey: string; now: Date };
    beforeAll(() => {
      base = { domain: DOMAIN, ...signing, now: NOW };
    });

    it.each([
      ['in the past', { expiresAt: new Date(NOW.getTime() - 1000) }, 'expiresAt'],
      ['now', { expiresAt: NOW }, 'expiresAt'],
      ['a negative lifetime', { expiresInSeconds: -5 }, 'expiresInSeconds'],
      ['zero seconds', { expiresInSeconds: 0 }, 'expiresInSeconds'],
      ['not a number', { expiresInSeconds: Number.NaN }, 'expiresInSeconds'],
      ['an invalid date', { expiresAt: new Date('nope') }, 'expiresAt'],
      ['past the 7-day default limit', { expiresInSeconds: 7 * 86400 + 1 }, 'expiresInSeconds'],
    ] as const)('rejects an expiry %s, naming the field', (_, expiry, field) => {
      expect(() => signedUrl('a.png', { ...base, ...expiry })).toThrow(
        expect.objectContaining({ name: 'InvalidInputError', field }),
      );
    });

    it('accepts exactly 7 days, and more when maxTtlSeconds allows it', () => {
      expect(signedUrl('a.png', { ...base, expiresInSeconds: 7 * 86400 }).expiresAt).toEqual(
        new Date(NOW.getTime() + 7 * 86400_000),
      );
      const month = 30 * 86400;
      const { url } = signedUrl('a.png', {
        ...base,
        expiresInSeconds: month,
        maxTtlSeconds: month,
      });
      checkSignature(url);
    });

    it('rejects a not-before at or after the expiry, naming notBefore', () => {
      expect(() =>
        signedUrl('a.png', {
          ...base,
          expiresInSeconds: 60,
          notBefore: new Date(NOW.getTime() + 60_000),
        }),
      ).toThrow(expect.objectContaining({ field: 'notBefore' }));
    });

    it.each(['10.0.0.256', '10.0.0.1/33', '::1', 'example.com'])(
      'rejects the ip address %j, naming ipAddress',
      (ipAddress) => {
        expect(() => signedUrl('a.png', { ...base, expiresInSeconds: 60, ipAddress })).toThrow(
          expect.objectContaining({ field: 'ipAddress' }),
        );
      },
    );
  });

  it('rejects a bad key pair id or a non-RSA key without echoing the key', () => {
    const base = { domain: DOMAIN, expiresInSeconds: 60, now: NOW };
    expect(() => signedUrl('a.png', { ...base, ...signing, keyPairId: 'k-1' })).toThrow(
      expect.objectContaining({ field: 'keyPairId' }),
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const bad of [ec, 'not a key', privateKey.slice(0, 200)]) {
      let error: unknown;
      try {
        signedUrl('a.png', { ...base, keyPairId: KEY_PAIR_ID, privateKey: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe('privateKey');
      expect((error as Error).message).not.toContain('PRIVATE KEY');
      if (bad.length > 80) expect((error as Error).message).not.toContain(bad.slice(40, 80));
    }
  });
});

describe('URLs reach their object as a browser parses them', () => {
  // Browsers (WHATWG URL) resolve "." and ".." segments, also written %2E / %2e%2E, before
  // sending: new URL() here is the same parser, so a URL is right when it keeps the key.
  it.each([
    ...ODD_KEYS.map(([, key]) => key),
    'static/js/runtime~main.3f2a.js',
    'sprites/a*b.png',
    '.well-known/x.json',
    'a/..b/c.txt',
    'a/.../b.txt',
    'a/%2E%2E/b.txt',
  ])('keeps the path of %j', (key) => {
    const url = cdnUrl(key, { domain: DOMAIN });
    expect(decodeURIComponent(new URL(url).pathname)).toBe(`/${key}`);
  });

  it('keeps "~" raw, as browsers send it, under the superset that invalidates it', () => {
    const key = 'static/js/runtime~main.3f2a.js';
    const url = cdnUrl(key, { domain: DOMAIN });
    expect(url).toBe(`https://${DOMAIN}/static/js/runtime~main.3f2a.js`);
    const superset = invalidationPathForKey(key)!;
    expect(superset).toBe('/static/js/runtime*');
    expect(pathOf(url).startsWith(superset.slice(0, -1))).toBe(true);
  });

  const DOT_KEYS = ['a/../b.png', './x.png', 'a/./b.png', 'a/..', '..', 'prod/../x.png'];
  const presign = {
    s3: new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'A', secretAccessKey: 'S' },
    }),
    bucket: 'my-content',
  };
  const refusal = expect.objectContaining({
    name: 'InvalidInputError',
    field: 'key',
    message: expect.stringMatching(/"\.\.?" segment/) as unknown,
  }) as Error;

  it.each(DOT_KEYS)('refuses a CDN or signed URL for %j, naming the key', (key) => {
    expect(() => cdnUrl(key, { domain: DOMAIN })).toThrow(refusal);
    expect(() => cdnUrl(key, { domain: DOMAIN })).toThrow(key);
    expect(() =>
      signedUrl(key, { domain: DOMAIN, ...signing, expiresInSeconds: 60, now: NOW }),
    ).toThrow(refusal);
  });

  it.each(DOT_KEYS)(
    'refuses a presigned URL for %j too: S3 URLs are resolved the same way',
    async (key) => {
      await expect(
        presignedUrl(presign.s3, { bucket: presign.bucket, key, expiresInSeconds: 60 }),
      ).rejects.toMatchObject({ field: 'key' });
      await expect(urlFor(key, { domain: DOMAIN, presign })).rejects.toMatchObject({
        field: 'key',
      });
      await expect(urlFor(key, { presign })).rejects.toMatchObject({ field: 'key' });
      await expect(
        urlFor(key, { domain: DOMAIN, originPath: '/elsewhere', presign }),
      ).rejects.toMatchObject({ field: 'key' });
    },
  );
});

describe('presignedUrl', () => {
  const s3 = (expiration?: Date) =>
    new S3Client({
      region: 'eu-west-1',
      credentials: {
        accessKeyId: 'AKIAEXAMPLE',
        secretAccessKey: 'secret',
        ...(expiration ? { sessionToken: 'token', expiration } : {}),
      },
    });

  it('presigns a GET for the key, encoded, valid for the lifetime asked', async () => {
    const result = await presignedUrl(s3(), {
      bucket: 'my-content',
      key: 'a b+c.png',
      expiresInSeconds: 900,
      now: NOW,
    });
    expect(result.kind).toBe('presigned');
    expect(result.expiresAt).toEqual(new Date(NOW.getTime() + 900_000));
    const url = new URL(result.url);
    expect(url.hostname).toBe('my-content.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/a%20b%2Bc.png');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(result.note).toBeUndefined();
  });

  it('says when temporary credentials end the URL before the lifetime asked', async () => {
    const sessionEnd = new Date(NOW.getTime() + 600_000);
    const result = await presignedUrl(s3(sessionEnd), {
      bucket: 'my-content',
      key: 'a.png',
      expiresInSeconds: 3600,
      now: NOW,
    });
    expect(result.expiresAt).toEqual(sessionEnd);
    expect(result.note).toMatch(/temporary credentials/);
  });

  it.each([0, 1.5, URL_LIMITS.presignedMaxSeconds + 1])(
    'rejects a lifetime of %s s, naming expiresInSeconds',
    async (expiresInSeconds) => {
      await expect(
        presignedUrl(s3(), { bucket: 'b-1', key: 'a', expiresInSeconds }),
      ).rejects.toMatchObject({ field: 'expiresInSeconds' });
    },
  );
});

describe('urlFor', () => {
  const presign = {
    s3: new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'A', secretAccessKey: 'S' },
    }),
    bucket: 'my-content',
  };

  it.each([
    // [case, kind, options, key]
    ['public, domain', 'cdn', { domain: DOMAIN }, 'a.png'],
    ['public, domain, presign available', 'cdn', { domain: DOMAIN, presign: true }, 'a.png'],
    ['public, no domain', 'presigned', { presign: true }, 'a.png'],
    [
      'public, outside origin path',
      'presigned',
      { domain: DOMAIN, originPath: '/prod', presign: true },
      'a.png',
    ],
    ['private, key pair', 'signed', { domain: DOMAIN, signed: true, signing: true }, 'a.png'],
    [
      'private, key pair and presign',
      'signed',
      { domain: DOMAIN, signed: true, signing: true, presign: true },
      'a.png',
    ],
    ['private, no key pair', 'presigned', { domain: DOMAIN, signed: true, presign: true }, 'a.png'],
    [
      'private, key pair, no domain',
      'presigned',
      { signed: true, signing: true, presign: true },
      'a.png',
    ],
  ] as const)('%s → %s', async (_, kind, o, key) => {
    const result = await urlFor(key, {
      ...('domain' in o ? { domain: o.domain } : {}),
      ...('originPath' in o ? { originPath: o.originPath } : {}),
      ...('signed' in o ? { signed: o.signed } : {}),
      ...('signing' in o ? { signingKey: signing } : {}),
      ...('presign' in o ? { presign } : {}),
      now: NOW,
    });
    expect(result.kind).toBe(kind);
    if (kind === 'cdn') expect(result.expiresAt).toBeUndefined();
    else
      expect(result.expiresAt).toEqual(
        new Date(NOW.getTime() + URL_LIMITS.defaultTtlSeconds * 1000),
      );
    if (kind === 'presigned') expect(result.note).toBeTruthy();
    if (kind === 'signed') checkSignature(result.url);
  });

  it.each([
    ['private without a signing key', { signed: true, domain: DOMAIN }, 'signingKey'],
    ['no domain', {}, 'domain'],
    ['a key outside the origin path', { domain: DOMAIN, originPath: '/prod' }, 'key'],
    ['a bad domain', { domain: 'https://x.example.com', presign: undefined }, 'domain'],
  ] as const)(
    'fails on %s when it has no bucket to presign from, naming %s',
    async (_, options, field) => {
      await expect(urlFor('a.png', options)).rejects.toMatchObject({
        name: 'InvalidInputError',
        field,
      });
    },
  );

  it('rejects a bad domain even when it could presign', async () => {
    await expect(
      urlFor('a.png', { domain: 'cdn.example.com/x', originPath: '/prod', presign }),
    ).rejects.toMatchObject({ field: 'domain' });
  });

  it('uses the lifetime asked for signed URLs', async () => {
    const result = await urlFor('a.png', {
      domain: DOMAIN,
      signed: true,
      signingKey: signing,
      expiresInSeconds: 120,
      now: NOW,
    });
    expect(result.expiresAt).toEqual(new Date(NOW.getTime() + 120_000));
  });
});

describe('loadUrlConfig', () => {
  let pemFile: string;
  beforeAll(() => {
    pemFile = join(mkdtempSync(join(tmpdir(), 'urls-')), 'key.pem');
    writeFileSync(pemFile, privateKey);
  });

  it('reads the defaults', () => {
    expect(loadUrlConfig({})).toEqual({
      cdnEnabled: true,
      originPath: '',
      ttlSeconds: 3600,
      maxTtlSeconds: 7 * 86400,
    });
  });

  it('reads a domain, origin path, key pair from a file and lifetimes', () => {
    const config = loadUrlConfig({
      CDN_DOMAIN: 'CDN.example.com',
      CDN_ORIGIN_PATH: '/prod',
      CDN_KEY_PAIR_ID: KEY_PAIR_ID,
      CDN_PRIVATE_KEY_FILE: pemFile,
      CDN_URL_TTL_SECONDS: '600',
      CDN_URL_MAX_TTL_SECONDS: '86400',
    });
    expect(config).toMatchObject({
      domain: 'cdn.example.com',
      originPath: '/prod',
      ttlSeconds: 600,
      maxTtlSeconds: 86400,
    });
    expect(config.signingKey).toEqual({ keyPairId: KEY_PAIR_ID, privateKey });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('accepts a PEM with literal \\n, as .env files carry it', () => {
    const config = loadUrlConfig({
      CDN_KEY_PAIR_ID: KEY_PAIR_ID,
      CDN_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n'),
    });
    expect(config.signingKey?.privateKey).toBe(privateKey);
  });

  it.each([
    ['a domain with a scheme', { CDN_DOMAIN: 'https://cdn.example.com' }, 'CDN_DOMAIN'],
    ['a key pair id without a key', { CDN_KEY_PAIR_ID: KEY_PAIR_ID }, 'CDN_PRIVATE_KEY'],
    ['a key without a key pair id', { CDN_PRIVATE_KEY: 'x' }, 'CDN_KEY_PAIR_ID'],
    [
      'a PEM that is not a key',
      { CDN_KEY_PAIR_ID: KEY_PAIR_ID, CDN_PRIVATE_KEY: 'nope' },
      'CDN_PRIVATE_KEY',
    ],
    [
      'a missing key file',
      { CDN_KEY_PAIR_ID: KEY_PAIR_ID, CDN_PRIVATE_KEY_FILE: '/nonexistent/key.pem' },
      'CDN_PRIVATE_KEY_FILE',
    ],
    ['a TTL that is not a number', { CDN_URL_TTL_SECONDS: '1h' }, 'CDN_URL_TTL_SECONDS'],
    ['a TTL of 0', { CDN_URL_TTL_SECONDS: '0' }, 'CDN_URL_TTL_SECONDS'],
    [
      'a TTL above the maximum',
      { CDN_URL_TTL_SECONDS: '7200', CDN_URL_MAX_TTL_SECONDS: '3600' },
      'CDN_URL_TTL_SECONDS',
    ],
  ])('fails on %s (%j), naming %s', (_, env, field) => {
    expect(() => loadUrlConfig(env)).toThrow(
      expect.objectContaining({ name: 'ConfigError', field }),
    );
  });

  it('fails on both a key and a key file, and never quotes the key', () => {
    let error: unknown;
    try {
      loadUrlConfig({
        CDN_KEY_PAIR_ID: KEY_PAIR_ID,
        CDN_PRIVATE_KEY: privateKey,
        CDN_PRIVATE_KEY_FILE: pemFile,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('CDN_PRIVATE_KEY_FILE');
    expect((error as Error).message).not.toContain('PRIVATE KEY');
  });

  it('fails on a bad key pair id with a good key, naming CDN_KEY_PAIR_ID', () => {
    expect(() =>
      loadUrlConfig({ CDN_KEY_PAIR_ID: 'lower-case', CDN_PRIVATE_KEY_FILE: pemFile }),
    ).toThrow(expect.objectContaining({ field: 'CDN_KEY_PAIR_ID' }));
  });
});

describe('the key mapping behind URLs', () => {
  it('is the viewer path, encoded', () => {
    for (const [, key] of ODD_KEYS) {
      expect(cdnUrl(key, { domain: DOMAIN })).toBe(
        `https://${DOMAIN}${encodePath(viewerPathForKey(key)!)}`,
      );
    }
  });
});
