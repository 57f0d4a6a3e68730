/**
 * Is a distribution one this stack reports on? Tagged `cdn-pipeline:managed=true` and of this
 * stage (or untagged by stage), or listed in DISTRIBUTION_IDS: the report's rule
 * (functions/report/managed.ts), asked per distribution a log names — GetDistribution for its ARN
 * (never assembled: the emulator's differ), then its tags — and remembered for `ttlMs`. A deleted
 * distribution is "not managed (deleted)"; a CloudFront error that is not "gone" is thrown
 * (the message is retried).
 */
import {
  GetDistributionCommand,
  ListTagsForResourceCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { MANAGED_TAG_KEYS, MANAGED_TAG_VALUE } from '../../shared/catalogue.js';
import { isGone } from '../../shared/managedDistributions.js';

export type ManagedVerdict =
  { readonly managed: true } | { readonly managed: false; readonly reason: string };

export type ManagedLookup = (distributionId: string) => Promise<ManagedVerdict>;

export function managedLookup(
  cloudfront: CloudFrontClient,
  options: {
    readonly stage: string;
    readonly explicitIds: readonly string[];
    readonly ttlMs: number;
    readonly now?: () => number;
  },
): ManagedLookup {
  const now = options.now ?? Date.now;
  const explicit = new Set(options.explicitIds);
  const cache = new Map<string, { at: number; verdict: Promise<ManagedVerdict> }>();

  async function ask(id: string): Promise<ManagedVerdict> {
    if (explicit.has(id)) return { managed: true };
    let arn: string | undefined;
    try {
      const out = await cloudfront.send(new GetDistributionCommand({ Id: id }));
      arn = out.Distribution?.ARN;
    } catch (error) {
      if (isGone(error)) return { managed: false, reason: 'deleted' };
      throw error;
    }
    if (!arn) return { managed: false, reason: 'CloudFront returned no ARN for it' };
    let tags: Map<string, string>;
    try {
      const out = await cloudfront.send(new ListTagsForResourceCommand({ Resource: arn }));
      tags = new Map((out.Tags?.Items ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (error) {
      if (isGone(error)) return { managed: false, reason: 'deleted' };
      throw error;
    }
    if (tags.get(MANAGED_TAG_KEYS.managed) !== MANAGED_TAG_VALUE)
      return {
        managed: false,
        reason: `not tagged ${MANAGED_TAG_KEYS.managed}=${MANAGED_TAG_VALUE}`,
      };
    const stage = tags.get(MANAGED_TAG_KEYS.stage);
    if (stage !== undefined && stage !== options.stage)
      return { managed: false, reason: `of stage "${stage}", not "${options.stage}"` };
    return { managed: true };
  }

  return (id) => {
    const hit = cache.get(id);
    if (hit && now() - hit.at < options.ttlMs) return hit.verdict;
    const verdict = ask(id);
    cache.set(id, { at: now(), verdict });
    // A failed lookup is not remembered: the retry asks again.
    verdict.catch(() => cache.delete(id));
    return verdict;
  };
}
