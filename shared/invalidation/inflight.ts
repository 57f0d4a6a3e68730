/**
 * What a distribution already has in flight: file paths and wildcard paths of its InProgress
 * invalidations (everyone's, not only ours — the quota is the distribution's).
 */
import {
  GetInvalidationCommand,
  paginateListInvalidations,
  type CloudFrontClient,
  type InvalidationSummary,
} from '@aws-sdk/client-cloudfront';
import { isWildcardPath } from '../keys.js';
import { isTagItem } from './cacheTags.js';

export interface InFlightInvalidation {
  readonly id: string;
  readonly callerReference: string;
  readonly files: number;
  readonly wildcards: number;
}

export interface InFlight {
  readonly files: number;
  readonly wildcards: number;
  /** Each invalidation still in progress, with its CallerReference. */
  readonly invalidations: readonly InFlightInvalidation[];
}

/** The emulator says `COMPLETED`, AWS says `Completed`. */
export function isInProgress(summary: Pick<InvalidationSummary, 'Status'>): boolean {
  return (summary.Status ?? '').toLowerCase() !== 'completed';
}

const OLD_ENOUGH_MS = 60 * 60 * 1000;
const FETCH_CONCURRENCY = 8;

/**
 * Counts in-flight paths. CloudFront lists invalidations newest first, so the scan stops at the
 * first page that has nothing in progress and reaches back more than an hour (bounded by
 * `maxPages`, 100 invalidations a page).
 */
export async function inFlightPaths(
  cloudfront: CloudFrontClient,
  distributionId: string,
  options: { maxPages?: number; now?: number } = {},
): Promise<InFlight> {
  const now = options.now ?? Date.now();
  const inProgress: string[] = [];
  let pages = 0;
  for await (const page of paginateListInvalidations(
    { client: cloudfront, pageSize: 100 },
    { DistributionId: distributionId },
  )) {
    const items = page.InvalidationList?.Items ?? [];
    const active = items.filter(isInProgress);
    inProgress.push(...active.map((i) => i.Id!).filter(Boolean));
    pages += 1;
    const oldest = Math.min(...items.map((i) => i.CreateTime?.getTime() ?? now));
    if (pages >= (options.maxPages ?? 10) || (active.length === 0 && now - oldest > OLD_ENOUGH_MS))
      break;
  }
  let files = 0;
  let wildcards = 0;
  const invalidations: InFlightInvalidation[] = [];
  for (let i = 0; i < inProgress.length; i += FETCH_CONCURRENCY) {
    const chunk = inProgress.slice(i, i + FETCH_CONCURRENCY);
    const details = await Promise.all(
      chunk.map((Id) =>
        cloudfront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id })),
      ),
    );
    for (const d of details) {
      if (!d.Invalidation || !isInProgress(d.Invalidation)) continue;
      const paths = d.Invalidation.InvalidationBatch?.Paths?.Items ?? [];
      const own = { files: 0, wildcards: 0 };
      for (const path of paths) {
        if (isWildcardPath(path)) own.wildcards += 1;
        else own.files += 1;
        if (isTagItem(path)) own.wildcards += 1; // a #tag: both pools (tags.ts)
      }
      files += own.files;
      wildcards += own.wildcards;
      invalidations.push({
        id: d.Invalidation.Id ?? '',
        callerReference: d.Invalidation.InvalidationBatch?.CallerReference ?? '',
        ...own,
      });
    }
  }
  return { files, wildcards, invalidations };
}
