/**
 * Faults the emulator cannot produce, injected with aws-sdk-client-mock: throttling and 5xx
 * become `TransientError`; a stale ETag is re-read and retried once; an alias held by another
 * distribution becomes `DistributionConflict`.
 */
import {
  CloudFrontClient,
  CreateDistributionWithTagsCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  ListDistributionsCommand,
  ListOriginAccessControlsCommand,
  ListTagsForResourceCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import {
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toTaskError } from '../../../functions/provision/errors.js';
import { createProvisionTasks } from '../../../functions/provision/handler.js';
import {
  managedTags,
  specCallerReference,
  toDistributionConfig,
} from '../../../functions/provision/distributionConfig.js';
import { cachePolicyConfigs } from '../../../functions/provision/policies.js';
import { parseDistributionSpec } from '../../../shared/distributionSpec.js';

const cf = mockClient(CloudFrontClient);
const s3 = mockClient(S3Client);

function serviceError(name: string, status = 400, fault: 'client' | 'server' = 'client'): Error {
  return Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
  });
}

const tasks = createProvisionTasks({
  clients: {
    cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    sns: new SNSClient({ region: 'us-east-1' }),
  },
  notifyConfig: { alertsTopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' },
});

const spec = parseDistributionSpec({
  bucket: 'example-content',
  aliases: ['cdn.example.com'],
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
});
const refs = {
  callerReference: specCallerReference(spec),
  originAccessControlId: 'OAC1',
  cachePolicyIds: Object.fromEntries(cachePolicyConfigs(spec).map((p, i) => [p.name, `cp-${i}`])),
  responseHeadersPolicyId: 'rh-1',
};
const input = {
  spec,
  callerReference: refs.callerReference,
  oac: { originAccessControlId: refs.originAccessControlId },
  policies: { cachePolicyIds: refs.cachePolicyIds, responseHeadersPolicyId: 'rh-1' },
  stage: 'prod',
};
const desired = toDistributionConfig(spec, refs);
const ARN = 'arn:aws:cloudfront::123456789012:distribution/E1';
const summary = { Id: 'E1', ARN, DomainName: 'd1.cloudfront.net', Status: 'Deployed' };
const distribution = (config: DistributionConfig) => ({
  ...summary,
  Status: 'InProgress',
  DistributionConfig: config,
});

beforeEach(() => {
  cf.reset();
  s3.reset();
});
afterEach(() => {
  cf.reset();
  s3.reset();
});

describe('transient failures become TransientError', () => {
  it.each([
    ['Throttling', 400],
    ['ThrottlingException', 400],
    ['TooManyRequestsException', 429],
    ['ServiceUnavailable', 503],
    ['InternalError', 500],
  ])('returns TransientError when CloudFront answers %s', async (name, status) => {
    cf.on(ListOriginAccessControlsCommand).rejects(serviceError(name, status));
    const error = await tasks.ensureOriginAccessControl({ spec }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransientError' });
    expect((error as Error).message).toContain(name);
  });

  it('returns TransientError when a poll times out', async () => {
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    cf.on(GetDistributionCommand).rejects(timeout);
    await expect(
      tasks.checkDeployment({ distributionId: 'E1', polls: 0, maxPolls: 3 }),
    ).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('returns TransientError when S3 throttles the bucket check', async () => {
    s3.on(HeadBucketCommand).rejects(serviceError('SlowDown', 503, 'server'));
    await expect(tasks.validate({ spec: { bucket: 'example-content' } })).rejects.toMatchObject({
      name: 'TransientError',
    });
  });

  it('keeps the name of errors that are not transient', () => {
    expect(toTaskError(serviceError('AccessDenied', 403)).name).toBe('AccessDenied');
    expect(toTaskError(serviceError('InvalidViewerCertificate')).name).toBe(
      'InvalidViewerCertificate',
    );
  });
});

describe('ensureDistribution against faults', () => {
  function managedDistributionExists(): void {
    cf.on(ListDistributionsCommand).resolves({
      DistributionList: {
        Quantity: 1,
        MaxItems: 100,
        IsTruncated: false,
        Marker: '',
        Items: [summary as never],
      },
    });
    cf.on(ListTagsForResourceCommand).resolves({ Tags: { Items: managedTags(spec, 'prod') } });
  }

  it('re-reads the config and retries once when the ETag is stale (PreconditionFailed)', async () => {
    managedDistributionExists();
    const current = { ...desired, PriceClass: 'PriceClass_All' as const };
    cf.on(GetDistributionConfigCommand)
      .resolvesOnce({ DistributionConfig: current, ETag: 'ETAG-A' })
      .resolvesOnce({ DistributionConfig: current, ETag: 'ETAG-B' });
    cf.on(UpdateDistributionCommand)
      .rejectsOnce(serviceError('PreconditionFailed', 412))
      .resolvesOnce({ Distribution: distribution(desired) as never, ETag: 'ETAG-C' });

    const result = await tasks.ensureDistribution(input);
    expect(result).toMatchObject({
      distributionId: 'E1',
      action: 'updated',
      changes: ['PriceClass'],
      status: 'InProgress',
    });
    const updates = cf.commandCalls(UpdateDistributionCommand);
    expect(updates.map((c) => c.args[0].input.IfMatch)).toEqual(['ETAG-A', 'ETAG-B']);
    expect(updates[1]!.args[0].input.DistributionConfig?.PriceClass).toBe('PriceClass_100');
  });

  it('stops retrying after the second stale ETag with DistributionConflict', async () => {
    managedDistributionExists();
    cf.on(GetDistributionConfigCommand).resolves({
      DistributionConfig: { ...desired, PriceClass: 'PriceClass_All' },
      ETag: 'ETAG',
    });
    cf.on(UpdateDistributionCommand).rejects(serviceError('InvalidIfMatchVersion'));
    await expect(tasks.ensureDistribution(input)).rejects.toMatchObject({
      name: 'DistributionConflict',
    });
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(2);
  });

  it('returns DistributionConflict naming the aliases when one is used elsewhere (CNAMEAlreadyExists)', async () => {
    cf.on(ListDistributionsCommand).resolves({
      DistributionList: { Quantity: 0, MaxItems: 100, IsTruncated: false, Marker: '' },
    });
    cf.on(CreateDistributionWithTagsCommand).rejects(serviceError('CNAMEAlreadyExists', 409));
    const error = await tasks.ensureDistribution(input).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DistributionConflict' });
    expect((error as Error).message).toMatch(/CNAMEAlreadyExists.*cdn\.example\.com/);
  });

  it('finds the distribution by CallerReference when CloudFront says it already exists', async () => {
    cf.on(ListDistributionsCommand).resolves({
      DistributionList: {
        Quantity: 1,
        MaxItems: 100,
        IsTruncated: false,
        Marker: '',
        Items: [summary as never],
      },
    });
    // Untagged (someone removed the tags): not found by tag, found by reference.
    cf.on(ListTagsForResourceCommand).resolves({ Tags: { Items: [] } });
    cf.on(CreateDistributionWithTagsCommand).rejects(
      serviceError('DistributionAlreadyExists', 409),
    );
    cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: desired, ETag: 'E' });
    const result = await tasks.ensureDistribution(input);
    expect(result).toMatchObject({
      distributionId: 'E1',
      arn: ARN,
      action: 'updated',
      changes: ['Tags'],
    });
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
  });
});

describe('mergeBucketPolicy against a concurrent writer', () => {
  const arn = 'arn:aws:cloudfront::123456789012:distribution/E2OURS';
  const other = {
    Sid: 'cdnp-E2OTHER',
    Effect: 'Allow',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::example-content/*',
    Condition: {
      StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/E2OTHER' },
    },
  };
  const policyOf = (...statements: unknown[]) =>
    JSON.stringify({ Version: '2012-10-17', Statement: statements });

  it('merges again when another run overwrote the policy between its read and write', async () => {
    const written: string[] = [];
    // Reads: empty; then the other run's policy (ours lost); then ours merged into theirs.
    const reads = [policyOf(), policyOf(other)];
    s3.on(GetBucketPolicyCommand).callsFake(() => ({
      Policy: reads.shift() ?? written.at(-1),
    }));
    s3.on(PutBucketPolicyCommand).callsFake((input: { Policy: string }) => {
      written.push(input.Policy);
      return {};
    });
    const result = await tasks.mergeBucketPolicy({
      bucket: 'example-content',
      distributionArn: arn,
    });
    expect(result).toMatchObject({ changed: true, sid: 'cdnp-E2OURS' });
    expect(written).toHaveLength(2);
    const sids = (JSON.parse(written[1]!) as { Statement: Array<{ Sid: string }> }).Statement.map(
      (s) => s.Sid,
    );
    expect(sids).toEqual(['cdnp-E2OTHER', 'cdnp-E2OURS']);
  });
});
