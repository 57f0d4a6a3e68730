/**
 * The `ensurePolicies` Task state's Lambda (serverless.yml: `functions/provision/tasks/ensurePolicies.handler`):
 * its own entry file, so its bundle holds its core and the clients it calls, nothing of the other
 * tasks. `ensurePoliciesTask` is the bare handler (createProvisionTasks, the local runner and the tests).
 */
import { cloudfrontClient } from '../../../shared/clients/cloudfront.js';
import { lambdaHandler } from '../../../shared/observability.js';
import { lazyClients } from '../../../shared/clients/lazy.js';
import { ensurePolicies as ensurePoliciesCore } from '../ensurePolicies.js';
import { bucketKey, parse, run, schemas } from '../taskInput.js';
import type { ProvisionClients, PoliciesResult } from '../types.js';

/** Reads `clients` at each call (they may be built lazily). */
export function ensurePoliciesTask(
  clients: Pick<ProvisionClients, 'cloudfront'>,
): (input: unknown) => Promise<PoliciesResult> {
  return (input) => {
    const parsed = parse('ensurePolicies', schemas.spec, input);
    return run('ensurePolicies', bucketKey(parsed.spec), () =>
      ensurePoliciesCore({ cloudfront: clients.cloudfront }, parsed),
    );
  };
}

export const handler = lambdaHandler<unknown, PoliciesResult>(() =>
  ensurePoliciesTask(lazyClients({ cloudfront: cloudfrontClient })),
);
