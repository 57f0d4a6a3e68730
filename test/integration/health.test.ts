/**
 * `cdn-pipeline health` against the emulator: a stage bootstrapped and provisioned with the real
 * workflow is healthy (with the documented warnings); then one thing at a time is broken and
 * the right check fails, with its fix, and the command exits 1.
 */
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { EXIT } from '../../cli/context.js';
import { formatHealth, healthCommand, registerHealth } from '../../cli/health.js';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { provisionLocally } from '../../local/provision.js';
import { oacStatementFor, policyStatements, publicAllows } from '../../shared/bucketPolicy.js';
import type { HealthCheck } from '../../functions/health/check.js';
import { plainHttpBehaviours } from '../../functions/health/distributions.js';
import { checkHealth } from '../../functions/health/health.js';
import { EMULATOR_GAPS } from '../../local/healthLocal.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let stack: LocalStack;
let distributionId: string;
let stdout: string[];

beforeAll(async () => {
  emu = await startTestEmulator();
  stack = await bootstrapLocalStack(emu.clients, { stage: 'hc' });
  const run = await provisionLocally({
    clients: emu.clients,
    alertsTopicArn: stack.alertsTopicArn,
    spec: { bucket: stack.bucket },
    stage: 'hc',
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
  });
  expect(run.status).toBe('SUCCEEDED');
  distributionId = (run.output as { distributionId: string }).distributionId;
  vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu?.stop();
});
afterEach(() => vi.restoreAllMocks());

function capture(): void {
  stdout = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    stdout.push(args.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
}

async function runJson(): Promise<{ outcome: string; checks: HealthCheck[] }> {
  capture();
  const outcome = await healthCommand({ bucket: stack.bucket, local: true, json: true });
  const printed = JSON.parse(stdout.join('\n')) as { healthy: boolean; checks: HealthCheck[] };
  expect(printed.healthy).toBe(outcome === 'ok');
  return { outcome, checks: printed.checks };
}

const byName = (checks: readonly HealthCheck[], name: string) => {
  const found = checks.find((c) => c.name === name);
  expect(found, `check "${name}" in ${checks.map((c) => c.name).join(', ')}`).toBeDefined();
  return found!;
};

const notOk = (checks: readonly HealthCheck[]) =>
  checks.filter((c) => c.ok !== true).map((c) => `${c.name}: ${String(c.ok)}`);

describe('a provisioned stage', () => {
  it('passes every check through the provisioning client, which knows the OAC', async () => {
    const checks = await checkHealth(emu.clients, {
      bucket: stack.bucket,
      knownGaps: EMULATOR_GAPS,
    });
    expect(checks.map((c) => c.name)).toEqual([
      'bucket exists',
      'block public access',
      'versioning',
      'default encryption',
      'object ownership',
      'bucket ACL',
      'object-created notification',
      'object-events queue',
      'object-events DLQ',
      'invalidation-requests queue',
      'invalidation-requests DLQ',
      'bucket policy not public',
      `${distributionId} deployed`,
      `${distributionId} origin access control`,
      `${distributionId} https only`,
      `${distributionId} bucket policy`,
      'alerts subscribed',
    ]);
    // Nobody subscribed to the alerts topic yet: the one warning.
    expect(notOk(checks)).toEqual(['alerts subscribed: warn']);
    expect(byName(checks, 'alerts subscribed').fix).toContain('aws sns subscribe');
  });

  it('exits 0 from the command, warning that the emulator does not report the OAC', async () => {
    const { outcome, checks } = await runJson();
    expect(outcome).toBe('ok');
    expect(notOk(checks)).toEqual([
      `${distributionId} origin access control: warn`,
      'alerts subscribed: warn',
    ]);
    expect(byName(checks, `${distributionId} origin access control`).detail).toMatch(
      /not reported by the emulator/,
    );
  });

  it('prints a table with ✓ and !, the fix under the warning', async () => {
    capture();
    expect(await healthCommand({ bucket: stack.bucket, local: true })).toBe('ok');
    const text = stdout.join('\n');
    expect(text).toMatch(/^✓ +bucket exists +s3:\/\/cdn-pipeline-hc-content$/m);
    expect(text).toMatch(/^! +alerts subscribed +no confirmed subscription/m);
    expect(text).toMatch(/^ +fix: aws sns subscribe --topic-arn /m);
    expect(text).toMatch(/healthy: 17 checks, 2 warnings$/);
  });

  it('passes the alerts check once someone subscribed', async () => {
    await emu.clients.sns.send(
      new SubscribeCommand({
        TopicArn: stack.alertsTopicArn,
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      }),
    );
    const { checks } = await runJson();
    expect(byName(checks, 'alerts subscribed').ok).toBe(true);
  });
});

describe('one thing broken at a time', () => {
  it('fails block public access when it is turned off, with the command that fixes it', async () => {
    const settings = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    const put = (config: typeof settings) =>
      emu.clients.s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: stack.bucket,
          PublicAccessBlockConfiguration: config,
        }),
      );
    await put({ ...settings, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    try {
      const { outcome, checks } = await runJson();
      expect(outcome).toBe('failed');
      expect(notOk(checks)).toEqual([
        'block public access: false',
        `${distributionId} origin access control: warn`,
      ]);
      const bpa = byName(checks, 'block public access');
      expect(bpa.detail).toBe('off: BlockPublicPolicy, RestrictPublicBuckets');
      expect(bpa.fix).toContain(`aws s3api put-public-access-block --bucket ${stack.bucket}`);
    } finally {
      await put(settings);
    }
  });

  it("fails the distribution's bucket policy check when its statement is removed", async () => {
    const original = (
      await emu.clients.s3.send(new GetBucketPolicyCommand({ Bucket: stack.bucket }))
    ).Policy!;
    const doc = JSON.parse(original) as { Statement: Array<{ Sid?: string }> };
    const others = doc.Statement.filter((s) => s.Sid !== `cdnp-${distributionId}`);
    expect(others.length).toBe(doc.Statement.length - 1);
    if (others.length) {
      await emu.clients.s3.send(
        new PutBucketPolicyCommand({
          Bucket: stack.bucket,
          Policy: JSON.stringify({ ...doc, Statement: others }),
        }),
      );
    } else {
      await emu.clients.s3.send(new DeleteBucketPolicyCommand({ Bucket: stack.bucket }));
    }
    try {
      const { outcome, checks } = await runJson();
      expect(outcome).toBe('failed');
      const check = byName(checks, `${distributionId} bucket policy`);
      expect(check.ok).toBe(false);
      expect(check.detail).toMatch(/viewers get 403/);
      expect(check.fix).toContain(`npx cdn-pipeline provision --bucket ${stack.bucket}`);
    } finally {
      await emu.clients.s3.send(
        new PutBucketPolicyCommand({ Bucket: stack.bucket, Policy: original }),
      );
    }
  });

  it('fails "bucket policy not public" when a statement allows everyone', async () => {
    const original = (
      await emu.clients.s3.send(new GetBucketPolicyCommand({ Bucket: stack.bucket }))
    ).Policy!;
    const doc = JSON.parse(original) as { Statement: unknown[] };
    const open = {
      Sid: 'PublicRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${stack.bucket}/*`,
    };
    await emu.clients.s3.send(
      new PutBucketPolicyCommand({
        Bucket: stack.bucket,
        Policy: JSON.stringify({ ...doc, Statement: [...doc.Statement, open] }),
      }),
    );
    try {
      const { outcome, checks } = await runJson();
      expect(outcome).toBe('failed');
      expect(byName(checks, 'bucket policy not public')).toMatchObject({
        ok: false,
        detail: 'Allow for everyone: PublicRead',
      });
    } finally {
      await emu.clients.s3.send(
        new PutBucketPolicyCommand({ Bucket: stack.bucket, Policy: original }),
      );
    }
  });

  it('fails the DLQ check with the count when a message is in the DLQ', async () => {
    await emu.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: stack.objectEventsDlq.url, MessageBody: '{}' }),
    );
    try {
      const { outcome, checks } = await runJson();
      expect(outcome).toBe('failed');
      const dlq = byName(checks, 'object-events DLQ');
      expect(dlq).toMatchObject({ ok: false, detail: '1 message the pipeline gave up on' });
      expect(dlq.fix).toContain(
        `aws sqs start-message-move-task --source-arn ${stack.objectEventsDlq.arn}`,
      );
      expect(byName(checks, 'invalidation-requests DLQ').ok).toBe(true);
      capture();
      await healthCommand({ bucket: stack.bucket, local: true });
      expect(stdout.join('\n')).toMatch(
        /^✗ +object-events DLQ +1 message the pipeline gave up on$/m,
      );
      expect(stdout.join('\n')).toMatch(/1 failed, 1 warning, 17 checks$/);
    } finally {
      await emu.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.objectEventsDlq.url }));
    }
  });

  it('fails only "bucket exists" for a bucket that does not exist', async () => {
    capture();
    const outcome = await healthCommand({ bucket: 'no-such-bucket-here', local: true, json: true });
    expect(outcome).toBe('failed');
    const { checks } = JSON.parse(stdout.join('\n')) as { checks: HealthCheck[] };
    expect(checks).toEqual([expect.objectContaining({ name: 'bucket exists', ok: false })]);
  });

  it('is back to healthy after the repairs', async () => {
    const { outcome } = await runJson();
    expect(outcome).toBe('ok');
  });

  it('rejects a bad bucket name as usage', async () => {
    capture();
    expect(await healthCommand({ bucket: 'Bad_Bucket', local: true })).toBe('usage');
  });
});

describe('registerHealth', () => {
  it('parses the flags and sets the exit code', async () => {
    capture();
    const program = new Command('cdn-pipeline').exitOverride();
    registerHealth(program, EXIT);
    await program.parseAsync([
      'node',
      'cdn-pipeline',
      'health',
      '--bucket',
      'no-such-bucket-x',
      '--local',
    ]);
    expect(process.exitCode).toBe(EXIT.failed);
    process.exitCode = 0;
  });
});

describe('the pure checks', () => {
  it('names behaviours that allow plain HTTP', () => {
    expect(
      plainHttpBehaviours({
        DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' },
        CacheBehaviors: {
          Quantity: 2,
          Items: [
            { PathPattern: '*.mp4', ViewerProtocolPolicy: 'https-only' },
            { PathPattern: '*.png', ViewerProtocolPolicy: 'allow-all' },
          ],
        },
      } as never),
    ).toEqual(['*.png: allow-all']);
  });

  it('finds the OAC statement whatever form the ARN takes, and only for that distribution', () => {
    const statements = policyStatements(
      JSON.stringify({
        Statement: {
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::b/*',
          Condition: {
            StringEquals: {
              'aws:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/E1ABC',
            },
          },
        },
      }),
    );
    expect(
      oacStatementFor(statements, 'arn:aws:cloudfront:123456789012:distribution/E1ABC'),
    ).toBeDefined();
    expect(
      oacStatementFor(statements, 'arn:aws:cloudfront::123456789012:distribution/E2XYZ'),
    ).toBeUndefined();
  });

  it('tells unconditional public Allows from conditional ones', () => {
    expect(
      publicAllows([
        { Sid: 'open', Effect: 'Allow', Principal: { AWS: '*' } },
        {
          Sid: 'vpce',
          Effect: 'Allow',
          Principal: '*',
          Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } },
        },
        { Sid: 'deny', Effect: 'Deny', Principal: '*' },
      ]),
    ).toEqual({ open: ['open'], conditional: ['vpce'] });
  });

  it('formats a failed run with its summary', () => {
    const text = formatHealth('b-1', [
      { name: 'a', ok: true, detail: 'fine' },
      { name: 'b', ok: false, detail: 'broken', fix: 'do this' },
    ]);
    expect(text).toMatch(/^✗ +b +broken\n +fix: do this$/m);
    expect(text).toMatch(/1 failed, 0 warnings, 2 checks$/);
  });
});
