/**
 * Finding the spec's distribution: by its tags (`cdn-pipeline:bucket`, `cdn-pipeline:name`), or
 * by the CallerReference an earlier run created it with; and the tags it lacks.
 */
import {
  GetDistributionConfigCommand,
  ListTagsForResourceCommand,
  paginateListDistributions,
  type CloudFrontClient,
  type Distribution,
  type DistributionSummary,
  type Tag,
} from '@aws-sdk/client-cloudfront';
import { MANAGED_TAG_KEYS } from '../../shared/catalogue.js';
import { bucketFromOriginDomain } from '../../shared/distributions.js';
import type { DistributionSpec } from '../../shared/distributionSpec.js';

export type Warn = (message: string, detail: Record<string, unknown>) => void;

export interface Found {
  readonly id: string;
  readonly arn: string;
  readonly domainName: string;
  readonly status: string;
  /** Undefined when not read yet. */
  readonly tags?: Tag[];
}

export function summaryOf(s: DistributionSummary | Distribution): Found {
  return { id: s.Id!, arn: s.ARN!, domainName: s.DomainName!, status: s.Status ?? 'Unknown' };
}

/** False only when the summary lists its origins and none reads the bucket (AWS's do). */
function mayServe(summary: DistributionSummary, bucket: string): boolean {
  const origins = summary.Origins?.Items;
  if (!origins) return true;
  return origins.some((o) => o.DomainName && bucketFromOriginDomain(o.DomainName) === bucket);
}

export async function tagsOf(cloudfront: CloudFrontClient, arn: string): Promise<Tag[]> {
  const out = await cloudfront.send(new ListTagsForResourceCommand({ Resource: arn }));
  return out.Tags?.Items ?? [];
}

/** The distribution tagged as this spec's (bucket and name), if any. */
export async function findManagedDistribution(
  cloudfront: CloudFrontClient,
  spec: Pick<DistributionSpec, 'bucket' | 'name'>,
  warn?: Warn,
): Promise<Found | undefined> {
  const matches: Found[] = [];
  for await (const page of paginateListDistributions({ client: cloudfront }, {})) {
    for (const summary of page.DistributionList?.Items ?? []) {
      if (!summary.ARN || !mayServe(summary, spec.bucket)) continue;
      const tags = await tagsOf(cloudfront, summary.ARN);
      const value = (key: string) => tags.find((t) => t.Key === key)?.Value;
      if (
        value(MANAGED_TAG_KEYS.bucket) === spec.bucket &&
        value(MANAGED_TAG_KEYS.name) === spec.name
      ) {
        matches.push({ ...summaryOf(summary), tags });
      }
    }
  }
  if (matches.length > 1) {
    warn?.('several distributions carry this spec’s tags; using the first', {
      bucket: spec.bucket,
      name: spec.name,
      distributionIds: matches.map((m) => m.id),
    });
  }
  return matches[0];
}

/** The distribution created with `callerReference` (one GetDistributionConfig per candidate). */
export async function findByCallerReference(
  cloudfront: CloudFrontClient,
  callerReference: string,
): Promise<Found | undefined> {
  for await (const page of paginateListDistributions({ client: cloudfront }, {})) {
    for (const summary of page.DistributionList?.Items ?? []) {
      const out = await cloudfront.send(new GetDistributionConfigCommand({ Id: summary.Id }));
      if (out.DistributionConfig?.CallerReference === callerReference) return summaryOf(summary);
    }
  }
  return undefined;
}

/** Tags to add so that every managed and user tag is present with its value (others are kept). */
export function missingTags(current: readonly Tag[], wanted: readonly Tag[]): Tag[] {
  const have = new Map(current.map((t) => [t.Key, t.Value ?? '']));
  return wanted.filter((t) => have.get(t.Key) !== (t.Value ?? ''));
}
