/**
 * The `checkDeployment` Task state's Lambda (serverless.yml: `functions/provision/tasks/checkDeployment.handler`):
 * its own entry file, so its bundle holds its core and the clients it calls, nothing of the other
 * tasks. `checkDeploymentTask` is the bare handler (createProvisionTasks, the local runner and the tests).
 */
import { cloudfrontClient } from '../../../shared/clients/cloudfront.js';
import { lambdaHandler } from '../../../shared/observability.js';
import { lazyClients } from '../../../shared/clients/lazy.js';
import { checkDeployment as checkDeploymentCore } from '../checkDeployment.js';
import { parse, run, schemas } from '../taskInput.js';
import type { ProvisionClients, CheckDeploymentResult } from '../types.js';

/** Reads `clients` at each call (they may be built lazily). */
export function checkDeploymentTask(
  clients: Pick<ProvisionClients, 'cloudfront'>,
): (input: unknown) => Promise<CheckDeploymentResult> {
  return (input) => {
    const parsed = parse('checkDeployment', schemas.checkDeployment, input);
    return run('checkDeployment', { distributionId: parsed.distributionId }, () =>
      checkDeploymentCore({ cloudfront: clients.cloudfront }, parsed),
    );
  };
}

export const handler = lambdaHandler<unknown, CheckDeploymentResult>(() =>
  checkDeploymentTask(lazyClients({ cloudfront: cloudfrontClient })),
);
