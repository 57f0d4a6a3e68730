/**
 * LOCAL ONLY (the local edge). What answering a request depends on (the distributions, the
 * cache, S3, the clock, the edge location's names), and the result types CloudFront reports.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { EdgeCache } from './EdgeCache.js';
import type { EdgeDistribution } from './edgeDistributions.js';

/** x-edge-result-type as the edge reports it (X-Cache: `<type> from cloudfront`). */
export type ResultType = 'Hit' | 'RefreshHit' | 'Miss' | 'Error';

export interface EdgeDeps {
  distributions(): readonly EdgeDistribution[];
  readonly cache: EdgeCache;
  readonly s3: S3Client;
  readonly now: () => number;
  /** The edge location's name (`X-Amz-Cf-Pop`, the log's x-edge-location). */
  readonly pop: string;
  /** Served to a loopback Host without a `/_edge/<id>/` prefix (routing.ts). */
  readonly defaultDistributionId?: string;
  /** The host part of `Via` (`<id>.cloudfront.net`). */
  readonly viaHost: string;
  readonly originTimeoutMs?: number;
}
