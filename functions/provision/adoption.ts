/**
 * Adopting a distribution the team already has (`provision --distribution ID`): the preflight
 * Validate runs before anything is created — the distribution exists, reads the bucket through
 * its default behaviour, is no other spec's, and still has the ETag the preview showed — and
 * what the rest of the workflow needs from it (its ARN, the OAIs it reads the bucket with).
 */
import {
  GetDistributionCommand,
  type CloudFrontClient,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { oaiIdFromOrigin } from '../../shared/bucketPolicy.js';
import type { DistributionSpec } from '../../shared/distributionSpec.js';
import { adoptionProblem, bucketOrigins } from './adoptConfig.js';
import { findManagedDistribution } from './findDistribution.js';
import { AdoptionRefused, awsErrorName, changedSincePreview, InvalidSpec } from './errors.js';

/** The workflow input's `adopt`: which distribution, and the ETag its preview showed. */
export interface AdoptInput {
  readonly distributionId?: string;
  readonly ifMatch?: string;
}

/** `$.validated.adoption` when adopting (an empty object otherwise). */
export interface Adoption {
  readonly distributionId: string;
  readonly arn: string;
  readonly domainName: string;
  /** The ETag the preflight read (the preview's, when `ifMatch` was given). */
  readonly etag: string;
  /** OAIs the bucket's origins read through today: their grants go once the OAC is Deployed. */
  readonly originAccessIdentities: string[];
}

const DISTRIBUTION_ID = /^[A-Z0-9]{1,64}$/;

/** The OAI ids the bucket's origins use in `config`. */
export function originAccessIdentities(config: DistributionConfig, bucket: string): string[] {
  const ids = bucketOrigins(config, bucket)
    .map((o) => oaiIdFromOrigin(o.S3OriginConfig?.OriginAccessIdentity))
    .filter((id): id is string => Boolean(id));
  return [...new Set(ids)];
}

/** The adopt input checked against the account; `{}` when not adopting. */
export async function prepareAdoption(
  deps: { cloudfront: CloudFrontClient },
  spec: DistributionSpec,
  adopt: AdoptInput | undefined,
): Promise<Adoption | Record<string, never>> {
  const id = adopt?.distributionId;
  if (id === undefined || id === '') return {};
  if (typeof id !== 'string' || !DISTRIBUTION_ID.test(id)) {
    throw new InvalidSpec(
      'adopt.distributionId',
      `must be a distribution id such as E2EXAMPLE1ABCD (got ${JSON.stringify(id)})`,
    );
  }
  let out;
  try {
    out = await deps.cloudfront.send(new GetDistributionCommand({ Id: id }));
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchDistribution') {
      throw new AdoptionRefused(
        `distribution ${id} does not exist in this account (GetDistribution: NoSuchDistribution); check the id (npx cdn-pipeline status lists the managed ones, the CloudFront console every one)`,
        { cause: error },
      );
    }
    throw error;
  }
  const distribution = out.Distribution!;
  const config = distribution.DistributionConfig!;
  const etag = out.ETag ?? '';
  if (adopt?.ifMatch && adopt.ifMatch !== etag) changedSincePreview(id, adopt.ifMatch, etag);
  const problem = adoptionProblem(id, config, spec.bucket);
  if (problem) throw new AdoptionRefused(problem);
  const owner = await findManagedDistribution(deps.cloudfront, spec);
  if (owner && owner.id !== id) {
    throw new AdoptionRefused(
      `distribution ${owner.id} already is the managed distribution of s3://${spec.bucket} named "${spec.name}"; adopt ${id} under another name (--name) or remove the cdn-pipeline tags from ${owner.id}`,
    );
  }
  return {
    distributionId: id,
    arn: distribution.ARN!,
    domainName: distribution.DomainName!,
    etag,
    originAccessIdentities: originAccessIdentities(config, spec.bucket),
  };
}
