/**
 * One distribution's share of a batch, in order: the in-flight snapshot (`readInFlight`, the
 * shared budget added), the recent invalidations that already cover some requests
 * (recentCoverage.ts), the folder listings (folderCounts.ts: objects changed since the burst
 * began are not "unchanged"), what may be held for a cheaper plan (hold.ts), the plan, the
 * reservation in the shared budget, and the send (`sendPlan`, bisect.ts). Every request ends
 * covered by an invalidation CloudFront accepted, or deferred with its reason (and, when it
 * should come back early, when).
 */
import { CALLER_REFERENCE_PREFIX } from '../../shared/catalogue.js';
import { callerReference } from '../../shared/invalidation/callerReference.js';
import { inFlightPaths, type InFlight } from '../../shared/invalidation/inflight.js';
import { openBudget, type BudgetView } from '../../shared/invalidation/ledgerStore.js';
import { planInvalidation, type HoldReason } from '../../shared/invalidation/plan.js';
import { withTagItems } from '../../shared/invalidation/tags.js';
import { covers, coverageOf, createBisecting, type BisectResult } from './bisect.js';
import { errorText, isThrottle } from './cloudfrontErrors.js';
import { BURST_WINDOW_MS, folderCounts } from './folderCounts.js';
import {
  burstSince,
  heldFolders,
  HOLD_RETRY_SECONDS,
  mayWait,
  quotaRetrySeconds,
  rememberHeld,
  rewritingFolders,
} from './hold.js';
import { tagInputFor } from './tagged.js';
import { coveredRequests, recentCoverage, recentInvalidations } from './recentCoverage.js';
import type {
  BatchFacts,
  Deferral,
  DistributionResult,
  InvalidateCoreDeps,
  InvalidationTarget,
} from './types.js';

/** Reads of the in-flight state per distribution and batch when others took the budget first. */
const BUDGET_ATTEMPTS = 3;

/**
 * The distribution's in-flight snapshot: what counts against the quotas before this call, with
 * every other invoker's reservations in the shared budget added. The one place the invalidate
 * core reads it.
 */
export async function readInFlight(
  deps: InvalidateCoreDeps,
  distributionId: string,
): Promise<BudgetView> {
  return openBudget(deps.budget, distributionId, () =>
    inFlightPaths(deps.cloudfront, distributionId),
  );
}

/** Sends a plan: the one place the invalidate core calls CreateInvalidation (bisect.ts). */
export async function sendPlan(
  deps: InvalidateCoreDeps,
  distributionId: string,
  calls: Parameters<typeof createBisecting>[2],
): Promise<BisectResult> {
  return createBisecting(deps.cloudfront, distributionId, calls);
}

export async function invalidateDistribution(
  deps: InvalidateCoreDeps,
  distributionId: string,
  allTargets: readonly InvalidationTarget[],
  facts: BatchFacts,
  attempt = 1,
): Promise<DistributionResult> {
  const { identities, eventTimes, receiveCounts } = facts;
  const allRequests = allTargets.flatMap((t) => t.requests);
  const requestedCount = allRequests.length;
  /** A deferral for lack of room (quota, throttling, contention): it comes back with backoff. */
  const forRoom = (id: string, reason: string): Deferral => ({
    id,
    reason,
    retryAfterSeconds: quotaRetrySeconds(receiveCounts.get(id)),
  });
  const deferAll = (reason: string, throttled = false): DistributionResult => ({
    distributionId,
    requested: requestedCount,
    invalidations: [],
    deferred: [...new Set(allRequests.map((r) => r.id))].map((id) => forRoom(id, reason)),
    throttled,
  });
  const { config } = deps;
  const times = [...new Set(allRequests.map((r) => r.id))]
    .map((id) => eventTimes.get(id))
    .filter((t): t is number => t !== undefined);
  const oldestEvent = times.length ? Math.min(...times) : undefined;
  const now = (deps.now ?? Date.now)();
  const holding = config.holdMaxMs > 0;
  const sinceFor = burstSince(distributionId, now, oldestEvent);
  const bursts = holding ? heldFolders(distributionId, now) : new Set<string>();
  let inFlight: InFlight;
  let view: BudgetView;
  let unchangedUnder: Map<string, number> | undefined;
  let rewriting = new Set<string>();
  let covered = new Set<string>();
  let targets = allTargets;
  let releaseCoverage: (() => void) | undefined;
  try {
    view = await readInFlight(deps, distributionId);
    inFlight = view.inFlight;
    let invalidatedAt: ((path: string) => number) | undefined;
    let newestInvalidation: number | undefined;
    if (oldestEvent !== undefined) {
      const recent = await recentInvalidations(
        deps.cloudfront,
        distributionId,
        oldestEvent - BURST_WINDOW_MS,
      );
      const coverage = recentCoverage(distributionId, recent);
      releaseCoverage = coverage.release;
      invalidatedAt = coverage.latest;
      newestInvalidation = recent.reduce((at, r) => Math.max(at, r.createTime), -Infinity);
      covered = coveredRequests(allRequests, eventTimes, recent, invalidatedAt);
      if (covered.size)
        targets = allTargets.map((t) => ({
          ...t,
          requests: t.requests.filter((r) => !covered.has(r.id)),
        }));
    }
    const listings = await folderCounts(
      deps,
      targets,
      inFlight,
      {
        ...(oldestEvent !== undefined ? { since: oldestEvent } : {}),
        ...(holding ? { sinceFor } : {}),
        ...(invalidatedAt ? { invalidatedAt, newestInvalidation } : {}),
      },
      { whenWildcardsFull: holding, alsoList: bursts },
    );
    if (listings) {
      unchangedUnder = new Map([...listings].map(([folder, l]) => [folder, l.unchanged]));
      if (holding && oldestEvent !== undefined)
        rewriting = rewritingFolders(
          listings,
          { now, since: (f) => sinceFor(f) ?? oldestEvent, holdMaxMs: config.holdMaxMs },
          config.wildcardMaxUnchanged,
        );
    }
  } catch (error) {
    return deferAll(`could not read quota state: ${errorText(error)}`, isThrottle(error));
  } finally {
    releaseCoverage?.();
  }
  const requests = targets.flatMap((t) => t.requests);
  const tagInput = tagInputFor(targets, distributionId, now);

  const planFor = (files: number, wildcards: number) => {
    const pathPlan = planInvalidation({
      requests,
      inFlight: { files, wildcards },
      limits: { maxFiles: config.maxInflightPaths, maxWildcards: config.maxInflightWildcards },
      collapse: {
        minSiblings: config.collapseMinSiblings,
        maxUnchanged: config.wildcardMaxUnchanged,
      },
      unchangedUnder: unchangedUnder ?? new Map<string, number>(),
      ...(holding
        ? {
            hold: {
              mayWait: (id: string, why: HoldReason) =>
                mayWait(eventTimes.get(id), receiveCounts.get(id), now, config.holdMaxMs, why),
              rewriting,
              bursts,
            },
          }
        : {}),
    });
    const plan = withTagItems(pathPlan, requests, { files, wildcards }, config, tagInput);
    const accepted = [...new Set(plan.accepted.map((id) => identities.get(id) ?? id))];
    return { plan, reference: callerReference(distributionId, plan.paths, accepted) };
  };
  let { plan, reference } = planFor(inFlight.files, inFlight.wildcards);
  // A redelivered batch whose invalidation is still in progress (the function crashed or timed
  // out after CreateInvalidation) sees its own invalidation in flight and would plan
  // differently. Planning once more without each of our own in-flight invalidations finds it
  // again: the same CallerReference, so CloudFront returns it instead of creating a second one.
  if (!inFlight.invalidations.some((i) => i.callerReference === reference)) {
    for (const own of inFlight.invalidations) {
      if (!own.callerReference.startsWith(CALLER_REFERENCE_PREFIX)) continue;
      const again = planFor(inFlight.files - own.files, inFlight.wildcards - own.wildcards);
      if (again.reference === own.callerReference) {
        ({ plan, reference } = again);
        break;
      }
    }
  }

  const quotaReason = `in-flight quota full (${inFlight.files} files, ${inFlight.wildcards} wildcards in flight)`;
  const heldBy = new Map(plan.held.map((h) => [h.id, h]));
  const heldSince = new Map<string, number>();
  for (const h of plan.held) {
    const at = eventTimes.get(h.id);
    if (at !== undefined) heldSince.set(h.folder, Math.min(heldSince.get(h.folder) ?? at, at));
  }
  rememberHeld(
    distributionId,
    [...heldSince].map(([folder, since]) => ({ folder, since })),
    now,
    config.holdMaxMs,
  );
  const planDeferred = plan.deferred.map((id): Deferral => {
    const h = heldBy.get(id);
    if (!h) return forRoom(id, quotaReason);
    const reason =
      h.why === 'burst'
        ? `held: a burst is still rewriting ${h.folder} (a wildcard soon evicts few unchanged objects)`
        : `held: ${h.folder} qualifies for a wildcard, none free (${inFlight.wildcards} in flight)`;
    return { id, reason, retryAfterSeconds: HOLD_RETRY_SECONDS };
  });
  if (plan.paths.length === 0) {
    return {
      distributionId,
      requested: requestedCount,
      covered: covered.size,
      plan,
      inFlight,
      invalidations: [],
      deferred: planDeferred,
      held: plan.held.length,
      throttled: false,
    };
  }

  // The paths each accepted request needs; a request is done when a sent call covers them all.
  const acceptedIds = new Set(plan.accepted);
  const needs = new Map<string, string[]>();
  for (const r of requests) {
    if (!acceptedIds.has(r.id)) continue;
    const tag = plan.taggedBy.get(r.id);
    if (tag !== undefined) {
      needs.set(r.id, [tag]); // the #tag item covers every path of the object
      continue;
    }
    const list = needs.get(r.id) ?? [];
    if (!list.includes(r.path)) list.push(r.path);
    needs.set(r.id, list);
  }
  /** Ids of the accepted requests with at least one path `paths` covers. */
  const touching = (paths: readonly string[]) => {
    const covering = coverageOf(paths);
    return plan.accepted.filter((id) => needs.get(id)!.some((path) => covering(path)));
  };

  // Reserve the plan in the shared budget before sending; when others took the room since the
  // read, read the in-flight state again and plan with what is left.
  const hold = await view.reserve(plan.paths, reference);
  if (!hold.ok)
    return hold.contended && attempt < BUDGET_ATTEMPTS
      ? invalidateDistribution(deps, distributionId, allTargets, facts, attempt + 1)
      : deferAll(hold.reason);
  const sending = sendPlan(deps, distributionId, {
    whole: {
      paths: plan.paths,
      reference,
      requests: plan.accepted.length,
      wildcards: plan.wildcards,
    },
    segment: (paths) => {
      const ids = touching(paths);
      return {
        reference: callerReference(distributionId, paths, [
          ...new Set(ids.map((id) => identities.get(id) ?? id)),
        ]),
        requests: ids.length,
      };
    },
  });
  const { invalidations, rejected, suspected, stop } = await hold.settle(sending);

  const sent = invalidations.flatMap((i) => i.paths);
  const rejectedPaths = [...rejected.keys()];
  const deferred: Deferral[] = [...planDeferred];
  const sentCovers = coverageOf(sent);
  for (const id of plan.accepted) {
    const missing = needs.get(id)!.filter((path) => !sentCovers(path));
    if (missing.length === 0) continue;
    const bad = rejectedPaths.find((p) => missing.some((path) => covers([p], path)));
    const held = missing.find((path) => suspected.has(path));
    const reason =
      bad !== undefined
        ? `CloudFront rejected path ${bad}: ${rejected.get(bad)!}`
        : held !== undefined
          ? `path ${held} ${suspected.get(held)!}`
          : (stop?.reason ?? 'CreateInvalidation did not cover it');
    deferred.push(
      bad === undefined && held === undefined && stop?.throttled
        ? forRoom(id, reason)
        : { id, reason },
    );
  }
  return {
    distributionId,
    requested: requestedCount,
    covered: covered.size,
    plan,
    inFlight,
    invalidations,
    deferred,
    held: plan.held.length,
    throttled: stop?.throttled ?? false,
  };
}
