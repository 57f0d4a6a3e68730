/**
 * One poll of the wait loop: the distribution's status, and whether the loop should stop.
 * The state machine waits `pollSeconds` between polls and gives up after `maxPolls`.
 */
import { GetDistributionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CheckDeploymentInput, CheckDeploymentResult } from './types.js';

export async function checkDeployment(
  deps: { cloudfront: CloudFrontClient },
  input: CheckDeploymentInput,
): Promise<CheckDeploymentResult> {
  const out = await deps.cloudfront.send(new GetDistributionCommand({ Id: input.distributionId }));
  const status = out.Distribution?.Status ?? 'Unknown';
  const deployed = status === 'Deployed';
  const polls = input.polls + 1;
  return {
    status,
    deployed,
    polls,
    maxPolls: input.maxPolls,
    timedOut: !deployed && polls >= input.maxPolls,
  };
}
