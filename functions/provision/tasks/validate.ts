/**
 * The `validate` Task state's Lambda (serverless.yml: `functions/provision/tasks/validate.handler`):
 * its own entry file, so its bundle holds its core and the clients it calls, nothing of the other
 * tasks. `validateTask` is the bare handler (createProvisionTasks, the local runner and the tests).
 */
import { cloudfrontClient } from '../../../shared/clients/cloudfront.js';
import { lambdaHandler } from '../../../shared/observability.js';
import { lazyClients } from '../../../shared/clients/lazy.js';
import { s3Client } from '../../../shared/clients/s3.js';
import { validate as validateCore } from '../validate.js';
import { bucketKey, parse, run, schemas } from '../taskInput.js';
import type { ProvisionClients, Validated } from '../types.js';

/** Reads `clients` at each call (they may be built lazily). */
export function validateTask(
  clients: Pick<ProvisionClients, 's3' | 'cloudfront'>,
): (input: unknown) => Promise<Validated> {
  return (input) => {
    const parsed = parse('validate', schemas.validate, input);
    return run('validate', bucketKey(parsed.spec), () =>
      validateCore(
        { s3: clients.s3, cloudfront: clients.cloudfront },
        parsed as Parameters<typeof validateCore>[1],
      ),
    );
  };
}

export const handler = lambdaHandler<unknown, Validated>(() =>
  validateTask(lazyClients({ s3: s3Client, cloudfront: cloudfrontClient })),
);
