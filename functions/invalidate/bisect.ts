/**
 * Sending a plan to CloudFront: one CreateInvalidation for the whole plan; when CloudFront rejects
 * its input, bisected, each half a call of its own (own CallerReference), recursively, until the
 * rejected paths stand alone — so one bad path never holds back its batch-mates.
 */
import { CreateInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { isWildcardPath } from '../../shared/keys.js';
import { CALL_LEVEL_REJECTIONS, errorText, isRejection, isThrottle } from './cloudfrontErrors.js';
import type { InvalidationOutcome } from './types.js';

/**
 * At most this many CreateInvalidation calls per distribution and batch. Bisecting n paths to
 * isolate one rejected path costs about 2·log2(n) calls (3 000 paths: 24); what is left when the
 * cap is reached is deferred.
 */
export const MAX_CREATE_CALLS = 24;

/** Whether invalidating `sent` also invalidates the requested `path` (exact, or `prefix*`). */
export function covers(sent: readonly string[], path: string): boolean {
  return sent.some((p) => p === path || (isWildcardPath(p) && path.startsWith(p.slice(0, -1))));
}

/** One call: its CallerReference and how many requests it covers. */
interface Call {
  readonly reference: string;
  readonly requests: number;
}

export interface BisectResult {
  /** The calls CloudFront accepted. */
  readonly invalidations: readonly InvalidationOutcome[];
  /** Paths CloudFront rejected on their own, with the error. */
  readonly rejected: ReadonlyMap<string, string>;
  /** Why sending stopped before every path was sent (throttled, call-level rejection, cap). */
  readonly stop: { readonly reason: string; readonly throttled: boolean } | undefined;
}

export async function createBisecting(
  cloudfront: CloudFrontClient,
  distributionId: string,
  calls: {
    /** The whole plan's call. */
    readonly whole: Call & { readonly paths: readonly string[]; readonly wildcards: number };
    /** The call for a segment of it. */
    readonly segment: (paths: readonly string[]) => Call;
  },
): Promise<BisectResult> {
  const plan = calls.whole;
  // One call for the whole plan. When CloudFront rejects its input, bisect: each half is a call
  // of its own (own CallerReference), recursively, until the rejected paths stand alone. Depth
  // first, left half first, so a rejection costs about 2·log2(n) calls.
  interface Segment {
    readonly paths: readonly string[];
    /** The left half of a rejected call: when it succeeds, its right half must fail. */
    readonly sibling?: Segment;
    /** Known to be rejected as a whole (parent rejected, left half accepted): split unsent. */
    doomed?: boolean;
  }
  const invalidations: InvalidationOutcome[] = [];
  const rejected = new Map<string, string>();
  const stack: Segment[] = [{ paths: plan.paths }];
  /** Pushes both halves, the left on top (sent first). */
  const split = (segment: Segment) => {
    const half = Math.ceil(segment.paths.length / 2);
    const right: Segment = { paths: segment.paths.slice(half) };
    stack.push(right, { paths: segment.paths.slice(0, half), sibling: right });
  };
  let sentCalls = 0;
  let stop: { reason: string; throttled: boolean } | undefined;
  while (stack.length) {
    const segment = stack.pop()!;
    if (segment.doomed && segment.paths.length > 1) {
      split(segment);
      continue;
    }
    if (sentCalls >= MAX_CREATE_CALLS) {
      stop = {
        reason: `CreateInvalidation rejected input and bisecting it reached ${MAX_CREATE_CALLS} calls`,
        throttled: false,
      };
      break;
    }
    const whole = segment.paths === plan.paths;
    const call = whole ? plan : calls.segment(segment.paths);
    const ref = call.reference;
    sentCalls += 1;
    try {
      const out = await cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: {
            CallerReference: ref,
            Paths: { Quantity: segment.paths.length, Items: [...segment.paths] },
          },
        }),
      );
      invalidations.push({
        distributionId,
        invalidationId: out.Invalidation?.Id ?? '',
        callerReference: ref,
        paths: segment.paths,
        wildcards: whole ? plan.wildcards : segment.paths.filter(isWildcardPath).length,
        requests: call.requests,
      });
      if (segment.sibling) segment.sibling.doomed = true;
    } catch (error) {
      const name = (error as { name?: string })?.name ?? '';
      if (!isRejection(error) || CALL_LEVEL_REJECTIONS.has(name)) {
        stop = {
          reason: `CreateInvalidation failed: ${errorText(error)}`,
          throttled: isThrottle(error),
        };
        break;
      }
      if (segment.paths.length === 1) {
        rejected.set(segment.paths[0]!, errorText(error));
      } else {
        split(segment);
      }
    }
  }
  return { invalidations, rejected, stop };
}
