import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BucketOrigin, BucketOriginFinder } from '../../shared/distributions.js';
import type { InFlight } from '../../shared/invalidation/inflight.js';
import type { InvalidationBudget } from '../../shared/invalidation/ledgerStore.js';
import type { PathRequest, Plan } from '../../shared/invalidation/plan.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import type { TaggedObject } from '../../shared/invalidation/tags.js';
import type { InvalidateConfig } from './config.js';

/** The requests of one batch for one origin of a distribution, with the bucket it serves. */
export interface InvalidationTarget {
  readonly origin: BucketOrigin;
  readonly bucket: string;
  readonly requests: PathRequest[];
  /** Request id → its object's cache tags, for the requests whose message carries some. */
  readonly tagged?: Map<string, TaggedObject>;
}

/** One CreateInvalidation the invalidate function made (or found already made). */
export interface InvalidationOutcome {
  readonly distributionId: string;
  readonly invalidationId: string;
  readonly callerReference: string;
  readonly paths: readonly string[];
  readonly wildcards: number;
  /** Requests (SQS messages) with at least one path this invalidation covers. */
  readonly requests: number;
}

/** Per invocation: what was created, deferred (will come back through SQS) and why. */
export interface InvalidateReport {
  readonly invalidations: readonly InvalidationOutcome[];
  readonly deferred: ReadonlyArray<{ readonly messageId: string; readonly reason: string }>;
  readonly rejected: ReadonlyArray<{
    readonly messageId: string;
    readonly error: string;
    readonly field?: string;
  }>;
  /** Requests for keys no managed distribution serves (nothing to invalidate). */
  readonly unserved: number;
}

export type InvalidateObserver = (report: InvalidateReport) => void;

export interface InvalidateCoreDeps {
  readonly cloudfront: CloudFrontClient;
  readonly s3: S3Client;
  readonly config: InvalidateConfig;
  readonly findOrigins: BucketOriginFinder;
  /** The in-flight budget shared with every other invoker; absent: this invocation's view. */
  readonly budget?: InvalidationBudget;
  /** The clock (ms); default Date.now. */
  readonly now?: () => number;
}

export interface ParsedRequest {
  readonly id: string;
  readonly request: InvalidationRequest;
  /** How many times SQS delivered the message, this time included (1 when unknown). */
  readonly receiveCount?: number;
}

/** A request that must come back later, why, and when (absent: the queue's visibility timeout). */
export interface Deferral {
  readonly id: string;
  readonly reason: string;
  readonly retryAfterSeconds?: number;
}

export interface DistributionResult {
  readonly distributionId: string;
  readonly requested: number;
  /** Requests an invalidation created after their event already covered: nothing sent for them. */
  readonly covered?: number;
  readonly plan?: Plan;
  readonly inFlight?: InFlight;
  /** The CreateInvalidation calls CloudFront accepted (several when a rejection was bisected). */
  readonly invalidations: readonly InvalidationOutcome[];
  /** Request ids that must come back later, with the reason. */
  readonly deferred: readonly Deferral[];
  /** Of `deferred`, how many wait for a cheaper plan (hold.ts), not for lack of room. */
  readonly held?: number;
  readonly throttled: boolean;
}

export interface BatchResult {
  readonly distributions: readonly DistributionResult[];
  readonly deferred: ReadonlyMap<string, string>;
  /**
   * Deferred ids that should come back sooner than the queue's visibility timeout, in seconds
   * (held for a cheaper plan, or waiting for quota room); the handler sets their visibility.
   */
  readonly retryAfter: ReadonlyMap<string, number>;
  readonly unserved: number;
  /** Keys CloudFront cannot name exactly, invalidated with a bounded wildcard (docs/invalidation-paths.md). */
  readonly supersets: ReadonlyArray<{
    readonly id: string;
    readonly distributionId: string;
    readonly key: string;
    readonly path: string;
    readonly reason: string;
  }>;
}

/** What the batch knows of each request besides its paths. */
export interface BatchFacts {
  /** Request id → upload identity (CallerReference input). */
  readonly identities: ReadonlyMap<string, string>;
  /** Request id → its event's time (ms), when the request carries one. */
  readonly eventTimes: ReadonlyMap<string, number>;
  /** Request id → how many times SQS delivered it. */
  readonly receiveCounts: ReadonlyMap<string, number>;
}
