/** The cdn-pipeline command, run in-process against the emulator. */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { provisionedStack, type LocalResources } from '../../local/pipeline.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let res: LocalResources;
let out: string[];

beforeAll(async () => {
  emu = await startTestEmulator();
  res = await provisionedStack(emu.clients, { stage: 'cli' });
  vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu?.stop();
});

function capture() {
  out = [];
  vi.spyOn(console, 'log').mockImplementation(
    (...args: unknown[]) => void out.push(args.join(' ')),
  );
  vi.spyOn(console, 'error').mockImplementation(
    (...args: unknown[]) => void out.push(args.join(' ')),
  );
}
afterEach(() => vi.restoreAllMocks());

const run = (...args: string[]) => main(['node', 'cdn-pipeline', ...args]);

describe('cdn-pipeline invalidate', () => {
  it('invalidates keys on the distribution that serves the bucket and prints JSON for scripts', async () => {
    await emu.clients.s3.send(
      new PutObjectCommand({ Bucket: res.bucket, Key: 'docs/a b.pdf', Body: 'x' }),
    );
    capture();
    const code = await run(
      'invalidate',
      '--bucket',
      res.bucket,
      '--json',
      'docs/a b.pdf',
      'docs/c.pdf',
    );
    expect(code).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(report.invalidations).toHaveLength(1);
    expect(report.invalidations[0].paths).toEqual(['/docs/a%20b.pdf', '/docs/c.pdf']);
    const got = await emu.clients.cloudfront.send(
      new GetInvalidationCommand({
        DistributionId: res.distribution.id,
        Id: report.invalidations[0].invalidationId,
      }),
    );
    expect(got.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual([
      '/docs/a%20b.pdf',
      '/docs/c.pdf',
    ]);
  });

  it('prints a table by default', async () => {
    capture();
    expect(await run('invalidate', '--bucket', res.bucket, 'x.png')).toBe(0);
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^distribution\s+invalidation\s+paths\s+wildcards\s+first path$/);
    expect(lines[2]).toContain(res.distribution.id);
  });

  it('says so when no distribution serves the bucket', async () => {
    capture();
    expect(await run('invalidate', '--bucket', 'nobody-serves-this', 'x.png')).toBe(0);
    expect(out.join('\n')).toContain('No enabled distribution serves bucket nobody-serves-this');
  });

  it('exits 2 on bad usage', async () => {
    capture();
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run('invalidate', 'x.png')).toBe(2);
    expect(await run('invalidate', '--bucket', res.bucket, '--distribution', ',', 'x.png')).toBe(2);
  });

  it('exits 3 and names the cause when the work is deferred', async () => {
    capture();
    const code = await run(
      'invalidate',
      '--bucket',
      res.bucket,
      '--distribution',
      'ENOSUCH',
      'x.png',
    );
    expect(code).toBe(3);
    expect(out.join('\n')).toMatch(
      /deferred {2}x\.png: could not list distributions: NoSuchDistribution/,
    );
  });
});

describe('cdn-pipeline paths', () => {
  it('maps keys to paths and flags keys outside the origin path', async () => {
    capture();
    expect(await run('paths', '--json', 'a b.png', 'x*y.png')).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual([
      { key: 'a b.png', path: '/a%20b.png', invalidationPath: '/a%20b.png' },
      { key: 'x*y.png', path: '/x*y.png', invalidationPath: '/x*' },
    ]);
    capture();
    expect(await run('paths', '--origin-path', '/prod', 'other/a.png')).toBe(3);
  });
});
