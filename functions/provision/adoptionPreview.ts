/**
 * The adoption preview (`provision --distribution ID --dry-run`): what the workflow would change,
 * field by field, computed with the same preflight (`prepareAdoption`), the same merge
 * (`adoptedConfig`) and the same comparison (`fieldChanges`) the workflow's tasks use. Reads
 * only: nothing is created or changed. Policies and the OAC that do not exist yet appear as
 * `(new <name>)`.
 */
import {
  GetDistributionConfigCommand,
  ListTagsForResourceCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { GetBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  distributionStatement,
  oaiStatementsFor,
  oacStatementFor,
  policyStatements,
} from '../../shared/bucketPolicy.js';
import type { DistributionSpec } from '../../shared/distributionSpec.js';
import { adoptedConfig } from './adoptConfig.js';
import { prepareAdoption, type Adoption } from './adoption.js';
import { fieldChanges, type FieldChange } from './configChanges.js';
import { managedTags, specCallerReference } from './distributionConfig.js';
import { missingTags } from './findDistribution.js';
import { findOriginAccessControl } from './ensureOriginAccessControl.js';
import { existingPolicyIds } from './ensurePolicies.js';
import { listKeyGroups } from './ensureKeyGroups.js';
import { keyGroupsOf } from '../../shared/distributionSpec.js';
import { awsErrorName } from './errors.js';
import { oaiUsers } from './retireOriginAccessIdentity.js';
import {
  cachePolicyConfigs,
  originAccessControlConfig,
  originRequestPolicyId,
  responseHeadersPolicyConfig,
} from './policies.js';

export interface AdoptionPreview {
  readonly distributionId: string;
  readonly domainName: string;
  /** Pass it as `--if-match`: the real run refuses if the distribution changed since. */
  readonly etag: string;
  /** Every field of the distribution's config that would change. */
  readonly changes: FieldChange[];
  /** Tags that would be added (or set to the spec's value); other tags stay. */
  readonly tags: Array<{ readonly key: string; readonly value: string }>;
  /** Resources the run would create first (OAC, policies), by name. */
  readonly creates: string[];
  /** The bucket-policy statement granting the OAC (added before the switch), when missing. */
  readonly grantStatement?: string;
  /** OAIs the bucket's origins use: grant removed after Deployed, OAI deleted if unused. */
  readonly originAccessIdentities: Array<{
    readonly id: string;
    readonly grantInPolicy: boolean;
    /** Other distributions reading through it: then its grant and the OAI stay. */
    readonly alsoUsedBy: string[];
  }>;
}

async function bucketPolicy(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchBucketPolicy') return undefined;
    throw error;
  }
}

export async function previewAdoption(
  deps: { readonly cloudfront: CloudFrontClient; readonly s3: S3Client },
  spec: DistributionSpec,
  distributionId: string,
  stage?: string,
): Promise<AdoptionPreview> {
  const { cloudfront } = deps;
  const adoption = (await prepareAdoption({ cloudfront }, spec, { distributionId })) as Adoption;
  const current = await cloudfront.send(new GetDistributionConfigCommand({ Id: distributionId }));
  const creates: string[] = [];
  const named = (map: Map<string, string>, name: string) => {
    const id = map.get(name);
    if (id) return id;
    creates.push(name);
    return `(new ${name})`;
  };
  const oacName = originAccessControlConfig(spec).Name!;
  const oac = (await findOriginAccessControl(cloudfront, oacName)) ?? named(new Map(), oacName);
  const existing = await existingPolicyIds(cloudfront);
  const cachePolicyIds = Object.fromEntries(
    cachePolicyConfigs(spec).map((p) => [p.name, named(existing.cache, p.name)]),
  );
  const headers = responseHeadersPolicyConfig(spec).name;
  const groups = keyGroupsOf(spec.privatePrefixes ?? []);
  const groupIds = groups.length > 0 ? await listKeyGroups(cloudfront) : undefined;
  const keyGroupIds = Object.fromEntries(
    groups.map((g) => [g.name, groupIds?.get(g.name)?.id ?? named(new Map(), g.name)]),
  );
  const desired = adoptedConfig(
    current.DistributionConfig!,
    spec,
    {
      callerReference: specCallerReference(spec),
      originAccessControlId: oac,
      cachePolicyIds,
      responseHeadersPolicyId: named(existing.responseHeaders, headers),
      originRequestPolicyId: originRequestPolicyId(spec),
      keyGroupIds,
    },
    distributionId,
  );
  const tagsNow = await cloudfront.send(new ListTagsForResourceCommand({ Resource: adoption.arn }));
  const tags = missingTags(tagsNow.Tags?.Items ?? [], managedTags(spec, stage || undefined)).map(
    (t) => ({ key: t.Key!, value: t.Value ?? '' }),
  );
  const statements = policyStatements(await bucketPolicy(deps.s3, spec.bucket));
  const users = await oaiUsers(cloudfront, adoption.originAccessIdentities);
  return {
    distributionId,
    domainName: adoption.domainName,
    etag: current.ETag ?? adoption.etag,
    changes: fieldChanges(current.DistributionConfig!, desired),
    tags,
    creates,
    ...(oacStatementFor(statements, adoption.arn)
      ? {}
      : { grantStatement: distributionStatement(spec.bucket, adoption.arn).Sid! }),
    originAccessIdentities: adoption.originAccessIdentities.map((id) => ({
      id,
      grantInPolicy: oaiStatementsFor(statements, { id }).length > 0,
      alsoUsedBy: (users.get(id) ?? []).filter((d) => d !== distributionId),
    })),
  };
}
