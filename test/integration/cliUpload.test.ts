/** `cdn-pipeline upload FILE KEY --cache-tag …`, in-process against the emulator. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { uploadWithCacheTag } from '../../shared/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const BUCKET = 'upload-content';
let emu: TestEmulator;
let out: string[];
let file: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
  file = join(mkdtempSync(join(tmpdir(), 'cdnp-upload-')), 'seg.ts');
  writeFileSync(file, 'segment bytes');
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu?.stop();
});

function capture() {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  // Commander writes usage errors to stderr itself.
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
}
afterEach(() => vi.restoreAllMocks());

const run = (...args: string[]) => main(['node', 'cdn-pipeline', ...args]);
const head = (key: string) =>
  emu.clients.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));

describe('cdn-pipeline upload', () => {
  it('uploads the file with its cache tags as metadata and prints JSON for scripts', async () => {
    capture();
    const code = await run(
      'upload',
      file,
      'hls/t7/seg-1.ts',
      '--bucket',
      BUCKET,
      '--cache-tag',
      'title:7,ladder:7',
      '--tag-members',
      'title:7=501',
      '--content-type',
      'video/mp2t',
      '--json',
    );
    expect(code).toBe(0);
    const printed = JSON.parse(out.join('\n'));
    expect(printed).toMatchObject({ bucket: BUCKET, key: 'hls/t7/seg-1.ts', bytes: 13 });
    const got = await head('hls/t7/seg-1.ts');
    expect(got.Metadata).toEqual({
      'cache-tag': 'title:7,ladder:7',
      'cache-tag-members': 'title:7=501',
    });
    expect(got.ContentType).toBe('video/mp2t');
  });

  it.each([
    [['--cache-tag', 'has space'], /printable ASCII/],
    [['--cache-tag', 'a', '--tag-members', 'b=3'], /members\.b: is not one of the tags/],
    [['--cache-tag', 'a', '--tag-members', 'a=0'], /TAG=COUNT/],
    [[], /--cache-tag/],
  ])('refuses %j as bad usage (exit 2) and uploads nothing', async (flags, message) => {
    capture();
    const code = await run('upload', file, 'bad/seg.ts', '--bucket', BUCKET, ...flags);
    expect(code).toBe(2);
    expect(out.join('\n')).toMatch(message);
    await expect(head('bad/seg.ts')).rejects.toMatchObject({ name: 'NotFound' });
  });
});

describe('uploadWithCacheTag (public API)', () => {
  it('writes the tags beside the caller’s metadata and refuses to let it set them itself', async () => {
    const result = await uploadWithCacheTag(emu.clients.s3, {
      bucket: BUCKET,
      key: 'api/a.json',
      body: '{}',
      tags: ['page:home'],
      metadata: { owner: 'web' },
    });
    expect(result.metadata).toEqual({ owner: 'web', 'cache-tag': 'page:home' });
    expect((await head('api/a.json')).Metadata).toEqual({ owner: 'web', 'cache-tag': 'page:home' });
    await expect(
      uploadWithCacheTag(emu.clients.s3, {
        bucket: BUCKET,
        key: 'api/b.json',
        body: '{}',
        tags: ['a,b'],
      }),
    ).rejects.toThrow(/tags\[0\]: "a,b" contains a comma/);
    await expect(
      uploadWithCacheTag(emu.clients.s3, {
        bucket: BUCKET,
        key: 'api/c.json',
        body: '{}',
        tags: ['a'],
        metadata: { 'Cache-Tag': 'x' },
      }),
    ).rejects.toThrow(/metadata\.cache-tag/);
  });
});
