/**
 * Health of every distribution serving the bucket: enabled and Deployed, reading through an
 * origin access control that signs, HTTPS only, and its statement in the bucket policy.
 */
import {
  GetDistributionCommand,
  GetOriginAccessControlCommand,
  paginateListDistributions,
  type CloudFrontClient,
  type Distribution,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { oacStatementFor, type PolicyStatement } from '../../shared/bucketPolicy.js';
import { bucketOriginsOf, type BucketOrigin } from '../../shared/distributions.js';
import { errorName, fail, pass, warn, type HealthCheck, type KnownGaps } from './check.js';

export interface ServingDistribution {
  readonly origins: BucketOrigin[];
  readonly distribution: Distribution;
}

/**
 * Every distribution with an origin reading the bucket, disabled ones included (so they can be
 * reported; `findBucketOrigins` skips them because they serve nothing).
 */
export async function findServingDistributions(
  cloudfront: CloudFrontClient,
  bucket: string,
): Promise<ServingDistribution[]> {
  const found: ServingDistribution[] = [];
  for await (const page of paginateListDistributions({ client: cloudfront }, {})) {
    for (const summary of page.DistributionList?.Items ?? []) {
      // Summaries carry the origins on AWS; the emulator's do not, so read those in full.
      if (summary.Origins && !bucketOriginsOf({ ...summary, Enabled: true }, bucket).length)
        continue;
      const out = await cloudfront.send(new GetDistributionCommand({ Id: summary.Id }));
      const d = out.Distribution;
      if (!d) continue;
      const origins = bucketOriginsOf(
        { Id: d.Id, ARN: d.ARN, DomainName: d.DomainName, ...d.DistributionConfig, Enabled: true },
        bucket,
      );
      if (origins.length) found.push({ origins, distribution: d });
    }
  }
  return found;
}

/** Behaviours whose viewer protocol policy lets plain HTTP through. */
export function plainHttpBehaviours(config: DistributionConfig | undefined): string[] {
  const behaviours = [
    { path: 'default (*)', policy: config?.DefaultCacheBehavior?.ViewerProtocolPolicy },
    ...(config?.CacheBehaviors?.Items ?? []).map((b) => ({
      path: b.PathPattern ?? '?',
      policy: b.ViewerProtocolPolicy,
    })),
  ];
  return behaviours
    .filter((b) => b.policy !== 'https-only' && b.policy !== 'redirect-to-https')
    .map((b) => `${b.path}: ${b.policy ?? 'unset'}`);
}

async function checkOac(
  cloudfront: CloudFrontClient,
  id: string,
  config: DistributionConfig | undefined,
  originIds: ReadonlySet<string>,
  options: { bucket: string; knownGaps?: KnownGaps },
): Promise<HealthCheck> {
  const name = `${id} origin access control`;
  const fix = `npx cdn-pipeline provision --bucket ${options.bucket} (it attaches an OAC)`;
  const origins = (config?.Origins?.Items ?? []).filter((o) => originIds.has(o.Id ?? ''));
  const missing = origins.filter((o) => !o.OriginAccessControlId);
  if (missing.length) {
    const oai = missing.filter((o) => o.S3OriginConfig?.OriginAccessIdentity);
    if (oai.length) {
      return fail(name, `origin ${oai[0]!.Id} uses a legacy origin access identity`, fix);
    }
    const gap = options.knownGaps?.originAccessControl;
    if (gap) return warn(name, gap.detail, gap.fix);
    return fail(
      name,
      `origin ${missing[0]!.Id} has no OAC: CloudFront's requests to S3 are unsigned and denied`,
      fix,
    );
  }
  const ids = [...new Set(origins.map((o) => o.OriginAccessControlId!))];
  for (const oacId of ids) {
    try {
      const oac = await cloudfront.send(new GetOriginAccessControlCommand({ Id: oacId }));
      const behaviour = oac.OriginAccessControl?.OriginAccessControlConfig?.SigningBehavior;
      if (behaviour !== 'always') {
        return warn(name, `${oacId} signs ${behaviour}: requests may reach S3 unsigned`, fix);
      }
    } catch (error) {
      if (errorName(error) !== 'NoSuchOriginAccessControl') throw error;
      return fail(name, `${oacId} does not exist`, fix);
    }
  }
  return pass(name, ids.join(', '));
}

/** The checks of one distribution serving the bucket. */
export async function checkDistribution(
  cloudfront: CloudFrontClient,
  serving: ServingDistribution,
  statements: readonly PolicyStatement[],
  options: { bucket: string; knownGaps?: KnownGaps },
): Promise<HealthCheck[]> {
  const d = serving.distribution;
  const id = d.Id ?? '?';
  const config = d.DistributionConfig;
  const provision = `npx cdn-pipeline provision --bucket ${options.bucket}`;
  const checks: HealthCheck[] = [];
  const state = `${id} deployed`;
  if (config?.Enabled === false) {
    checks.push(
      warn(
        state,
        `${d.DomainName}: disabled, serves nothing`,
        'enable it in the console, or delete it',
      ),
    );
  } else if (d.Status !== 'Deployed') {
    checks.push(
      warn(
        state,
        `${d.DomainName}: ${d.Status}`,
        'changes are still deploying: check again in a few minutes',
      ),
    );
  } else {
    checks.push(pass(state, `${d.DomainName}: enabled, Deployed`));
  }
  const originIds = new Set(serving.origins.map((o) => o.originId));
  checks.push(await checkOac(cloudfront, id, config, originIds, options));
  const plain = plainHttpBehaviours(config);
  checks.push(
    plain.length
      ? fail(`${id} https only`, `plain HTTP allowed on ${plain.join('; ')}`, provision)
      : pass(`${id} https only`, 'every behaviour https-only or redirect-to-https'),
  );
  const statement = oacStatementFor(statements, d.ARN ?? '');
  checks.push(
    statement
      ? pass(
          `${id} bucket policy`,
          `${statement.Sid ?? 'statement'}: cloudfront.amazonaws.com, AWS:SourceArn = this distribution`,
        )
      : fail(
          `${id} bucket policy`,
          `no statement lets ${id} read s3://${options.bucket} (cloudfront.amazonaws.com with AWS:SourceArn): viewers get 403`,
          `${provision} (it merges the statement into the policy)`,
        ),
  );
  return checks;
}
