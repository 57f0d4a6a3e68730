/**
 * Ensure the spec's distribution, idempotently:
 *
 * 1. find the managed one: ListDistributions, then the tags `cdn-pipeline:bucket` and
 *    `cdn-pipeline:name` of each candidate (on AWS, summaries carry their origins, so only
 *    distributions reading the bucket are asked for their tags);
 * 2. absent: CreateDistributionWithTags with the spec's deterministic CallerReference. If
 *    CloudFront answers `DistributionAlreadyExists` (an earlier run created it and lost its tags,
 *    or crashed before it could be found), find it by CallerReference and carry on as present;
 * 3. present: put back missing tags, GetDistributionConfig, and when `configDiff` reports fields
 *    that differ, UpdateDistribution with the merged config and `IfMatch` = the ETag. A
 *    `PreconditionFailed` (someone changed it in between) re-reads and retries once.
 *
 * Adopting (`adopt.distributionId`): steps 1–2 are skipped, the given distribution is updated
 * with {@link adoptedConfig} (the team's config with what the spec manages), `IfMatch` the
 * previewed ETag when given (a changed one fails with `DistributionChanged`, never retried). Any
 * distribution whose CallerReference is not the spec's was adopted, so later runs that find it by
 * its tags merge the same way instead of replacing the team's settings.
 *
 * The ARN is always the one the API returns (the emulator's has no `::`).
 */
import {
  CreateDistributionWithTagsCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  TagResourceCommand,
  UpdateDistributionCommand,
  type CloudFrontClient,
  type DistributionConfig,
  type Tag,
} from '@aws-sdk/client-cloudfront';
import { adoptedConfig } from './adoptConfig.js';
import {
  configDiff,
  managedTags,
  mergeForUpdate,
  toDistributionConfig,
  type DistributionRefs,
} from './distributionConfig.js';
import type { DistributionSpec } from '../../shared/distributionSpec.js';
import {
  AdoptionRefused,
  awsErrorName,
  changedSincePreview,
  DistributionConflict,
} from './errors.js';
import {
  findByCallerReference,
  findManagedDistribution,
  missingTags,
  summaryOf,
  tagsOf,
  type Found,
  type Warn,
} from './findDistribution.js';
import type { DistributionResult, EnsureDistributionInput } from './types.js';

export type { Warn } from './findDistribution.js';

export interface EnsureDistributionDeps {
  readonly cloudfront: CloudFrontClient;
  /** Told about oddities worth a log line (fields CloudFront did not keep, duplicate tags). */
  readonly warn?: Warn;
}

const STALE_ETAG = new Set(['PreconditionFailed', 'InvalidIfMatchVersion']);

function conflict(error: unknown, spec: DistributionSpec): never {
  const name = awsErrorName(error);
  const message = (error as Error).message;
  if (name === 'CNAMEAlreadyExists') {
    throw new DistributionConflict(
      `CNAMEAlreadyExists: one of the aliases ${spec.aliases.join(', ')} is already used by another CloudFront distribution (${message}). Remove it from that distribution, or from spec.aliases, then run provision again`,
      { cause: error },
    );
  }
  throw error;
}

async function create(
  deps: EnsureDistributionDeps,
  desired: DistributionConfig,
  tags: Tag[],
  spec: DistributionSpec,
): Promise<Found | 'exists'> {
  try {
    const out = await deps.cloudfront.send(
      new CreateDistributionWithTagsCommand({
        DistributionConfigWithTags: { DistributionConfig: desired, Tags: { Items: tags } },
      }),
    );
    return summaryOf(out.Distribution!);
  } catch (error) {
    if (awsErrorName(error) === 'DistributionAlreadyExists') return 'exists';
    return conflict(error, spec);
  }
}

/** What the update compares against: the spec's whole config, or the adopted merge. */
interface Wanted {
  readonly desired: DistributionConfig;
  readonly refs: DistributionRefs;
  /** The previewed ETag (adoption with `--if-match`): a different one refuses the update. */
  readonly ifMatch?: string | undefined;
}

/**
 * Brings a found distribution to the desired config; at most one retry on a stale ETag (none
 * when adopting with a previewed ETag: that is the point of the preview).
 */
async function update(
  deps: EnsureDistributionDeps,
  found: Found,
  wanted: Wanted,
  spec: DistributionSpec,
): Promise<{ found: Found; changes: string[] }> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.cloudfront.send(new GetDistributionConfigCommand({ Id: found.id }));
    if (!current.DistributionConfig)
      throw new Error(`GetDistributionConfig ${found.id}: no config`);
    if (wanted.ifMatch && current.ETag !== wanted.ifMatch) {
      changedSincePreview(found.id, wanted.ifMatch, current.ETag ?? '');
    }
    const ours = current.DistributionConfig.CallerReference === wanted.desired.CallerReference;
    const desired = ours
      ? wanted.desired
      : adoptedConfig(current.DistributionConfig, spec, wanted.refs, found.id);
    const changes = configDiff(current.DistributionConfig, desired);
    if (changes.length === 0) return { found, changes };
    try {
      const out = await deps.cloudfront.send(
        new UpdateDistributionCommand({
          Id: found.id,
          IfMatch: current.ETag,
          DistributionConfig: mergeForUpdate(current.DistributionConfig, desired),
        }),
      );
      const after = out.Distribution!;
      const kept = after.DistributionConfig ? configDiff(after.DistributionConfig, desired) : [];
      if (kept.length > 0) {
        // CloudFront (or the emulator) did not keep what we sent: the next run would update again.
        deps.warn?.('the updated distribution still differs from the spec', {
          distributionId: found.id,
          fields: kept,
        });
      }
      return { found: { ...summaryOf(after), arn: after.ARN ?? found.arn }, changes };
    } catch (error) {
      if (!STALE_ETAG.has(awsErrorName(error))) return conflict(error, spec);
      if (wanted.ifMatch) changedSincePreview(found.id, wanted.ifMatch, 'another');
      if (attempt >= 2) {
        throw new DistributionConflict(
          `${awsErrorName(error)}: distribution ${found.id} changed twice while provision was updating it; run provision again when no one else is editing it`,
          { cause: error },
        );
      }
    }
  }
}

/** The distribution being adopted, as `Found`. */
async function adopted(cloudfront: CloudFrontClient, id: string): Promise<Found> {
  try {
    const out = await cloudfront.send(new GetDistributionCommand({ Id: id }));
    return summaryOf(out.Distribution!);
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchDistribution') {
      throw new AdoptionRefused(`distribution ${id} does not exist in this account`, {
        cause: error,
      });
    }
    throw error;
  }
}

export async function ensureDistribution(
  deps: EnsureDistributionDeps,
  input: EnsureDistributionInput,
): Promise<DistributionResult> {
  const { spec, callerReference } = input;
  const refs: DistributionRefs = {
    callerReference,
    originAccessControlId: input.oac.originAccessControlId,
    cachePolicyIds: input.policies.cachePolicyIds,
    responseHeadersPolicyId: input.policies.responseHeadersPolicyId,
    originRequestPolicyId: input.policies.originRequestPolicyId,
    keyGroupIds: input.policies.keyGroupIds ?? {},
  };
  const desired = toDistributionConfig(spec, refs);
  const tags = managedTags(spec, input.stage || undefined);
  const adoptId = input.adopt?.distributionId;

  let found = adoptId
    ? await adopted(deps.cloudfront, adoptId)
    : await findManagedDistribution(deps.cloudfront, spec, deps.warn);
  if (!found) {
    const created = await create(deps, desired, tags, spec);
    if (created !== 'exists') {
      return {
        distributionId: created.id,
        arn: created.arn,
        domainName: created.domainName,
        status: created.status,
        action: 'created',
        changes: [],
      };
    }
    found = await findByCallerReference(deps.cloudfront, callerReference);
    if (!found) {
      throw new DistributionConflict(
        `DistributionAlreadyExists: CloudFront says a distribution with CallerReference ${callerReference} exists, but none is listed; it may be being deleted. Try again in a few minutes`,
      );
    }
  }

  const addTags = missingTags(found.tags ?? (await tagsOf(deps.cloudfront, found.arn)), tags);
  if (addTags.length > 0) {
    await deps.cloudfront.send(
      new TagResourceCommand({ Resource: found.arn, Tags: { Items: addTags } }),
    );
  }
  const updated = await update(
    deps,
    found,
    { desired, refs, ifMatch: adoptId ? input.adopt?.ifMatch : undefined },
    spec,
  );
  const changes = [...updated.changes, ...(addTags.length > 0 ? ['Tags'] : [])];
  const f = updated.found;
  return {
    distributionId: f.id,
    arn: f.arn,
    domainName: f.domainName,
    status: f.status,
    action: changes.length > 0 ? 'updated' : 'unchanged',
    changes,
  };
}
