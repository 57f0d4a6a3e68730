/**
 * The distributions cdn-pipeline manages, as `status` and the "nothing found" hints show them:
 * the shared listing (shared/managedDistributions.ts) with origins completed, so an untagged
 * bucket still shows, in the shape `status --json` prints.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  listManagedDistributions as listing,
  ofStage,
  type ManagedDistribution as Shared,
} from '../shared/managedDistributions.js';

export { ofStage };

/** A managed distribution as `status --json` prints it (the shared one, without our flags). */
export type ManagedDistribution = Omit<Shared, 'bucketTag' | 'managed' | 'aliases'> & {
  readonly aliases: string[];
};

/**
 * Every distribution tagged `cdn-pipeline:managed=true`, in ListDistributions order. A
 * distribution whose tags cannot be read fails the command with that error (a partial list
 * would read as "not there").
 */
export async function listManagedDistributions(
  cloudfront: CloudFrontClient,
): Promise<ManagedDistribution[]> {
  const { distributions, skipped } = await listing(cloudfront, { completeOrigins: true });
  const failed = skipped.find((s) => s.error !== undefined);
  if (failed) throw failed.error;
  return distributions.map(({ bucketTag: _tag, managed: _managed, aliases, ...d }) => ({
    ...d,
    aliases: [...aliases],
  }));
}
