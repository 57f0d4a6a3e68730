/**
 * URLs against the emulator: presigned S3 URLs fetched for real (the emulator checks their
 * signature), and `cdn-pipeline url` finding the distribution that serves a bucket — its custom
 * domain when it has one, else its cloudfront.net domain — with the pipeline's path encoding.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { EXIT } from '../../cli/context.js';
import { parseExpires, registerUrl, urlCommand } from '../../cli/url.js';
import { provisionedStack, type LocalResources } from '../../local/pipeline.js';
import { provisionLocally } from '../../local/provision.js';
import { invalidationPathForKey } from '../../shared/keys.js';
import { presignedUrl } from '../../shared/urls.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const ALIASED_BUCKET = 'urls-aliased-content';
const ALIAS = 'media.example.com';
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-000000000002';
const KEYS = ['plain.txt', 'my folder/a b+c=d,e.txt', 'ünï/日本 #1?.txt', '100% real.txt'];

let emu: TestEmulator;
let res: LocalResources;
let stdout: string[];
let stderr: string[];

beforeAll(async () => {
  emu = await startTestEmulator();
  res = await provisionedStack(emu.clients, { stage: 'urls' });
  for (const key of KEYS) {
    await emu.clients.s3.send(
      new PutObjectCommand({ Bucket: res.bucket, Key: key, Body: `body of ${key}` }),
    );
  }
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: ALIASED_BUCKET }));
  const run = await provisionLocally({
    clients: emu.clients,
    alertsTopicArn: res.alertsTopicArn,
    spec: { bucket: ALIASED_BUCKET, aliases: [ALIAS], certificateArn: CERT },
    stage: 'urls',
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
  });
  expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
  vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu?.stop();
});
afterEach(() => vi.restoreAllMocks());

function capture(): void {
  stdout = [];
  stderr = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    stdout.push(args.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    stderr.push(args.join(' '));
  });
}

describe('presignedUrl on the emulator', () => {
  it.each(KEYS)('returns the body of %j to a plain fetch', async (key) => {
    const { url, kind } = await presignedUrl(emu.clients.s3, {
      bucket: res.bucket,
      key,
      expiresInSeconds: 300,
    });
    expect(kind).toBe('presigned');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`body of ${key}`);
  });

  it('carries a SigV4 query for the exact key (moto does not check presigned signatures)', async () => {
    const { url, expiresAt } = await presignedUrl(emu.clients.s3, {
      bucket: res.bucket,
      key: 'my folder/a b+c=d,e.txt',
      expiresInSeconds: 300,
    });
    const parsed = new URL(url);
    expect(parsed.pathname).toBe(`/${res.bucket}/my%20folder/a%20b%2Bc%3Dd%2Ce.txt`);
    expect(parsed.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(parsed.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(parsed.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    // The path alone decides which object comes back: another key is a 404.
    const other = url.replace('a%20b%2Bc', 'a%20b%20c');
    expect((await fetch(other)).status).toBe(404);
  });
});

describe('cdn-pipeline url', () => {
  it("prints the distribution's cloudfront.net URL, encoded as the pipeline invalidates", async () => {
    capture();
    expect(await urlCommand(KEYS, { bucket: res.bucket, local: true })).toBe('ok');
    expect(stdout).toEqual(
      KEYS.map((key) => `https://${res.distribution.domainName}${invalidationPathForKey(key)}`),
    );
    expect(stderr).toEqual([]);
  });

  it('prints the custom domain of a distribution that has an alias, as JSON', async () => {
    capture();
    expect(await urlCommand(['a b.png'], { bucket: ALIASED_BUCKET, local: true, json: true })).toBe(
      'ok',
    );
    const printed = JSON.parse(stdout.join('\n')) as Array<Record<string, unknown>>;
    expect(printed).toEqual([
      expect.objectContaining({
        key: 'a b.png',
        url: `https://${ALIAS}/a%20b.png`,
        kind: 'cdn',
        distributionId: expect.any(String),
      }),
    ]);
    expect(printed[0]).not.toHaveProperty('expiresAt');
  });

  it('signs with a key pair file, on the discovered domain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'url-cli-'));
    const pem = join(dir, 'private_key.pem');
    writeFileSync(
      pem,
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    );
    capture();
    const code = await urlCommand(['my folder/a b+c=d,e.txt'], {
      bucket: res.bucket,
      local: true,
      json: true,
      signed: true,
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKeyFile: pem,
      expires: 3600,
    });
    expect(code, stderr.join('\n')).toBe('ok');
    const [printed] = JSON.parse(stdout.join('\n')) as Array<{
      url: string;
      kind: string;
      expiresAt: string;
    }>;
    expect(printed!.kind).toBe('signed');
    expect(printed!.url).toMatch(
      new RegExp(
        `^https://${res.distribution.domainName.replace(/\./g, '\\.')}/my%20folder/a%20b%2Bc=d,e\\.txt\\?Expires=\\d+&Key-Pair-Id=K2JCJMDEHXQW5F&Signature=`,
      ),
    );
    const lifetime = new Date(printed!.expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
  });

  it('falls back to a presigned URL when --signed has no key pair, and says so', async () => {
    capture();
    const code = await urlCommand(['plain.txt'], { bucket: res.bucket, local: true, signed: true });
    expect(code).toBe('ok');
    expect(stdout).toHaveLength(1);
    expect(stderr.join('\n')).toMatch(
      /presigned URL: private content and no CloudFront signing key/,
    );
    const response = await fetch(stdout[0]!);
    expect(await response.text()).toBe('body of plain.txt');
  });

  it('prints presigned URLs that work with --presigned', async () => {
    capture();
    expect(
      await urlCommand(['ünï/日本 #1?.txt'], {
        bucket: res.bucket,
        local: true,
        presigned: true,
        expires: 60,
      }),
    ).toBe('ok');
    expect(await (await fetch(stdout[0]!)).text()).toBe('body of ünï/日本 #1?.txt');
  });

  it('needs no AWS with --domain, and honours the origin path', async () => {
    capture();
    expect(
      await urlCommand(['prod/a=b.png'], { domain: 'cdn.example.com', originPath: '/prod' }),
    ).toBe('ok');
    expect(stdout).toEqual(['https://cdn.example.com/a=b.png']);
  });

  it.each([
    ['no domain and no bucket', [], {}, /give --domain/],
    [
      'a key outside the origin path',
      ['a.png'],
      { domain: 'cdn.example.com', originPath: '/prod' },
      /key: "a.png" lies outside the origin path/,
    ],
    [
      'a domain with a scheme',
      ['a.png'],
      { domain: 'https://cdn.example.com' },
      /domain: must be a host name only/,
    ],
    ['--presigned without a bucket', ['a.png'], { presigned: true }, /--presigned needs --bucket/],
    [
      '--signed with an unreadable key file',
      ['a.png'],
      {
        domain: 'cdn.example.com',
        signed: true,
        keyPairId: 'K1',
        privateKeyFile: '/nonexistent.pem',
      },
      /--private-key-file: cannot read/,
    ],
  ] as const)('exits with usage on %s', async (_, keys, flags, message) => {
    capture();
    expect(await urlCommand(keys.length ? keys : ['a.png'], flags)).toBe('usage');
    expect(stderr.join('\n')).toMatch(message);
  });
});

describe('registerUrl', () => {
  afterEach(() => {
    process.exitCode = 0;
  });
  const run = async (...args: string[]) => {
    const program = new Command('cdn-pipeline').exitOverride();
    registerUrl(program, EXIT);
    await program.parseAsync(['node', 'cdn-pipeline', 'url', ...args]);
    return process.exitCode;
  };

  it('parses the flags and sets the exit code', async () => {
    capture();
    expect(await run('--bucket', res.bucket, '--local', '--expires', '1h', 'a b.txt')).toBe(0);
    expect(stdout).toEqual([`https://${res.distribution.domainName}/a%20b.txt`]);
    capture();
    expect(await run('--domain', 'https://nope.example.com', 'a.txt')).toBe(EXIT.usage);
  });

  it.each([
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604_800],
    ['3600', 3600],
  ])('reads --expires %s as %i seconds', (text, seconds) => {
    expect(parseExpires(text)).toBe(seconds);
  });

  it.each(['0', '1w', '-5m', '', '400d'])('rejects --expires %j', (text) => {
    expect(() => parseExpires(text)).toThrow(/like 90s, 15m, 1h or 7d/);
  });
});
