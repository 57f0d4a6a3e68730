/**
 * The `ensureDistribution` Task state's Lambda (serverless.yml: `functions/provision/tasks/ensureDistribution.handler`):
 * its own entry file, so its bundle holds its core and the clients it calls, nothing of the other
 * tasks. `ensureDistributionTask` is the bare handler (createProvisionTasks, the local runner and the tests).
 */
import { cloudfrontClient } from '../../../shared/clients/cloudfront.js';
import { lambdaHandler } from '../../../shared/observability.js';
import { lazyClients } from '../../../shared/clients/lazy.js';
import { ensureDistribution as ensureDistributionCore } from '../ensureDistribution.js';
import { bucketKey, parse, run, schemas, warn } from '../taskInput.js';
import type { ProvisionClients, DistributionResult } from '../types.js';

/** Reads `clients` at each call (they may be built lazily). */
export function ensureDistributionTask(
  clients: Pick<ProvisionClients, 'cloudfront'>,
): (input: unknown) => Promise<DistributionResult> {
  return (input) => {
    const parsed = parse('ensureDistribution', schemas.ensureDistribution, input);
    return run('ensureDistribution', bucketKey(parsed.spec), () =>
      ensureDistributionCore({ cloudfront: clients.cloudfront, warn }, parsed),
    );
  };
}

export const handler = lambdaHandler<unknown, DistributionResult>(() =>
  ensureDistributionTask(lazyClients({ cloudfront: cloudfrontClient })),
);
