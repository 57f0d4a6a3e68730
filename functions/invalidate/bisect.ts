/**
 * Sending a plan to CloudFront: one CreateInvalidation for the whole plan; when CloudFront rejects
 * its input, bisected, each half a call of its own (own CallerReference), recursively, until the
 * rejected paths stand alone — so one bad path never holds back its batch-mates.
 *
 * Many bad paths in one batch would cost about 2·log2(n) calls each and reach the call cap with
 * good batch-mates unsent, batch after batch, until they reach the DLQ. So a rejected path is
 * isolated once: paths CloudFront is documented to refuse are never sent (`knownRefusal`), a path
 * it rejected is remembered for the life of the instance, and once one path stands rejected, the
 * unsent paths that share one of its unproven characters (not alphanumeric nor `/._-%`, and never
 * seen in an accepted call) are set apart: the others go in one call at once, the suspects one by
 * one while the cap lasts (what is left is deferred with the reason).
 */
import { CreateInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { isWildcardPath } from '../../shared/keys.js';
import {
  CALL_LEVEL_REJECTIONS,
  errorText,
  isRejection,
  isThrottle,
  knownRefusal,
} from './cloudfrontErrors.js';
import type { InvalidationOutcome } from './types.js';

/**
 * At most this many CreateInvalidation calls per distribution and batch. Bisecting n paths to
 * isolate one rejected path costs about 2·log2(n) calls (3 000 paths: 24); what is left when the
 * cap is reached is deferred.
 */
export const MAX_CREATE_CALLS = 24;

/** Rejected paths remembered per instance (oldest forgotten first). */
const REMEMBERED_REJECTIONS = 10_000;
/** Characters CloudFront accepts in a path (RFC 3986 unreserved but `~`, `/`, `%`-escapes). */
const PROVEN = /[A-Za-z0-9/._%-]/;

/** What this instance learned from CloudFront's answers. */
const learned = {
  rejected: new Map<string, string>(),
  /** Characters seen in paths of accepted calls. */
  accepted: new Set<string>(),
};

/** Forgets what CloudFront's answers taught (tests: one instance per case). */
export function forgetLearned(): void {
  learned.rejected.clear();
  learned.accepted.clear();
}

/** Why CloudFront rejected `path` in an earlier call of this instance, if it did. */
export function learnedRejection(path: string): string | undefined {
  return learned.rejected.get(path);
}

function rememberRejected(path: string, reason: string): void {
  if (learned.rejected.size >= REMEMBERED_REJECTIONS)
    learned.rejected.delete(learned.rejected.keys().next().value!);
  learned.rejected.set(path, reason);
}

/** Characters of `path` that might be why CloudFront rejected it. */
function unproven(path: string): string[] {
  return [...new Set(path)].filter((c) => !PROVEN.test(c) && !learned.accepted.has(c));
}

/** Whether invalidating `sent` also invalidates the requested `path` (exact, or `prefix*`). */
export function covers(sent: readonly string[], path: string): boolean {
  return sent.some((p) => p === path || (isWildcardPath(p) && path.startsWith(p.slice(0, -1))));
}

/**
 * {@link covers} for many paths against the same `sent`: a set of the paths and a set of the
 * wildcard prefixes, probed at the prefix lengths that exist — not every sent path per question
 * (a batch asks once per accepted request: thousands × thousands).
 */
export function coverageOf(sent: readonly string[]): (path: string) => boolean {
  const exact = new Set(sent);
  const prefixes = new Set<string>();
  const lengths = new Set<number>();
  for (const p of sent)
    if (isWildcardPath(p)) {
      prefixes.add(p.slice(0, -1));
      lengths.add(p.length - 1);
    }
  const sorted = [...lengths].sort((a, b) => a - b);
  return (path) => {
    if (exact.has(path)) return true;
    for (const length of sorted) {
      if (length > path.length) break;
      if (prefixes.has(path.slice(0, length))) return true;
    }
    return false;
  };
}

/** One call: its CallerReference and how many requests it covers. */
interface Call {
  readonly reference: string;
  readonly requests: number;
}

export interface BisectResult {
  /** The calls CloudFront accepted. */
  readonly invalidations: readonly InvalidationOutcome[];
  /** Paths CloudFront rejected (or is known to refuse) on their own, with the reason. */
  readonly rejected: ReadonlyMap<string, string>;
  /** Paths not sent because they look like a rejected one, with the reason. */
  readonly suspected: ReadonlyMap<string, string>;
  /** Why sending stopped before every path was sent (throttled, call-level rejection, cap). */
  readonly stop: { readonly reason: string; readonly throttled: boolean } | undefined;
}

interface Segment {
  readonly paths: readonly string[];
  /** The left half of a rejected call: when it succeeds, its right half must fail. */
  readonly sibling?: Segment;
  /** Known to be rejected as a whole (parent rejected, left half accepted): split unsent. */
  doomed?: boolean;
  /** Set apart as a suspect: the rejected path it looks like, and why that one was rejected. */
  readonly like?: { readonly path: string; readonly chars: readonly string[] };
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
  const invalidations: InvalidationOutcome[] = [];
  const rejected = new Map<string, string>();
  const suspected = new Map<string, string>();
  const stack: Segment[] = [];

  /** The rejected paths whose unproven characters `path` shares, and those characters. */
  const lookalike = (path: string): Segment['like'] => {
    for (const bad of rejected.keys()) {
      const chars = unproven(bad).filter((c) => path.includes(c));
      if (chars.length) return { path: bad, chars };
    }
    return undefined;
  };
  /** Stacks `paths` (whole, if nothing looks suspect): suspects one by one below, the rest on top. */
  const regroup = (paths: readonly string[]) => {
    const clean: string[] = [];
    for (const path of paths) {
      const like = lookalike(path);
      if (like) stack.unshift({ paths: [path], like });
      else clean.push(path);
    }
    if (clean.length)
      stack.push({ paths: clean.length === plan.paths.length ? plan.paths : clean });
  };
  /** Pushes both halves, the left on top (sent first). */
  const split = (segment: Segment) => {
    const half = Math.ceil(segment.paths.length / 2);
    const right: Segment = { paths: segment.paths.slice(half) };
    stack.push(right, { paths: segment.paths.slice(0, half), sibling: right });
  };

  // Paths known to be refused are never sent; the first call leaves out their look-alikes.
  const sendable: string[] = [];
  for (const path of plan.paths) {
    const reason = knownRefusal(path) ?? learned.rejected.get(path);
    if (reason) rejected.set(path, reason);
    else sendable.push(path);
  }
  regroup(sendable.length === plan.paths.length ? plan.paths : sendable);

  // Depth first, left half first, so a rejection costs about 2·log2(n) calls.
  let sentCalls = 0;
  let stop: { reason: string; throttled: boolean } | undefined;
  while (stack.length) {
    const segment = stack.pop()!;
    if (segment.doomed && segment.paths.length > 1) {
      split(segment);
      continue;
    }
    if (sentCalls >= MAX_CREATE_CALLS) {
      stack.push(segment);
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
      for (const path of segment.paths) for (const c of path) learned.accepted.add(c);
      if (segment.sibling) segment.sibling.doomed = true;
    } catch (error) {
      const name = (error as { name?: string })?.name ?? '';
      if (!isRejection(error) || CALL_LEVEL_REJECTIONS.has(name)) {
        stack.push(segment);
        stop = {
          reason: `CreateInvalidation failed: ${errorText(error)}`,
          throttled: isThrottle(error),
        };
        break;
      }
      if (segment.paths.length === 1) {
        const path = segment.paths[0]!;
        rejected.set(path, errorText(error));
        rememberRejected(path, errorText(error));
        // Set apart what looks like it among the paths not sent yet.
        if (unproven(path).length) regroup(stack.splice(0).flatMap((s) => s.paths));
      } else {
        split(segment);
      }
    }
  }
  for (const segment of stack) {
    if (!segment.like) continue;
    const chars = segment.like.chars.map((c) => JSON.stringify(c)).join(', ');
    const why = rejected.get(segment.like.path)!;
    for (const path of segment.paths)
      suspected.set(
        path,
        `not sent: it has ${chars} like ${segment.like.path}, which CloudFront rejected (${why})`,
      );
  }
  return { invalidations, rejected, suspected, stop };
}
