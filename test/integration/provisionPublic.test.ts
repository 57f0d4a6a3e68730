/**
 * Provisioning a bucket that is already public, against the emulator with the real workflow: a
 * policy statement open to everyone, or an ACL grant to AllUsers, is refused before anything is
 * created, naming the statement; `--allow-public` (options.allowPublic) turns it into a warning,
 * printed and in --json. A grant Block Public Access neutralises is a warning only.
 */
import { ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { readPublicAccess } from '../../functions/provision/bucketPolicy.js';
import { provisionLocally } from '../../local/provision.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let topicArn: string;
let out: string[];
let stdout: string[];

beforeAll(async () => {
  emu = await startTestEmulator();
  topicArn = (
    await emu.clients.sns.send(new CreateTopicCommand({ Name: 'cdn-pipeline-pub-alerts' }))
  ).TopicArn!;
  vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
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
const printedJson = () => JSON.parse(stdout.join('\n')) as Record<string, unknown>;

const PUBLIC_READ = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PublicRead',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  });

let n = 0;
async function bucketWith(setup: 'policy' | 'acl' | 'referer' | 'vpce' | 'restricted') {
  const bucket = `public-${setup}-${++n}`;
  const s3 = emu.clients.s3;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
  if (setup === 'acl') {
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      }),
    );
    await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }));
    return bucket;
  }
  const policy = JSON.parse(PUBLIC_READ(bucket)) as { Statement: Array<Record<string, unknown>> };
  if (setup === 'referer')
    policy.Statement[0]!.Condition = { StringLike: { 'aws:Referer': 'https://example.com/*' } };
  if (setup === 'vpce')
    policy.Statement[0]!.Condition = { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } };
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  if (setup === 'restricted')
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: { RestrictPublicBuckets: true, IgnorePublicAcls: true },
      }),
    );
  return bucket;
}

async function distributionCount(): Promise<number> {
  const list = await emu.clients.cloudfront.send(new ListDistributionsCommand({}));
  return list.DistributionList?.Quantity ?? 0;
}

async function provision(bucket: string, options: Record<string, unknown> = {}) {
  return provisionLocally({
    clients: emu.clients,
    alertsTopicArn: topicArn,
    spec: { bucket },
    options,
    stage: 'pub',
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
  });
}

describe('readPublicAccess', () => {
  it.each([
    ['policy', /statement "PublicRead" allows Principal "\*"/],
    ['referer', /statement "PublicRead"/], // aws:Referer restricts nothing: anyone sends it
    ['acl', /bucket ACL grants AllUsers READ/],
  ] as const)('finds the public grant of a bucket with a public %s', async (setup, finding) => {
    const access = await readPublicAccess(emu.clients.s3, await bucketWith(setup));
    expect(access.findings).toEqual([expect.stringMatching(finding)]);
  });

  it('finds nothing public in a statement confined to a VPC endpoint', async () => {
    const access = await readPublicAccess(emu.clients.s3, await bucketWith('vpce'));
    expect(access).toEqual({ findings: [], neutralised: [] });
  });

  it('reports a public statement Block Public Access neutralises apart', async () => {
    const access = await readPublicAccess(emu.clients.s3, await bucketWith('restricted'));
    expect(access.findings).toEqual([]);
    expect(access.neutralised).toEqual([expect.stringMatching(/"PublicRead"/)]);
  });
});

describe('the provisioning workflow on a public bucket', () => {
  it('fails at Validate with PublicBucket naming the statement, creating nothing', async () => {
    const bucket = await bucketWith('policy');
    const before = await distributionCount();
    const result = await provision(bucket);
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('PublicBucket');
    expect(result.error?.Cause).toMatch(/statement \\?"PublicRead\\?"/);
    expect(result.error?.Cause).toMatch(/--allow-public/);
    expect(await distributionCount()).toBe(before);
  });

  it('provisions with options.allowPublic', async () => {
    const bucket = await bucketWith('acl');
    const result = await provision(bucket, { allowPublic: true });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
  });
});

describe('cdn-pipeline provision on a public bucket', () => {
  it('refuses before starting a run, naming the statement, exit 1', async () => {
    const bucket = await bucketWith('policy');
    const before = await distributionCount();
    capture();
    expect(await run('provision', '--local', '--bucket', bucket)).toBe(1);
    expect(out.join('\n')).toMatch(
      /is public, so viewers can read it around CloudFront: bucket policy statement "PublicRead"/,
    );
    expect(await distributionCount()).toBe(before);
  });

  it('says so in --json', async () => {
    const bucket = await bucketWith('acl');
    capture();
    expect(await run('provision', '--local', '--bucket', bucket, '--json')).toBe(1);
    expect(printedJson()).toMatchObject({
      outcome: 'refused',
      error: 'PublicBucket',
      findings: ['bucket ACL grants AllUsers READ'],
    });
  });

  it('provisions with --allow-public, printing the warning and putting it in --json', async () => {
    const bucket = await bucketWith('policy');
    capture();
    expect(await run('provision', '--local', '--bucket', bucket, '--allow-public', '--json')).toBe(
      0,
    );
    expect(out.join('\n')).toMatch(/warning: bucket policy statement "PublicRead".*--allow-public/);
    expect(printedJson()).toMatchObject({
      outcome: 'ready',
      warnings: [expect.stringMatching(/"PublicRead".*around CloudFront/)],
    });
  });
});
