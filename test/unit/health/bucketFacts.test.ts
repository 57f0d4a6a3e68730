/**
 * What the emulator cannot produce for the bucket-fact checks: a role without the new read
 * permissions (AccessDenied) gets a warning naming the permission, not a failed check.
 */
import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBucketAcl, checkObjectOwnership } from '../../../functions/health/bucketFacts.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const denied = new S3ServiceException({
  name: 'AccessDenied',
  $fault: 'client',
  $metadata: { httpStatusCode: 403 },
  message: 'Access Denied',
});

describe('bucket facts without the permission to read them', () => {
  it('warns on object ownership, naming s3:GetBucketOwnershipControls', async () => {
    s3.on(GetBucketOwnershipControlsCommand).rejects(denied);
    expect(await checkObjectOwnership(new S3Client({}), 'b-1')).toMatchObject({
      ok: 'warn',
      detail: expect.stringMatching(/AccessDenied on s3:GetBucketOwnershipControls/),
    });
  });

  it('warns on the bucket ACL, naming s3:GetBucketAcl', async () => {
    s3.on(GetBucketAclCommand).rejects(denied);
    expect(await checkBucketAcl(new S3Client({}), 'b-1')).toMatchObject({
      ok: 'warn',
      detail: expect.stringMatching(/AccessDenied on s3:GetBucketAcl/),
    });
  });

  it('still fails on other errors (they are not a missing permission)', async () => {
    s3.on(GetBucketAclCommand).rejects(
      new S3ServiceException({ name: 'NoSuchBucket', $fault: 'client', $metadata: {} }),
    );
    await expect(checkBucketAcl(new S3Client({}), 'b-1')).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});
