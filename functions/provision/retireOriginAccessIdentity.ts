/**
 * The last step of an OAI → OAC migration, run once the adopted distribution's OAC config is
 * Deployed: the OAI's grant leaves the bucket policy, then the OAI itself is deleted — each only
 * when no distribution reads through that OAI any more (another distribution may share it; its
 * reads would start failing). Until this step the bucket policy grants both the OAI and the OAC,
 * so no request is refused at any point of the migration.
 */
import {
  DeleteCloudFrontOriginAccessIdentityCommand,
  GetCloudFrontOriginAccessIdentityCommand,
  GetDistributionConfigCommand,
  paginateListDistributions,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  normaliseDistributionArn,
  oaiIdFromOrigin,
  policyStatements,
  STATEMENT_SID_PREFIX,
  withoutOaiGrants,
  type OaiPrincipal,
} from '../../shared/bucketPolicy.js';
import { awsErrorName, DistributionConflict, TransientError } from './errors.js';
import type { RetireOaiInput, RetireOaiResult } from './types.js';

export interface RetireDeps {
  readonly cloudfront: CloudFrontClient;
  readonly s3: S3Client;
}

/** OAI id → the distributions whose origins read through it (any bucket). */
export async function oaiUsers(
  cloudfront: CloudFrontClient,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const users = new Map(ids.map((id) => [id, [] as string[]]));
  for await (const page of paginateListDistributions({ client: cloudfront }, {})) {
    for (const summary of page.DistributionList?.Items ?? []) {
      // AWS's summaries list their origins; the emulator's do not: read the config then.
      let origins = summary.Origins?.Items;
      if (!origins) {
        const out = await cloudfront.send(new GetDistributionConfigCommand({ Id: summary.Id }));
        origins = out.DistributionConfig?.Origins?.Items ?? [];
      }
      for (const origin of origins) {
        const id = oaiIdFromOrigin(origin.S3OriginConfig?.OriginAccessIdentity);
        const list = id ? users.get(id) : undefined;
        if (list && !list.includes(summary.Id!)) list.push(summary.Id!);
      }
    }
  }
  return users;
}

async function principal(cloudfront: CloudFrontClient, id: string): Promise<OaiPrincipal> {
  try {
    const out = await cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: id }));
    const canonical = out.CloudFrontOriginAccessIdentity?.S3CanonicalUserId;
    return canonical ? { id, canonicalUserId: canonical } : { id };
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchCloudFrontOriginAccessIdentity') return { id };
    throw error;
  }
}

async function readPolicy(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchBucketPolicy') return undefined;
    throw error;
  }
}

/** Removes the OAIs' grants (read, modify, write, read again: S3 has no conditional write). */
async function revokeGrants(
  s3: S3Client,
  bucket: string,
  oais: readonly OaiPrincipal[],
): Promise<boolean> {
  let changed = false;
  for (let attempt = 1; attempt <= 3; attempt++, changed = true) {
    const next = withoutOaiGrants(await readPolicy(s3, bucket), oais);
    if (!next.changed) return changed;
    if (policyStatements(next.policy).length === 0) {
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    } else {
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: next.policy }));
    }
  }
  throw new TransientError(
    `the bucket policy of ${bucket} kept changing while OAI grants were removed`,
  );
}

async function deleteOai(cloudfront: CloudFrontClient, id: string): Promise<boolean> {
  try {
    const out = await cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: id }));
    await cloudfront.send(
      new DeleteCloudFrontOriginAccessIdentityCommand({ Id: id, IfMatch: out.ETag }),
    );
    return true;
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'NoSuchCloudFrontOriginAccessIdentity') return false;
    // Someone started using it between our look and the delete: it stays, so do its readers.
    if (name === 'CloudFrontOriginAccessIdentityInUse') return false;
    throw error;
  }
}

export async function retireOriginAccessIdentities(
  deps: RetireDeps,
  input: RetireOaiInput,
): Promise<RetireOaiResult> {
  const { distributionId } = normaliseDistributionArn(input.distributionArn);
  const ids = [...new Set(input.retireOriginAccessIdentities)];
  const users = await oaiUsers(deps.cloudfront, ids);
  const still = ids.filter((id) => users.get(id)!.includes(distributionId));
  if (still.length > 0) {
    throw new DistributionConflict(
      `distribution ${distributionId} still reads through OAI ${still.join(', ')}: its grant stays in the bucket policy. Run provision --distribution ${distributionId} again`,
    );
  }
  const free = ids.filter((id) => users.get(id)!.length === 0);
  const kept = ids
    .filter((id) => users.get(id)!.length > 0)
    .map((id) => ({ id, usedBy: users.get(id)! }));
  const principals = await Promise.all(free.map((id) => principal(deps.cloudfront, id)));
  const changed =
    principals.length > 0 ? await revokeGrants(deps.s3, input.bucket, principals) : false;
  const deleted: string[] = [];
  for (const id of free) if (await deleteOai(deps.cloudfront, id)) deleted.push(id);
  return {
    changed,
    sid: `${STATEMENT_SID_PREFIX}${distributionId}`,
    publicStatements: [],
    revoked: free,
    deleted,
    kept,
  };
}
