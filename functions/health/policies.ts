/** Health of the bucket policy: read it, and refuse an Allow for everyone. */
import { GetBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { publicAllows, type PolicyStatement } from '../../shared/bucketPolicy.js';
import { errorName, fail, pass, warn, type HealthCheck } from './check.js';

export async function bucketPolicy(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    if (errorName(error) === 'NoSuchBucketPolicy') return undefined;
    throw error;
  }
}

export function checkPolicyNotPublic(
  bucket: string,
  statements: readonly PolicyStatement[],
): HealthCheck {
  const name = 'bucket policy not public';
  const { open, conditional } = publicAllows(statements);
  const fix = `remove the statements from the bucket policy: aws s3api get-bucket-policy --bucket ${bucket}`;
  if (open.length) return fail(name, `Allow for everyone: ${open.join(', ')}`, fix);
  if (conditional.length) {
    return warn(
      name,
      `Allow for everyone, with conditions: ${conditional.join(', ')}`,
      `make sure the conditions restrict access; else ${fix}`,
    );
  }
  return pass(name, 'no Allow for everyone');
}
