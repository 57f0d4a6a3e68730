/**
 * The content bucket's facts that decide whether CloudFront can serve it through OAC, detected
 * rather than assumed (an adopted bucket may have any of them): Object Ownership and the ACL,
 * default encryption and — for SSE-KMS — the key-policy statement CloudFront's service principal
 * needs, with each serving distribution's ARN as `AWS:SourceArn`. A fact this role may not read
 * (AccessDenied) is a warning naming the permission, never a guess.
 */
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { normaliseDistributionArn, publicAclGrants } from '../../shared/bucketPolicy.js';
import { errorName, fail, pass, statusCode, warn, type HealthCheck } from './check.js';

const isDenied = (error: unknown) =>
  statusCode(error) === 403 || ['AccessDenied', 'Forbidden'].includes(errorName(error));

const deniedWarning = (name: string, permission: string): HealthCheck =>
  warn(
    name,
    `not readable with these credentials (AccessDenied on ${permission})`,
    `grant ${permission} on the bucket to whoever runs the check, then run again`,
  );

export const OWNERSHIP_VALUES = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];

/**
 * Object Ownership: OAC needs the bucket owner to own every object — "Bucket owner enforced"
 * (ACLs off, the default for buckets created since April 2023) or "Bucket owner preferred".
 * With "Object writer" (or no setting: buckets older than that), an object another account
 * uploads stays that account's and CloudFront gets 403 for it.
 */
export async function checkObjectOwnership(s3: S3Client, bucket: string): Promise<HealthCheck> {
  const name = 'object ownership';
  const fix = `aws s3api put-bucket-ownership-controls --bucket ${bucket} --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'`;
  let ownership: string;
  try {
    const out = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
    ownership = out.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? 'ObjectWriter';
  } catch (error) {
    if (isDenied(error)) return deniedWarning(name, 's3:GetBucketOwnershipControls');
    if (errorName(error) !== 'OwnershipControlsNotFoundError') throw error;
    ownership = 'ObjectWriter';
  }
  const facts = { ownership, aclsEnabled: ownership !== 'BucketOwnerEnforced' };
  if (ownership === 'BucketOwnerEnforced')
    return {
      ...pass(name, 'BucketOwnerEnforced: ACLs disabled, the bucket owns every object'),
      facts,
    };
  if (ownership === 'BucketOwnerPreferred')
    return {
      ...warn(
        name,
        'BucketOwnerPreferred: ACLs still apply; an upload with another owner than the bucket (no bucket-owner-full-control) is unreadable through CloudFront',
        fix,
      ),
      facts,
    };
  return {
    ...fail(
      name,
      `${ownership}${ownership === 'ObjectWriter' ? ' (or not set)' : ''}: objects uploaded by other accounts belong to them, and CloudFront's OAC gets 403 for them`,
      fix,
    ),
    facts,
  };
}

/** The bucket ACL: a grant to AllUsers or AuthenticatedUsers makes objects public around CloudFront. */
export async function checkBucketAcl(s3: S3Client, bucket: string): Promise<HealthCheck> {
  const name = 'bucket ACL';
  let grants;
  try {
    grants = (await s3.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants ?? [];
  } catch (error) {
    if (isDenied(error)) return deniedWarning(name, 's3:GetBucketAcl');
    throw error;
  }
  const open = publicAclGrants(grants);
  const facts = { grants: grants.length, public: open };
  return open.length
    ? {
        ...fail(
          name,
          `grants ${open.join(', ')}: readable around CloudFront (unless IgnorePublicAcls is on)`,
          `aws s3api put-bucket-acl --bucket ${bucket} --acl private`,
        ),
        facts,
      }
    : { ...pass(name, 'no grant to everyone'), facts };
}

/** The bucket's default encryption, as the checks need it. */
export interface BucketEncryption {
  /** `AES256`, `aws:kms`, `aws:kms:dsse`; undefined when no rule is set. */
  readonly algorithm?: string;
  /** SSE-KMS: the key as configured (ARN, id or alias); undefined: the AWS managed `aws/s3`. */
  readonly kmsKeyId?: string;
  readonly bucketKeyEnabled?: boolean;
}

export async function bucketEncryption(s3: S3Client, bucket: string): Promise<BucketEncryption> {
  try {
    const out = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const rule = out.ServerSideEncryptionConfiguration?.Rules?.[0];
    const byDefault = rule?.ApplyServerSideEncryptionByDefault;
    return {
      ...(byDefault?.SSEAlgorithm ? { algorithm: byDefault.SSEAlgorithm } : {}),
      ...(byDefault?.KMSMasterKeyID ? { kmsKeyId: byDefault.KMSMasterKeyID } : {}),
      ...(rule?.BucketKeyEnabled !== undefined ? { bucketKeyEnabled: rule.BucketKeyEnabled } : {}),
    };
  } catch (error) {
    if (errorName(error) === 'ServerSideEncryptionConfigurationNotFoundError') return {};
    throw error;
  }
}

export const isKms = (e: BucketEncryption): boolean => e.algorithm?.startsWith('aws:kms') === true;

/**
 * The statement to add to the KMS key's policy so CloudFront (OAC) can decrypt objects for these
 * distributions. Read-only: `kms:Decrypt`; uploads through CloudFront would also need
 * `kms:Encrypt` and `kms:GenerateDataKey*`.
 */
export function kmsKeyPolicyStatement(
  distributionArns: readonly string[],
): Record<string, unknown> {
  const arns = [...new Set(distributionArns.map((a) => normaliseDistributionArn(a).arn))].sort();
  return {
    Sid: 'AllowCloudFrontServicePrincipalSSE-KMS',
    Effect: 'Allow',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: { StringEquals: { 'AWS:SourceArn': arns.length === 1 ? arns[0] : arns } },
  };
}

/**
 * SSE-KMS and CloudFront: OAC signs its S3 requests, and S3 then decrypts with the key on
 * CloudFront's behalf only if the key policy allows the CloudFront service principal for this
 * distribution. The AWS managed key `aws/s3` has a policy nobody can change: with it, every object
 * is a 403 through CloudFront. The key policy itself is not read here (that needs kms:GetKeyPolicy
 * on someone else's key, often): the check prints the exact statement to add.
 */
export function checkKmsKeyPolicy(
  encryption: BucketEncryption,
  distributionArns: readonly string[],
): HealthCheck | undefined {
  if (!isKms(encryption)) return undefined;
  const name = 'SSE-KMS key policy';
  const managed =
    !encryption.kmsKeyId ||
    /(^|:)alias\/aws\/s3$/.test(encryption.kmsKeyId) ||
    encryption.kmsKeyId === 'aws/s3';
  if (managed) {
    return fail(
      name,
      `${encryption.algorithm} with the AWS managed key aws/s3: its key policy cannot allow CloudFront, so OAC reads get 403`,
      'encrypt with a customer managed KMS key (put-bucket-encryption with KMSMasterKeyID, then copy the objects over themselves), or use SSE-S3 (AES256)',
    );
  }
  if (!distributionArns.length) {
    return warn(
      name,
      `${encryption.algorithm} with ${encryption.kmsKeyId}: once a distribution serves the bucket, its key policy must allow CloudFront (kms:Decrypt)`,
      'provision the distribution, then run health again for the exact statement',
    );
  }
  const statement = JSON.stringify(kmsKeyPolicyStatement(distributionArns));
  return {
    ...warn(
      name,
      `${encryption.algorithm} with ${encryption.kmsKeyId}: CloudFront can read only if the key policy allows it (not verified here)`,
      `add to the key policy of ${encryption.kmsKeyId}: ${statement}`,
    ),
    facts: { kmsKeyId: encryption.kmsKeyId, statement: kmsKeyPolicyStatement(distributionArns) },
  };
}
