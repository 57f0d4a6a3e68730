import type { BucketOrigin } from '../../shared/distributions.js';
import type { PathRequest } from '../../shared/invalidation/plan.js';

/** The requests of one batch for one origin of a distribution, with the bucket it serves. */
export interface InvalidationTarget {
  readonly origin: BucketOrigin;
  readonly bucket: string;
  readonly requests: PathRequest[];
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
