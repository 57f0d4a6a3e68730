/**
 * The bucket-policy statement that lets one distribution read the bucket through OAC, merged into
 * whatever policy the bucket already has: one statement per distribution (`Sid: cdnp-<id>`),
 * added or replaced, every other statement kept as it is. The statement is never public: its
 * principal is the CloudFront service, limited by `AWS:SourceArn` to this distribution.
 */
import { GetBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  distributionStatement,
  publicAllows,
  type PolicyDocument,
  type PolicyStatement,
} from '../../shared/bucketPolicy.js';
import { awsErrorName, TransientError } from './errors.js';
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
