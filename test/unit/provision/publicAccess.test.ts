/**
 * Faults the emulator cannot produce for the public-access preflight: a bucket of another
 * account (AccessDenied on its policy and ACL), told apart from a missing one.
 */
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPublicAccess, readPublicAccess } from '../../../functions/provision/bucketPolicy.js';
import { bucketRegion } from '../../../functions/provision/validate.js';
import { hasRestrictingCondition, publicAllows } from '../../../shared/bucketPolicy.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const denied = () =>
  new S3ServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: 'Access Denied',
  });

describe('a bucket of another account', () => {
  it('fails the preflight with AccessDenied, saying it may belong to another account', async () => {
    s3.on(GetBucketPolicyCommand).rejects(denied());
    s3.on(GetBucketAclCommand).rejects(denied());
    s3.on(GetPublicAccessBlockCommand).rejects(denied());
    const error = await readPublicAccess(new S3Client({}), 'their-bucket').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect((error as Error).message).toMatch(/"their-bucket".*may belong to another account/);
  });

  it('is AccessDenied at HeadBucket (403), where a missing bucket is BucketNotFound (404)', async () => {
    s3.on(HeadBucketCommand, { Bucket: 'their-bucket' })
      .rejects(
        new S3ServiceException({
          name: 'Forbidden',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        }),
      )
      .on(HeadBucketCommand, { Bucket: 'no-such-bucket' })
      .rejects(
        new S3ServiceException({
          name: 'NotFound',
          $fault: 'client',
          $metadata: { httpStatusCode: 404 },
        }),
      );
    const client = new S3Client({});
    await expect(bucketRegion(client, 'their-bucket')).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/another account/),
    });
    await expect(bucketRegion(client, 'no-such-bucket')).rejects.toMatchObject({
      name: 'BucketNotFound',
    });
  });
});

describe('checkPublicAccess', () => {
  const policy = (statement: Record<string, unknown>) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

  it('returns no warning for a private bucket with no public access block', async () => {
    s3.on(GetBucketPolicyCommand).rejects(
      new S3ServiceException({ name: 'NoSuchBucketPolicy', $fault: 'client', $metadata: {} }),
    );
    s3.on(GetBucketAclCommand).resolves({ Grants: [] });
    s3.on(GetPublicAccessBlockCommand).rejects(
      new S3ServiceException({
        name: 'NoSuchPublicAccessBlockConfiguration',
        $fault: 'client',
        $metadata: {},
      }),
    );
    expect(await checkPublicAccess(new S3Client({}), 'b-1', false)).toEqual([]);
  });

  it('refuses a statement without Sid, naming it by its index', async () => {
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject' }),
    });
    s3.on(GetBucketAclCommand).resolves({ Grants: [] });
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: {} });
    await expect(checkPublicAccess(new S3Client({}), 'b-1', false)).rejects.toMatchObject({
      name: 'PublicBucket',
      field: 'spec.bucket',
      message: expect.stringMatching(/statement "#0"/),
    });
  });
});

describe('hasRestrictingCondition', () => {
  it.each([
    [{ StringEquals: { 'aws:SourceVpce': 'vpce-1' } }, true],
    [
      { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/E1' } },
      true,
    ],
    [{ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, true],
    [{ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, false],
    [{ StringLike: { 'aws:Referer': 'https://example.com/*' } }, false],
    [{ Bool: { 'aws:SecureTransport': 'true' } }, false],
    [{ StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } }, false],
    [{ StringLike: { 'aws:PrincipalArn': '*' } }, false],
  ])('%j restricts: %s', (condition, restricts) => {
    expect(hasRestrictingCondition({ Effect: 'Allow', Principal: '*', Condition: condition })).toBe(
      restricts,
    );
  });

  it('counts an Allow with NotPrincipal as open to everyone', () => {
    expect(
      publicAllows([
        { Sid: 'np', Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' } },
      ]),
    ).toEqual({ open: ['np'], conditional: [] });
  });
});
