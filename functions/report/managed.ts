/**
 * The distributions the report covers: the managed ones of this stage (shared listing, a
 * distribution without a stage tag belongs to every stage), plus the explicit
 * `DISTRIBUTION_IDS`. A distribution that disappears while we look (deleted between runs, or
 * between the listing and its tags) is skipped with its reason, never an error.
 */
import { GetDistributionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  errorText,
  isGone,
  listManagedDistributions,
  ofStage,
  toManagedDistribution,
  type ManagedDistribution,
  type SkippedDistribution,
} from '../../shared/managedDistributions.js';

export { isGone };
export type { SkippedDistribution };

export interface ReportDistribution {
  readonly id: string;
  readonly arn: string;
  /** `d111111abcdef8.cloudfront.net`. */
  readonly domainName: string;
  readonly aliases: readonly string[];
  /** The `cdn-pipeline:name` tag. */
  readonly name: string | undefined;
  /** The `cdn-pipeline:bucket` tag. */
  readonly bucket: string | undefined;
  readonly enabled: boolean;
  /** Found by its tags, or listed in DISTRIBUTION_IDS. */
  readonly source: 'managed' | 'explicit';
}

export interface ReportDistributions {
  readonly distributions: ReportDistribution[];
  readonly skipped: SkippedDistribution[];
}

/** The name a mail shows beside the id: the first alias, else the CloudFront domain. */
export function displayDomain(d: Pick<ReportDistribution, 'aliases' | 'domainName'>): string {
  return d.aliases[0] ?? d.domainName;
}

function toReportDistribution(
  d: ManagedDistribution,
  source: ReportDistribution['source'],
): ReportDistribution {
  return {
    id: d.id,
    arn: d.arn,
    domainName: d.domainName,
    aliases: d.aliases,
    name: d.name,
    bucket: d.bucketTag,
    enabled: d.enabled,
    source,
  };
}

/**
 * The managed distributions of `stage` from the shared listing, then `explicitIds` that the
 * listing did not already bring (GetDistribution; a deleted one is skipped).
 */
export async function findReportDistributions(
  cloudfront: CloudFrontClient,
  options: { explicitIds?: readonly string[]; stage?: string },
): Promise<ReportDistributions> {
  const explicit = new Set(options.explicitIds ?? []);
  const found = new Map<string, ReportDistribution>();
  const listing = await listManagedDistributions(cloudfront, { alsoIds: explicit });
  const skipped = listing.skipped.map(({ distributionId, reason }) => ({ distributionId, reason }));

  for (const d of listing.distributions) {
    const ours = d.managed && (!options.stage || ofStage(d, options.stage));
    if (ours) found.set(d.id, toReportDistribution(d, 'managed'));
    else if (explicit.has(d.id)) found.set(d.id, toReportDistribution(d, 'explicit'));
  }

  for (const id of explicit) {
    if (found.has(id) || skipped.some((s) => s.distributionId === id)) continue;
    try {
      const out = await cloudfront.send(new GetDistributionCommand({ Id: id }));
      const d = out.Distribution;
      const summary = {
        Id: d?.Id ?? id,
        ARN: d?.ARN,
        DomainName: d?.DomainName,
        Aliases: d?.DistributionConfig?.Aliases,
        Enabled: d?.DistributionConfig?.Enabled,
      };
      found.set(id, toReportDistribution(toManagedDistribution(summary, new Map()), 'explicit'));
    } catch (error) {
      skipped.push({
        distributionId: id,
        reason: isGone(error) ? 'deleted' : `unreadable (${errorText(error)})`,
      });
    }
  }
  return {
    distributions: [...found.values()].sort((a, b) => a.id.localeCompare(b.id)),
    skipped,
  };
}
