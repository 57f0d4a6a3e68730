/**
 * LOCAL ONLY. The distribution of a bucket that already existed (`npm start -- --bucket NAME`):
 * provisioned, or adopted when the team already serves the bucket through one, with the same
 * workflow `npx cdn-pipeline provision --distribution ID` runs (preview, then the real run with
 * the preview's ETag, OAI → OAC with the bucket policy granting both until the OAC config is
 * Deployed). Which one:
 *
 * 1. `--distribution ID`: that one is adopted (refused, naming why, if it does not read the bucket);
 * 2. else the pipeline's own distribution for the bucket, when an earlier run made or adopted it;
 * 3. else the one distribution that reads the bucket, adopted (several: the start is refused and
 *    names them, for `--distribution`);
 * 4. else a new one, as for the stage's own bucket.
 */
import { previewAdoption, type AdoptionPreview } from '../functions/provision/adoptionPreview.js';
import { findManagedDistribution, tagsOf } from '../functions/provision/findDistribution.js';
import { MANAGED_TAG_KEYS, MANAGED_TAG_VALUE } from '../shared/catalogue.js';
import type { AwsClients } from '../shared/clients.js';
import type { LocalStack } from './bootstrap.js';
import { findBucketOrigins } from '../shared/distributions.js';
import { parseDistributionSpec } from '../shared/distributionSpec.js';
import {
  installLocalCloudFrontShims,
  LocalProvisionFailed,
  localDistributionSpec,
  provisionLocally,
  provisionStageDistribution,
  type StageDistribution,
} from './provision.js';

type Clients = Pick<AwsClients, 'cloudfront' | 's3' | 'sns'>;

export interface BucketDistributionOptions {
  /** Adopt this distribution (`--distribution ID`). */
  readonly distributionId?: string;
  readonly signal?: AbortSignal;
  /** Seconds between deployment polls (default 1). */
  readonly pollSecondsOverride?: number;
  /** A line per decision and per change the adoption makes. */
  readonly log?: (line: string) => void;
}

/** The bucket's distributions the pipeline does not manage yet (its ids, in listing order). */
async function unmanagedReaders(clients: Clients, bucket: string): Promise<string[]> {
  const origins = await findBucketOrigins(clients.cloudfront, bucket);
  const byId = new Map(origins.map((o) => [o.distributionId, o.arn]));
  const ids: string[] = [];
  for (const [id, arn] of byId) {
    const tags = await tagsOf(clients.cloudfront, arn);
    const managed = tags.some(
      (t) => t.Key === MANAGED_TAG_KEYS.managed && t.Value === MANAGED_TAG_VALUE,
    );
    if (!managed) ids.push(id);
  }
  return ids;
}

/** The preview in a few lines: what changes, what is created, what happens to each OAI. */
export function previewLines(preview: AdoptionPreview): string[] {
  const lines = [
    `adopting ${preview.distributionId} (${preview.domainName}): ` +
      `${preview.changes.length} field${preview.changes.length === 1 ? '' : 's'} of its config change` +
      (preview.creates.length ? `; creates ${preview.creates.join(', ')}` : ''),
  ];
  if (preview.grantStatement)
    lines.push(`  bucket policy: adds ${preview.grantStatement} (its OAC) before the switch`);
  for (const oai of preview.originAccessIdentities) {
    lines.push(
      oai.alsoUsedBy.length
        ? `  OAI ${oai.id}: kept with its grant (${oai.alsoUsedBy.join(', ')} still read through it)`
        : `  OAI ${oai.id}: its grant removed and the OAI deleted once the OAC config is Deployed`,
    );
  }
  return lines;
}

async function adopt(
  clients: Clients,
  stack: { readonly bucket: string; readonly alertsTopicArn: string; readonly stage: string },
  distributionId: string,
  options: BucketDistributionOptions,
): Promise<StageDistribution> {
  const spec = parseDistributionSpec(localDistributionSpec(stack.bucket));
  let preview: AdoptionPreview;
  try {
    preview = await previewAdoption(clients, spec, distributionId, stack.stage);
  } catch (error) {
    if ((error as Error).name !== 'AdoptionRefused') throw error;
    throw new LocalProvisionFailed(`cannot adopt: ${(error as Error).message}`, { cause: error });
  }
  for (const line of previewLines(preview)) options.log?.(line);
  const run = await provisionLocally({
    clients,
    alertsTopicArn: stack.alertsTopicArn,
    spec: localDistributionSpec(stack.bucket),
    stage: stack.stage,
    adopt: { distributionId, ifMatch: preview.etag },
    pollSecondsOverride: options.pollSecondsOverride ?? 1,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (run.status !== 'SUCCEEDED') {
    throw new LocalProvisionFailed(
      `adopting ${distributionId} failed: ${run.error?.Error ?? run.status}: ${run.error?.Cause ?? ''}`,
    );
  }
  const output = run.output as { distributionId: string; arn: string; domainName: string };
  return {
    id: output.distributionId,
    arn: output.arn,
    domainName: output.domainName,
    action: 'adopted',
    transitions: run.transitions,
    elapsedMs: run.elapsedMs,
  };
}

/** The existing bucket's distribution: adopted, found again or created (see the module's note). */
export async function existingBucketDistribution(
  clients: Clients,
  stack: { readonly bucket: string; readonly alertsTopicArn: string; readonly stage: string },
  options: BucketDistributionOptions = {},
): Promise<StageDistribution> {
  installLocalCloudFrontShims(clients);
  if (options.distributionId) return adopt(clients, stack, options.distributionId, options);
  const spec = parseDistributionSpec(localDistributionSpec(stack.bucket));
  const provision = () =>
    provisionStageDistribution(clients, stack, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.pollSecondsOverride !== undefined
        ? { pollSecondsOverride: options.pollSecondsOverride }
        : {}),
    });
  if (await findManagedDistribution(clients.cloudfront, spec)) return provision();
  const readers = await unmanagedReaders(clients, stack.bucket);
  if (readers.length > 1) {
    throw new LocalProvisionFailed(
      `distributions ${readers.join(', ')} read bucket "${stack.bucket}": say which one to adopt ` +
        `with --distribution ID`,
    );
  }
  if (readers.length === 1) {
    options.log?.(
      `bucket ${stack.bucket} is served by ${readers[0]}, not yet managed: adopting it ` +
        `(--distribution ID chooses another)`,
    );
    return adopt(clients, stack, readers[0]!, options);
  }
  return provision();
}

/**
 * The stage's distribution: through the provisioning workflow for the stage's own bucket, as
 * always; for a bucket that already existed (`--bucket`), adopted or provisioned (above).
 */
export async function stageDistribution(
  clients: Clients,
  stack: Pick<
    LocalStack,
    'bucket' | 'alertsTopicArn' | 'names' | 'existingBucket' | 'standardLogBucket'
  >,
  options: { distribution?: string; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<StageDistribution> {
  const target = {
    bucket: stack.bucket,
    alertsTopicArn: stack.alertsTopicArn,
    stage: stack.names.stage,
  };
  const signal = options.signal ? { signal: options.signal } : {};
  if (!stack.existingBucket)
    return provisionStageDistribution(
      clients,
      { ...target, logBucket: stack.standardLogBucket },
      signal,
    );
  return existingBucketDistribution(clients, target, {
    ...signal,
    ...(options.distribution ? { distributionId: options.distribution } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
