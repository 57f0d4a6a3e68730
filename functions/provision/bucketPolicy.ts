/**
 * The bucket-policy statement that lets one distribution read the bucket through OAC, merged into
 * whatever policy the bucket already has: one statement per distribution (`Sid: cdnp-<id>`),
 * added or replaced, every other statement kept as it is. The statement is never public: its
 * principal is the CloudFront service, limited by `AWS:SourceArn` to this distribution.
 */
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  distributionStatement,
  policyStatements,
  publicAclGrants,
  publicAllows,
  type PolicyDocument,
  type PolicyStatement,
} from '../../shared/bucketPolicy.js';
import { awsErrorName, InvalidSpec, TransientError } from './errors.js';
import type { BucketPolicyInput, BucketPolicyResult } from './types.js';

/** Allow statements open to anyone with no condition: what makes a bucket public. */
export function publicStatements(statements: readonly PolicyStatement[]): string[] {
  return publicAllows(statements).open;
}

/** JSON with object keys sorted, so that key order never counts as a change. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Pure merge: the policy with this distribution's statement added or replaced. `existing` is the
 * bucket's policy JSON, or undefined when it has none. `changed` is false when the statement was
 * already there, exactly.
 */
export function mergeBucketPolicy(
  existing: string | undefined,
  bucket: string,
  distributionArn: string,
): { policy: string; changed: boolean; sid: string; publicStatements: string[] } {
  const statement = distributionStatement(bucket, distributionArn);
  const sid = statement.Sid!;
  const document: PolicyDocument = existing ? (JSON.parse(existing) as PolicyDocument) : {};
  const statements = document.Statement
    ? Array.isArray(document.Statement)
      ? document.Statement
      : [document.Statement]
    : [];
  const open = publicStatements(statements);
  const index = statements.findIndex((s) => s.Sid === sid);
  if (index >= 0 && stable(statements[index]) === stable(statement)) {
    return { policy: existing!, changed: false, sid, publicStatements: open };
  }
  const merged =
    index >= 0
      ? statements.map((s, i) => (i === index ? statement : s))
      : [...statements, statement];
  const policy = JSON.stringify({
    ...document,
    Version: document.Version ?? '2012-10-17',
    Statement: merged,
  });
  return { policy, changed: true, sid, publicStatements: open };
}

async function readPolicy(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    if (awsErrorName(error) !== 'NoSuchBucketPolicy') throw error;
    return undefined;
  }
}

/**
 * The bucket already lets everyone read, around CloudFront: a policy statement open to everyone
 * (no condition confining it to known callers) or an ACL grant to AllUsers/AuthenticatedUsers.
 * Provisioning refuses it (nothing is created) unless the caller allows it (`--allow-public`).
 */
export class PublicBucket extends InvalidSpec {
  readonly findings: readonly string[];
  constructor(bucket: string, findings: readonly string[]) {
    super(
      'spec.bucket',
      `s3://${bucket} is public, so viewers can read it around CloudFront: ${findings.join('; ')}. ` +
        'Remove the public grant (aws s3api get-bucket-policy / get-bucket-acl), or provision anyway with --allow-public (options.allowPublic)',
    );
    this.findings = findings;
  }
}

/** What makes a bucket readable by everyone, found in its policy and ACL. */
export interface PublicAccess {
  /** `statement "Sid" (Principal "*", no restricting condition)`, one per public statement. */
  readonly findings: string[];
  /** Public grants Block Public Access neutralises (RestrictPublicBuckets / IgnorePublicAcls). */
  readonly neutralised: string[];
}

async function optional<T>(read: () => Promise<T>, absent: string): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (awsErrorName(error) === absent) return undefined;
    throw error;
  }
}

/**
 * Reads the bucket's policy, ACL and Block Public Access settings. A public statement or grant
 * that Block Public Access neutralises (RestrictPublicBuckets for policies, IgnorePublicAcls for
 * ACLs) is reported apart: S3 does not honour it, but one setting change would.
 */
export async function readPublicAccess(s3: S3Client, bucket: string): Promise<PublicAccess> {
  try {
    return await readPublicAccessOf(s3, bucket);
  } catch (error) {
    if (awsErrorName(error) !== 'AccessDenied' && awsErrorName(error) !== 'Forbidden') throw error;
    const denied = new Error(
      `cannot read the policy, ACL or Block Public Access of bucket "${bucket}" (AccessDenied): it may belong to another account (its owner must grant CloudFront in its policy), or the role lacks s3:GetBucketPolicy, s3:GetBucketAcl, s3:GetBucketPublicAccessBlock on it`,
      { cause: error },
    );
    denied.name = 'AccessDenied';
    throw denied;
  }
}

async function readPublicAccessOf(s3: S3Client, bucket: string): Promise<PublicAccess> {
  const [policy, acl, bpa] = await Promise.all([
    optional(
      async () => (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy,
      'NoSuchBucketPolicy',
    ),
    s3.send(new GetBucketAclCommand({ Bucket: bucket })),
    optional(
      async () =>
        (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))
          .PublicAccessBlockConfiguration,
      'NoSuchPublicAccessBlockConfiguration',
    ),
  ]);
  const statements = publicAllows(policyStatements(policy)).open.map(
    (id) =>
      `bucket policy statement ${JSON.stringify(id)} allows Principal "*" with no condition restricting who`,
  );
  const grants = publicAclGrants(acl.Grants ?? []).map((g) => `bucket ACL grants ${g}`);
  const findings: string[] = [];
  const neutralised: string[] = [];
  (bpa?.RestrictPublicBuckets === true ? neutralised : findings).push(...statements);
  (bpa?.IgnorePublicAcls === true ? neutralised : findings).push(...grants);
  return { findings, neutralised };
}

/**
 * Provisioning's public-access preflight: throws {@link PublicBucket} when the bucket is public
 * and `allowPublic` is not set; otherwise returns the warnings to show (public grants allowed,
 * or neutralised by Block Public Access).
 */
export async function checkPublicAccess(
  s3: S3Client,
  bucket: string,
  allowPublic: boolean,
): Promise<string[]> {
  const access = await readPublicAccess(s3, bucket);
  if (access.findings.length && !allowPublic) throw new PublicBucket(bucket, access.findings);
  return [
    ...access.findings.map((f) => `${f}: allowed by --allow-public; viewers can bypass CloudFront`),
    ...access.neutralised.map((f) => `${f}, neutralised by Block Public Access for now`),
  ];
}

/** Read-merge-write attempts: another run may write the policy between our read and write. */
const MERGE_ATTEMPTS = 3;

/**
 * Merges this distribution's statement into the bucket policy. S3 has no conditional write for
 * policies, so two runs for one bucket (two distributions provisioned at once) could each drop
 * the other's statement: after writing, the policy is read again, and merged again if our
 * statement is not there.
 */
export async function ensureBucketPolicy(
  deps: { s3: S3Client; warn?: (message: string, detail: Record<string, unknown>) => void },
  input: BucketPolicyInput,
): Promise<BucketPolicyResult> {
  let changed = false;
  for (let attempt = 1; ; attempt += 1) {
    const merged = mergeBucketPolicy(
      await readPolicy(deps.s3, input.bucket),
      input.bucket,
      input.distributionArn,
    );
    if (attempt === 1 && merged.publicStatements.length > 0) {
      deps.warn?.(
        'the bucket policy already allows everyone to read; CloudFront-only access is not enforced until these statements are removed (or Block Public Access is on)',
        { bucket: input.bucket, statements: merged.publicStatements },
      );
    }
    if (!merged.changed) {
      return { changed, sid: merged.sid, publicStatements: merged.publicStatements };
    }
    if (attempt > MERGE_ATTEMPTS) {
      throw new TransientError(
        `the bucket policy of ${input.bucket} kept changing while ${merged.sid} was merged in`,
      );
    }
    await deps.s3.send(new PutBucketPolicyCommand({ Bucket: input.bucket, Policy: merged.policy }));
    changed = true;
  }
}
