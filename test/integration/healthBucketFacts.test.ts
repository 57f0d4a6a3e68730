/**
 * `cdn-pipeline health` on the bucket facts an adopted bucket may have, against the emulator:
 * versioning off (and the key ledger standing in for it), SSE-KMS (the key-policy statement with
 * the distribution's ARN), Object Ownership, a public ACL, each Block Public Access flag in --json.
 */
import {
  DeleteBucketEncryptionCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  CreateBucketCommand,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { healthCommand } from '../../cli/health.js';
import type { HealthCheck } from '../../functions/health/check.js';
import { checkKmsKeyPolicy, kmsKeyPolicyStatement } from '../../functions/health/bucketFacts.js';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { ensureKeyLedgerTable } from '../../local/keyLedgerTable.js';
import { provisionLocally } from '../../local/provision.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const LEDGER = 'cdn-pipeline-hf-key-ledger';

let emu: TestEmulator;
let stack: LocalStack;
let distributionArn: string;
let stdout: string[];
let stderr: string[];

beforeAll(async () => {
  emu = await startTestEmulator();
  stack = await bootstrapLocalStack(emu.clients, { stage: 'hf' });
  const run = await provisionLocally({
    clients: emu.clients,
    alertsTopicArn: stack.alertsTopicArn,
    spec: { bucket: stack.bucket },
    stage: 'hf',
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
  });
  expect(run.status).toBe('SUCCEEDED');
  distributionArn = (run.output as { arn: string }).arn;
  vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu?.stop();
});
afterEach(() => vi.restoreAllMocks());

async function health(
  extra: { seedKeyLedger?: boolean; bucket?: string } = {},
): Promise<{ outcome: string; checks: HealthCheck[]; json: Record<string, unknown> }> {
  stdout = [];
  stderr = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void stdout.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')));
  const outcome = await healthCommand({
    bucket: stack.bucket,
    local: true,
    json: true,
    stage: 'hf',
    ...extra,
  });
  const json = JSON.parse(stdout.join('\n')) as { checks: HealthCheck[] } & Record<string, unknown>;
  return { outcome, checks: json.checks, json };
}

const check = (checks: readonly HealthCheck[], name: string) => {
  const found = checks.find((c) => c.name === name);
  expect(found, `check "${name}" in ${checks.map((c) => c.name).join(', ')}`).toBeDefined();
  return found!;
};

const s3 = () => emu.clients.s3;
const versioning = (Status: 'Enabled' | 'Suspended') =>
  s3().send(
    new PutBucketVersioningCommand({
      Bucket: stack.bucket,
      VersioningConfiguration: { Status },
    }),
  );
const restoreEncryption = () =>
  s3().send(
    new PutBucketEncryptionCommand({
      Bucket: stack.bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
            BucketKeyEnabled: true,
          },
        ],
      },
    }),
  );

describe('the facts of a healthy stage bucket', () => {
  it('reports each Block Public Access flag, the versioning status and the encryption in --json', async () => {
    const { outcome, checks } = await health();
    expect(outcome).toBe('ok');
    expect(check(checks, 'block public access').facts).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(check(checks, 'versioning').facts).toMatchObject({ status: 'Enabled' });
    expect(check(checks, 'default encryption')).toMatchObject({
      ok: true,
      detail: 'AES256',
      facts: { algorithm: 'AES256', bucketKeyEnabled: true },
    });
    expect(check(checks, 'object ownership')).toMatchObject({
      ok: true,
      facts: { ownership: 'BucketOwnerEnforced', aclsEnabled: false },
    });
    expect(check(checks, 'bucket ACL')).toMatchObject({ ok: true, facts: { public: [] } });
    expect(checks.some((c) => c.name === 'SSE-KMS key policy')).toBe(false);
  });
});

describe('versioning, read on every run', () => {
  afterEach(() => versioning('Enabled'));

  it('fails an unversioned bucket without a ledger, exit code failed, saying how to fix', async () => {
    await versioning('Suspended');
    const { outcome, checks } = await health();
    expect(outcome).toBe('failed');
    const v = check(checks, 'versioning');
    expect(v).toMatchObject({ ok: false, facts: { status: 'Suspended' } });
    expect(v.detail).toMatch(/every upload is invalidated/);
    expect(v.fix).toMatch(/put-bucket-versioning .*KEY_LEDGER_TABLE/);
  });

  it('fails while the ledger does not cover the bucket, and warns once --seed-key-ledger ran', async () => {
    await ensureKeyLedgerTable(emu.clients.dynamodb, LEDGER);
    await versioning('Suspended');
    await s3().send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'charts/a.png', Body: 'a' }));
    const before = check((await health()).checks, 'versioning');
    expect(before.ok).toBe(false);
    expect(before.fix).toMatch(/--seed-key-ledger/);

    const { outcome, checks, json } = await health({ seedKeyLedger: true });
    expect(json.keyLedgerSeed).toMatchObject({ bucket: stack.bucket, written: 1 });
    expect(stderr.join('\n')).toMatch(/key ledger cdn-pipeline-hf-key-ledger: covers s3:\/\//);
    const after = check(checks, 'versioning');
    expect(after).toMatchObject({
      ok: 'warn',
      facts: { status: 'Suspended', keyLedger: LEDGER },
    });
    expect(after.detail).toMatch(/told from new keys by the key ledger/);
    expect(outcome).toBe('ok');
  });
});

describe('default encryption with SSE-KMS', () => {
  afterEach(() => restoreEncryption());

  it('prints the key-policy statement with the distribution ARN as AWS:SourceArn', async () => {
    await s3().send(
      new PutBucketEncryptionCommand({
        Bucket: stack.bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    const { checks } = await health();
    expect(check(checks, 'default encryption').facts).toMatchObject({
      algorithm: 'aws:kms',
      kmsKeyId: KEY,
    });
    const kms = check(checks, 'SSE-KMS key policy');
    expect(kms.ok).toBe('warn');
    const id = distributionArn.split('/').pop()!;
    expect(kms.facts?.statement).toEqual({
      Sid: 'AllowCloudFrontServicePrincipalSSE-KMS',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'AWS:SourceArn': `arn:aws:cloudfront::123456789012:distribution/${id}` },
      },
    });
    expect(kms.fix).toContain(`add to the key policy of ${KEY}: {"Sid":`);
  });

  it('fails SSE-KMS with the AWS managed key, which CloudFront can never use', async () => {
    await s3().send(
      new PutBucketEncryptionCommand({
        Bucket: stack.bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
      }),
    );
    const { outcome, checks } = await health();
    expect(outcome).toBe('failed');
    expect(check(checks, 'SSE-KMS key policy')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/AWS managed key aws\/s3/),
    });
  });

  it('fails a bucket without default encryption', async () => {
    await s3().send(new DeleteBucketEncryptionCommand({ Bucket: stack.bucket }));
    const { checks } = await health();
    expect(check(checks, 'default encryption')).toMatchObject({
      ok: false,
      facts: { algorithm: null },
    });
  });
});

describe('object ownership and the bucket ACL', () => {
  const ownership = (
    ObjectOwnership: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter',
  ) =>
    s3().send(
      new PutBucketOwnershipControlsCommand({
        Bucket: stack.bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership }] },
      }),
    );
  afterEach(async () => {
    await s3().send(new PutBucketAclCommand({ Bucket: stack.bucket, ACL: 'private' }));
    await ownership('BucketOwnerEnforced');
  });

  it('warns on BucketOwnerPreferred and fails ObjectWriter, with the command that fixes it', async () => {
    await ownership('BucketOwnerPreferred');
    expect(check((await health()).checks, 'object ownership')).toMatchObject({
      ok: 'warn',
      facts: { ownership: 'BucketOwnerPreferred', aclsEnabled: true },
    });
    await ownership('ObjectWriter');
    const { outcome, checks } = await health();
    expect(outcome).toBe('failed');
    const o = check(checks, 'object ownership');
    expect(o.ok).toBe(false);
    expect(o.fix).toContain('ObjectOwnership=BucketOwnerEnforced');
  });

  it('fails a bucket ACL granting everyone read, naming the grant', async () => {
    await ownership('BucketOwnerPreferred');
    await s3().send(
      new PutPublicAccessBlockCommand({
        Bucket: stack.bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: false,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    try {
      await s3().send(new PutBucketAclCommand({ Bucket: stack.bucket, ACL: 'public-read' }));
      const { checks } = await health();
      expect(check(checks, 'bucket ACL')).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/grants AllUsers READ/),
        facts: { public: ['AllUsers READ'] },
      });
      expect(check(checks, 'block public access').facts).toMatchObject({ BlockPublicAcls: false });
    } finally {
      await s3().send(
        new PutPublicAccessBlockCommand({
          Bucket: stack.bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        }),
      );
    }
  });

  it('fails a bucket with no ownership controls (buckets older than April 2023: ObjectWriter)', async () => {
    const bucket = 'cdn-pipeline-hf-old-bucket';
    await s3().send(new CreateBucketCommand({ Bucket: bucket }));
    const { checks } = await health({ bucket });
    expect(check(checks, 'object ownership')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^ObjectWriter \(or not set\)/),
    });
  });
});

describe('checkKmsKeyPolicy', () => {
  it('lists every serving distribution once, in the AWS ARN form', () => {
    expect(
      kmsKeyPolicyStatement([
        'arn:aws:cloudfront:123456789012:distribution/E2',
        'arn:aws:cloudfront::123456789012:distribution/E1',
        'arn:aws:cloudfront::123456789012:distribution/E2',
      ]).Condition,
    ).toEqual({
      StringEquals: {
        'AWS:SourceArn': [
          'arn:aws:cloudfront::123456789012:distribution/E1',
          'arn:aws:cloudfront::123456789012:distribution/E2',
        ],
      },
    });
  });

  it('says nothing for SSE-S3, and warns for a customer key with no distribution yet', () => {
    expect(checkKmsKeyPolicy({ algorithm: 'AES256' }, [])).toBeUndefined();
    expect(checkKmsKeyPolicy({ algorithm: 'aws:kms', kmsKeyId: KEY }, [])).toMatchObject({
      ok: 'warn',
    });
  });
});

describe('--seed-key-ledger without the table', () => {
  it('says which table is missing, exit usage', async () => {
    stderr = [];
    vi.spyOn(console, 'error').mockImplementation(
      (...a: unknown[]) => void stderr.push(a.join(' ')),
    );
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const outcome = await healthCommand({
      bucket: stack.bucket,
      local: true,
      stage: 'hf',
      seedKeyLedger: true,
      keyLedgerTable: 'no-such-ledger-table',
    });
    expect(outcome).toBe('usage');
    expect(stderr.join('\n')).toMatch(/table no-such-ledger-table does not exist/);
  });
});
