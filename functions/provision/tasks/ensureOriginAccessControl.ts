/**
 * The `ensureOriginAccessControl` Task state's Lambda (serverless.yml: `functions/provision/tasks/ensureOriginAccessControl.handler`):
 * its own entry file, so its bundle holds its core and the clients it calls, nothing of the other
 * tasks. `ensureOriginAccessControlTask` is the bare handler (createProvisionTasks, the local runner and the tests).
 */
import { cloudfrontClient } from '../../../shared/clients/cloudfront.js';
import { lambdaHandler } from '../../../shared/observability.js';
import { lazyClients } from '../../../shared/clients/lazy.js';
import { ensureOriginAccessControl as ensureOacCore } from '../ensureOriginAccessControl.js';
import { bucketKey, parse, run, schemas } from '../taskInput.js';
import type { ProvisionClients, OacResult } from '../types.js';

/** Reads `clients` at each call (they may be built lazily). */
export function ensureOriginAccessControlTask(
  clients: Pick<ProvisionClients, 'cloudfront'>,
): (input: unknown) => Promise<OacResult> {
  return (input) => {
    const parsed = parse('ensureOriginAccessControl', schemas.spec, input);
    return run('ensureOriginAccessControl', bucketKey(parsed.spec), () =>
      ensureOacCore({ cloudfront: clients.cloudfront }, parsed),
    );
  };
}

export const handler = lambdaHandler<unknown, OacResult>(() =>
  ensureOriginAccessControlTask(lazyClients({ cloudfront: cloudfrontClient })),
);
