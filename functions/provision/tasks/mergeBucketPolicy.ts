/**
 * The `mergeBucketPolicy` Task state's Lambda (serverless.yml: `functions/provision/tasks/mergeBucketPolicy.handler`):
 * its own entry file, so its bundle holds its core and the clients it calls, nothing of the other
 * tasks. `mergeBucketPolicyTask` is the bare handler (createProvisionTasks, the local runner and the tests).
 */
import { cloudfrontClient } from '../../../shared/clients/cloudfront.js';
import { lambdaHandler } from '../../../shared/observability.js';
import { lazyClients } from '../../../shared/clients/lazy.js';
import { s3Client } from '../../../shared/clients/s3.js';
import { ensureBucketPolicy } from '../bucketPolicy.js';
import { retireOriginAccessIdentities } from '../retireOriginAccessIdentity.js';
import { parse, run, schemas, warn } from '../taskInput.js';
import type { ProvisionClients, BucketPolicyResult, RetireOaiResult } from '../types.js';

/** Reads `clients` at each call (they may be built lazily). */
export function mergeBucketPolicyTask(
  clients: Pick<ProvisionClients, 's3' | 'cloudfront'>,
): (input: unknown) => Promise<BucketPolicyResult | RetireOaiResult> {
  return (input) => {
    const parsed = parse('mergeBucketPolicy', schemas.mergeBucketPolicy, input);
    const { retireOriginAccessIdentities: retire, ...merge } = parsed;
    // The same task (and role) retires an adopted OAI's grant once the OAC config is Deployed.
    if (retire) {
      return run('retireOriginAccessIdentity', { bucket: parsed.bucket }, () =>
        retireOriginAccessIdentities(
          { s3: clients.s3, cloudfront: clients.cloudfront },
          { ...merge, retireOriginAccessIdentities: retire },
        ),
      );
    }
    return run('mergeBucketPolicy', { bucket: parsed.bucket }, () =>
      ensureBucketPolicy({ s3: clients.s3, warn }, merge),
    );
  };
}

export const handler = lambdaHandler<unknown, BucketPolicyResult | RetireOaiResult>(() =>
  mergeBucketPolicyTask(lazyClients({ s3: s3Client, cloudfront: cloudfrontClient })),
);
