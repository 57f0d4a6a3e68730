/**
 * The distributions cdn-pipeline manages (tag `cdn-pipeline:managed=true`), as `status`, the
 * "nothing found" hints and `report`'s hints read them: id, status, domain, aliases, bucket,
 * name and stage from the tags (the bucket from the first S3 origin when untagged).
 */
import {
  GetDistributionCommand,
  ListTagsForResourceCommand,
  paginateListDistributions,
  type CloudFrontClient,
  type DistributionSummary,
} from '@aws-sdk/client-cloudfront';
import { bucketFromOriginDomain } from '../shared/distributions.js';
import { MANAGED_TAG_KEYS, MANAGED_TAG_VALUE } from '../shared/catalogue.js';

export interface ManagedDistribution {
  readonly id: string;
  readonly arn: string;
  readonly status: string;
  readonly enabled: boolean;
  readonly domainName: string;
  readonly aliases: string[];
  /** From the `cdn-pipeline:bucket` tag, else the first S3 origin. */
  readonly bucket?: string;
  readonly name?: string;
  readonly stage?: string;
  /** ISO 8601. */
  readonly lastModified?: string;
}

/** Tag lookups in flight at once (CloudFront's control plane throttles early). */
const TAG_CONCURRENCY = 4;

type Summary = Pick<
  DistributionSummary,
  'Id' | 'ARN' | 'Status' | 'Enabled' | 'DomainName' | 'Aliases' | 'Origins' | 'LastModifiedTime'
>;

/** The summary, completed by GetDistribution when it lacks the origins (the emulator's does). */
async function complete(cloudfront: CloudFrontClient, summary: Summary): Promise<Summary> {
  if (summary.Origins) return summary;
  const out = await cloudfront.send(new GetDistributionCommand({ Id: summary.Id }));
  const d = out.Distribution;
  const config = d?.DistributionConfig;
  return {
    ...summary,
    Status: d?.Status ?? summary.Status,
    LastModifiedTime: d?.LastModifiedTime ?? summary.LastModifiedTime,
    Enabled: config?.Enabled ?? summary.Enabled,
    Aliases: config?.Aliases ?? summary.Aliases,
    Origins: config?.Origins,
  };
}

async function tagsOf(cloudfront: CloudFrontClient, arn: string): Promise<Map<string, string>> {
  const out = await cloudfront.send(new ListTagsForResourceCommand({ Resource: arn }));
  return new Map((out.Tags?.Items ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

function originBucket(summary: Summary): string | undefined {
  for (const origin of summary.Origins?.Items ?? []) {
    const bucket = origin.DomainName ? bucketFromOriginDomain(origin.DomainName) : undefined;
    if (bucket) return bucket;
  }
  return undefined;
}

async function describe(
  cloudfront: CloudFrontClient,
  summary: Summary,
): Promise<ManagedDistribution | undefined> {
  if (!summary.Id || !summary.ARN) return undefined;
  const tags = await tagsOf(cloudfront, summary.ARN);
  if (tags.get(MANAGED_TAG_KEYS.managed) !== MANAGED_TAG_VALUE) return undefined;
  const full = await complete(cloudfront, summary);
  const bucket = tags.get(MANAGED_TAG_KEYS.bucket) ?? originBucket(full);
  const name = tags.get(MANAGED_TAG_KEYS.name);
  const stage = tags.get(MANAGED_TAG_KEYS.stage);
  return {
    id: summary.Id,
    arn: summary.ARN,
    status: full.Status ?? '',
    enabled: full.Enabled ?? true,
    domainName: full.DomainName ?? '',
    aliases: full.Aliases?.Items ?? [],
    ...(bucket ? { bucket } : {}),
    ...(name ? { name } : {}),
    ...(stage ? { stage } : {}),
    ...(full.LastModifiedTime ? { lastModified: full.LastModifiedTime.toISOString() } : {}),
  };
}

/** `items.map(fn)`, at most `limit` at a time, in order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Every distribution tagged `cdn-pipeline:managed=true`, in ListDistributions order. */
export async function listManagedDistributions(
  cloudfront: CloudFrontClient,
): Promise<ManagedDistribution[]> {
  const summaries: Summary[] = [];
  for await (const page of paginateListDistributions({ client: cloudfront }, {})) {
    summaries.push(...(page.DistributionList?.Items ?? []));
  }
  const found = await mapLimited(summaries, TAG_CONCURRENCY, (s) => describe(cloudfront, s));
  return found.filter((d): d is ManagedDistribution => d !== undefined);
}

/**
 * Of the stage: tagged with it, or with no stage tag at all (the report's rule: a distribution
 * made by hand and tagged managed belongs to every stage).
 */
export function ofStage(d: Pick<ManagedDistribution, 'stage'>, stage: string): boolean {
  return d.stage === undefined || d.stage === stage;
}
