/**
 * The distributions the report covers: every distribution tagged `cdn-pipeline:managed=true`
 * (of this stage, when the tag says one), plus the explicit `DISTRIBUTION_IDS`. A distribution
 * that disappears while we look (deleted between runs, or between the listing and its tags) is
 * skipped with its reason, never an error.
 */
import {
  GetDistributionCommand,
  ListTagsForResourceCommand,
  paginateListDistributions,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { MANAGED_TAG_KEYS, MANAGED_TAG_VALUE } from '../../shared/catalogue.js';

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

export interface SkippedDistribution {
  readonly distributionId: string;
  readonly reason: string;
}

export interface ReportDistributions {
  readonly distributions: ReportDistribution[];
  readonly skipped: SkippedDistribution[];
}

/** The name a mail shows beside the id: the first alias, else the CloudFront domain. */
export function displayDomain(d: Pick<ReportDistribution, 'aliases' | 'domainName'>): string {
  return d.aliases[0] ?? d.domainName;
}

/** CloudFront's answers for "no such distribution" (moto and AWS differ in the name). */
export function isGone(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return (
    e?.name === 'NoSuchDistribution' ||
    e?.name === 'NoSuchResource' ||
    e?.name === 'EntityNotFound' ||
    e?.$metadata?.httpStatusCode === 404
  );
}

const describe = (error: unknown) => {
  const e = error as { name?: string; message?: string } | undefined;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
};

interface Summary {
  Id?: string | undefined;
  ARN?: string | undefined;
  DomainName?: string | undefined;
  Aliases?: { Items?: string[] | undefined } | undefined;
  Enabled?: boolean | undefined;
}

function toDistribution(
  s: Summary,
  tags: ReadonlyMap<string, string>,
  source: ReportDistribution['source'],
): ReportDistribution {
  return {
    id: s.Id ?? '',
    arn: s.ARN ?? '',
    domainName: s.DomainName ?? '',
    aliases: [...(s.Aliases?.Items ?? [])],
    name: tags.get(MANAGED_TAG_KEYS.name),
    bucket: tags.get(MANAGED_TAG_KEYS.bucket),
    enabled: s.Enabled !== false,
    source,
  };
}

async function tagsOf(cloudfront: CloudFrontClient, arn: string): Promise<Map<string, string>> {
  // Always the ARN the API returned: the emulator's differ from AWS's format.
  const out = await cloudfront.send(new ListTagsForResourceCommand({ Resource: arn }));
  return new Map((out.Tags?.Items ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/**
 * Lists every distribution, reads the tags of each, keeps the managed ones of `stage` (a
 * distribution without a stage tag belongs to every stage), then adds `explicitIds` that the
 * listing did not already bring (GetDistribution; a deleted one is skipped).
 */
export async function findReportDistributions(
  cloudfront: CloudFrontClient,
  options: { explicitIds?: readonly string[]; stage?: string },
): Promise<ReportDistributions> {
  const explicit = new Set(options.explicitIds ?? []);
  const found = new Map<string, ReportDistribution>();
  const skipped: SkippedDistribution[] = [];

  for await (const page of paginateListDistributions({ client: cloudfront }, {})) {
    for (const summary of page.DistributionList?.Items ?? []) {
      if (!summary.Id || !summary.ARN) continue;
      let tags: Map<string, string>;
      try {
        tags = await tagsOf(cloudfront, summary.ARN);
      } catch (error) {
        // Deleted after the listing: not an error. Anything else: that one is left out.
        if (isGone(error)) {
          if (explicit.has(summary.Id))
            skipped.push({ distributionId: summary.Id, reason: 'deleted' });
          continue;
        }
        skipped.push({
          distributionId: summary.Id,
          reason: `tags unreadable (${describe(error)})`,
        });
        continue;
      }
      const managed = tags.get(MANAGED_TAG_KEYS.managed) === MANAGED_TAG_VALUE;
      const stage = tags.get(MANAGED_TAG_KEYS.stage);
      const ours = managed && (!stage || !options.stage || stage === options.stage);
      if (ours) found.set(summary.Id, toDistribution(summary, tags, 'managed'));
      else if (explicit.has(summary.Id))
        found.set(summary.Id, toDistribution(summary, tags, 'explicit'));
    }
  }

  for (const id of explicit) {
    if (found.has(id) || skipped.some((s) => s.distributionId === id)) continue;
    try {
      const out = await cloudfront.send(new GetDistributionCommand({ Id: id }));
      const d = out.Distribution;
      found.set(
        id,
        toDistribution(
          {
            Id: d?.Id ?? id,
            ARN: d?.ARN,
            DomainName: d?.DomainName,
            Aliases: d?.DistributionConfig?.Aliases,
            Enabled: d?.DistributionConfig?.Enabled,
          },
          new Map(),
          'explicit',
        ),
      );
    } catch (error) {
      skipped.push({
        distributionId: id,
        reason: isGone(error) ? 'deleted' : `unreadable (${describe(error)})`,
      });
    }
  }
  return {
    distributions: [...found.values()].sort((a, b) => a.id.localeCompare(b.id)),
    skipped,
  };
}
