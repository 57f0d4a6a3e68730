/**
 * LOCAL ONLY (the local edge). A viewer request and the edge's answer as handleRequest.ts sees
 * them, what answering depends on (the distributions, the cache, S3, the clock, the edge
 * location's names), and the result types CloudFront reports.
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

export interface EdgeRequest {
  readonly method: string;
  /** Path and query as sent (`/videos/a%20b.mp4?x=1`). */
  readonly url: string;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Bytes of the request line and headers, as received. */
  readonly headerBytes: number;
  readonly requestId: string;
  /** The viewer's address (a signed policy's IpAddress is checked against it). */
  readonly clientIp?: string;
}

export interface EdgeResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly resultType: ResultType;
  /** The log's x-edge-detailed-result-type (`Hit`, `Miss`, `OriginConnectError`, …). */
  readonly detailedResultType: string;
  readonly distributionId?: string;
  readonly behaviourPattern?: string;
  /** The path as the distribution saw it (the `/_edge/<id>` prefix removed), and the query. */
  readonly path: string;
  readonly query: string;
  /** Time to the origin's answer, when the origin was asked. */
  readonly originLatencyMs?: number;
  readonly range?: { readonly start: number; readonly end: number };
}
