/**
 * The `ensureMonitoring` Task state's Lambda (serverless.yml: `functions/provision/tasks/ensureMonitoring.handler`):
 * its own entry file, so its bundle holds its core and the clients it calls, nothing of the other
 * tasks. `ensureMonitoringTask` is the bare handler (createProvisionTasks, the local runner and the tests).
 */
import { cloudfrontClient } from '../../../shared/clients/cloudfront.js';
import { lambdaHandler } from '../../../shared/observability.js';
import { lazyClients } from '../../../shared/clients/lazy.js';
import { ensureMonitoring as ensureMonitoringCore } from '../ensureMonitoring.js';
import { parse, run, schemas } from '../taskInput.js';
import type { ProvisionClients, MonitoringResult } from '../types.js';

/** Reads `clients` at each call (they may be built lazily). */
export function ensureMonitoringTask(
  clients: Pick<ProvisionClients, 'cloudfront'>,
): (input: unknown) => Promise<MonitoringResult> {
  return (input) => {
    const parsed = parse('ensureMonitoring', schemas.ensureMonitoring, input);
    return run('ensureMonitoring', { distributionId: parsed.distributionId }, () =>
      ensureMonitoringCore({ cloudfront: clients.cloudfront }, parsed),
    );
  };
}

export const handler = lambdaHandler<unknown, MonitoringResult>(() =>
  ensureMonitoringTask(lazyClients({ cloudfront: cloudfrontClient })),
);
