/**
 * The distributions cdn-pipeline manages: every distribution tagged `cdn-pipeline:managed=true`,
 * with id, status, domain, aliases and what its tags say (bucket, name, stage). The one listing
 * that the report, `status` and the CLI's "nothing found" hints read. A distribution that
 * disappears while we look (deleted between the listing and its tags) is left out without an
 * error; one whose tags cannot be read is reported as skipped, with the cause.
 */
import {
  GetDistributionCommand,
  ListTagsForResourceCommand,
  paginateListDistributions,
  type CloudFrontClient,
  type DistributionSummary,
} from '@aws-sdk/client-cloudfront';
import { MANAGED_TAG_KEYS, MANAGED_TAG_VALUE } from './catalogue.js';
import { bucketFromOriginDomain } from './distributions.js';

export interface ManagedDistribution {
  readonly id: string;
  readonly arn: string;
  readonly status: string;
  readonly enabled: boolean;
  /** `d111111abcdef8.cloudfront.net`. */
  readonly domainName: string;
  readonly aliases: readonly string[];
  /** The `cdn-pipeline:bucket` tag. */
  readonly bucketTag?: string;
  /** The `cdn-pipeline:bucket` tag, else the first S3 origin (when the listing shows origins). */
  readonly bucket?: string;
  /** The `cdn-pipeline:name` tag. */
  readonly name?: string;
  /** The `cdn-pipeline:stage` tag. */
  readonly stage?: string;
  /** ISO 8601. */
  readonly lastModified?: string;
  /** Tagged `cdn-pipeline:managed=true`; false for one listed only because `alsoIds` names it. */
  readonly managed: boolean;
}

export interface SkippedDistribution {
  readonly distributionId: string;
  readonly reason: string;
  readonly error?: unknown;
}

export interface ManagedListing {
  readonly distributions: ManagedDistribution[];
  readonly skipped: SkippedDistribution[];
}

export interface ListOptions {
  /** Also return these distributions when the listing holds them, managed or not. */
  readonly alsoIds?: ReadonlySet<string>;
  /**
   * Complete a summary that lacks its origins with GetDistribution (the emulator's summaries
   * carry none; AWS's do), so `bucket` falls back to the S3 origin. Off: one call less each.
   */
  readonly completeOrigins?: boolean;
}

/** Tag lookups in flight at once (CloudFront's control plane throttles early). */
const TAG_CONCURRENCY = 4;

type SummaryFields = Pick<
  DistributionSummary,
  'Id' | 'ARN' | 'Status' | 'Enabled' | 'DomainName' | 'Aliases' | 'Origins' | 'LastModifiedTime'
>;
/** What a listing summary (or a GetDistribution answer) tells; any field may be missing. */
export type Summary = { [K in keyof SummaryFields]?: SummaryFields[K] | undefined };

/**
 * Of the stage: tagged with it, or with no stage tag at all (a distribution made by hand and
 * tagged managed belongs to every stage).
 */
export function ofStage(d: Pick<ManagedDistribution, 'stage'>, stage: string): boolean {
  return d.stage === undefined || d.stage === stage;
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

/** `Name: message` of an SDK error, for a skip reason. */
export function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string } | undefined;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

async function tagsOf(cloudfront: CloudFrontClient, arn: string): Promise<Map<string, string>> {
  // Always the ARN the API returned: the emulator's differ from AWS's format.
  const out = await cloudfront.send(new ListTagsForResourceCommand({ Resource: arn }));
  return new Map((out.Tags?.Items ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** The summary, completed by GetDistribution when it lacks the origins. */
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

function originBucket(summary: Summary): string | undefined {
  for (const origin of summary.Origins?.Items ?? []) {
    const bucket = origin.DomainName ? bucketFromOriginDomain(origin.DomainName) : undefined;
    if (bucket) return bucket;
  }
  return undefined;
}

/** A distribution as we describe it, from its summary and tags. */
export function toManagedDistribution(
  summary: Summary,
  tags: ReadonlyMap<string, string>,
): ManagedDistribution {
  const bucketTag = tags.get(MANAGED_TAG_KEYS.bucket);
  const bucket = bucketTag ?? originBucket(summary);
  const name = tags.get(MANAGED_TAG_KEYS.name);
  const stage = tags.get(MANAGED_TAG_KEYS.stage);
  return {
    id: summary.Id ?? '',
    arn: summary.ARN ?? '',
    status: summary.Status ?? '',
    enabled: summary.Enabled !== false,
    domainName: summary.DomainName ?? '',
    aliases: [...(summary.Aliases?.Items ?? [])],
    ...(bucketTag ? { bucketTag } : {}),
    ...(bucket ? { bucket } : {}),
    ...(name ? { name } : {}),
    ...(stage ? { stage } : {}),
    ...(summary.LastModifiedTime ? { lastModified: summary.LastModifiedTime.toISOString() } : {}),
    managed: tags.get(MANAGED_TAG_KEYS.managed) === MANAGED_TAG_VALUE,
  };
}

type Seen =
  | { readonly kind: 'found'; readonly distribution: ManagedDistribution }
  | { readonly kind: 'skipped'; readonly skipped: SkippedDistribution }
  | { readonly kind: 'none' };

async function look(
  cloudfront: CloudFrontClient,
  summary: Summary,
  options: ListOptions,
): Promise<Seen> {
  const id = summary.Id;
  if (!id || !summary.ARN) return { kind: 'none' };
  let tags: Map<string, string>;
  try {
    tags = await tagsOf(cloudfront, summary.ARN);
  } catch (error) {
    if (isGone(error)) {
      // Deleted after the listing: not an error, but one asked for by id is said to be gone.
      return options.alsoIds?.has(id)
        ? { kind: 'skipped', skipped: { distributionId: id, reason: 'deleted' } }
        : { kind: 'none' };
    }
    const reason = `tags unreadable (${errorText(error)})`;
    return { kind: 'skipped', skipped: { distributionId: id, reason, error } };
  }
  const wanted =
    tags.get(MANAGED_TAG_KEYS.managed) === MANAGED_TAG_VALUE || options.alsoIds?.has(id) === true;
  if (!wanted) return { kind: 'none' };
  const full = options.completeOrigins ? await complete(cloudfront, summary) : summary;
  return { kind: 'found', distribution: toManagedDistribution(full, tags) };
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

/**
 * Lists every distribution (paginated), reads the tags of each (a few at a time) and keeps the
 * managed ones and `alsoIds`, in ListDistributions order.
 */
export async function listManagedDistributions(
  cloudfront: CloudFrontClient,
  options: ListOptions = {},
): Promise<ManagedListing> {
  const summaries: Summary[] = [];
  for await (const page of paginateListDistributions({ client: cloudfront }, {})) {
    summaries.push(...(page.DistributionList?.Items ?? []));
  }
  const seen = await mapLimited(summaries, TAG_CONCURRENCY, (s) => look(cloudfront, s, options));
  const distributions: ManagedDistribution[] = [];
  const skipped: SkippedDistribution[] = [];
  for (const s of seen) {
    if (s.kind === 'found') distributions.push(s.distribution);
    else if (s.kind === 'skipped') skipped.push(s.skipped);
  }
  return { distributions, skipped };
}
