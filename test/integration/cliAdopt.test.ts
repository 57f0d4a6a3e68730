/**
 * `cdn-pipeline provision --distribution ID [--dry-run] [--if-match ETAG]` against the emulator,
 * run in-process: the preview table and its JSON, the refusals, and the adoption that follows.
 * The team's distribution is made by hand through a client with the LOCAL-ONLY shims and their
 * emulator-side store, as another process would; the CLI builds its own clients.
 */
import {
  CreateDistributionWithTagsCommand,
  GetDistributionConfigCommand,
} from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { installLocalCloudFrontShims } from '../../local/provision.js';
import { MANAGED_POLICY_IDS } from '../../shared/catalogue.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const BUCKET = 'charts-prod';
let emu: TestEmulator;
let out: string[];
let stdout: string[];
let distributionId: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  installLocalCloudFrontShims(emu.clients);
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: 'other-bucket' }));
  vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
  const created = await emu.clients.cloudfront.send(
    new CreateDistributionWithTagsCommand({
      DistributionConfigWithTags: {
        DistributionConfig: {
          CallerReference: 'charts-by-hand',
          Comment: 'charts',
          Enabled: true,
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 'charts',
                DomainName: `${BUCKET}.s3.us-east-1.amazonaws.com`,
                S3OriginConfig: { OriginAccessIdentity: '' },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 'charts',
            ViewerProtocolPolicy: 'allow-all',
            CachePolicyId: MANAGED_POLICY_IDS.cache.cachingOptimized,
          },
        },
        Tags: { Items: [{ Key: 'team', Value: 'charts' }] },
      },
    }),
  );
  distributionId = created.Distribution!.Id!;
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu?.stop();
});
afterEach(() => vi.restoreAllMocks());

function capture() {
  out = [];
  stdout = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
    stdout.push(args.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
}
const run = (...args: string[]) => main(['node', 'cdn-pipeline', ...args]);
const text = () => out.join('\n');
const etagNow = async () =>
  (await emu.clients.cloudfront.send(new GetDistributionConfigCommand({ Id: distributionId })))
    .ETag!;

describe('cdn-pipeline provision --distribution', () => {
  it('--dry-run prints the change field by field and the command to adopt, and changes nothing', async () => {
    const before = await etagNow();
    capture();
    const code = await run(
      'provision',
      '--local',
      '--bucket',
      BUCKET,
      '--distribution',
      distributionId,
      '--dry-run',
    );
    expect(code, text()).toBe(0);
    const lines = text();
    expect(lines).toContain(`Adopting ${distributionId}`);
    expect(lines).toMatch(/^field +now +after$/m);
    expect(lines).toMatch(
      /^DefaultCacheBehavior\.ViewerProtocolPolicy +allow-all +redirect-to-https$/m,
    );
    expect(lines).toMatch(
      /^Origins\[charts\]\.OriginAccessControlId +\(none\) +\(new cdnp-charts-prod-oac\)$/m,
    );
    expect(lines).toContain(`bucket policy     adds cdnp-${distributionId}`);
    expect(lines).toContain(`--distribution ${distributionId} --if-match ${before}`);
    expect(await etagNow()).toBe(before);
  });

  it('--dry-run --json prints one object with the changes and the ETag', async () => {
    capture();
    expect(
      await run(
        'provision',
        '--local',
        '--bucket',
        BUCKET,
        '--distribution',
        distributionId,
        '--dry-run',
        '--json',
      ),
    ).toBe(0);
    const printed = JSON.parse(stdout.join('\n')) as {
      outcome: string;
      etag: string;
      changes: Array<{ path: string }>;
    };
    expect(printed.outcome).toBe('preview');
    expect(printed.etag).toBe(await etagNow());
    expect(printed.changes.map((c) => c.path)).toContain('DefaultCacheBehavior.CachePolicyId');
  });

  it('refuses a real run without --if-match, and a distribution that does not read the bucket', async () => {
    capture();
    expect(
      await run('provision', '--local', '--bucket', BUCKET, '--distribution', distributionId),
    ).toBe(2);
    expect(text()).toContain('preview it first with --dry-run');
    capture();
    expect(
      await run(
        'provision',
        '--local',
        '--bucket',
        'other-bucket',
        '--distribution',
        distributionId,
        '--dry-run',
      ),
    ).toBe(2);
    expect(text()).toContain(
      `cannot adopt: distribution ${distributionId} does not read bucket "other-bucket"`,
    );
    capture();
    expect(
      await run(
        'provision',
        '--local',
        '--bucket',
        BUCKET,
        '--distribution',
        'E0NOSUCHTHING',
        '--dry-run',
      ),
    ).toBe(2);
    expect(text()).toContain('distribution E0NOSUCHTHING does not exist');
  });

  it('adopts it with the previewed ETag, then a second run reports it unchanged', async () => {
    const etag = await etagNow();
    capture();
    const code = await run(
      'provision',
      '--local',
      '--bucket',
      BUCKET,
      '--distribution',
      distributionId,
      '--if-match',
      etag,
      '--poll-seconds',
      '5',
    );
    expect(code, text()).toBe(0);
    expect(text()).toContain(`Distribution ready: ${distributionId} (updated)`);
    capture();
    expect(
      await run(
        'provision',
        '--local',
        '--bucket',
        BUCKET,
        '--distribution',
        distributionId,
        '--if-match',
        await etagNow(),
      ),
    ).toBe(0);
    expect(text()).toContain(`Distribution ready: ${distributionId} (unchanged)`);
    capture();
    expect(
      await run(
        'provision',
        '--local',
        '--bucket',
        BUCKET,
        '--distribution',
        distributionId,
        '--dry-run',
      ),
    ).toBe(0);
    expect(text()).toContain('distribution config: nothing to change');
  });

  it('refuses an ETag from before the adoption: the distribution changed since that preview', async () => {
    capture();
    const code = await run(
      'provision',
      '--local',
      '--bucket',
      BUCKET,
      '--distribution',
      distributionId,
      '--if-match',
      'E0STALEETAG000',
    );
    expect(code).toBe(1);
    expect(text()).toContain('DistributionChanged');
    expect(text()).toContain(`distribution ${distributionId} changed since the preview`);
  });
});
