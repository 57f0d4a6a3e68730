/**
 * LOCAL ONLY. The local edge as `npm start` runs it beside the pipeline: the pipeline's own
 * distribution served at `http://127.0.0.1:<port>/…`, every other distribution on the emulator
 * by Host or `/_edge/<id>/`. With the fault proxy in use, the edge talks to the emulator directly
 * and reads invalidations from the proxy's ledger in this process: its reads neither use up the
 * script's numbered calls nor meet its faults. A distribution's log files go where its standard
 * logging (v2) delivers them: the delivery EnsureLogging made on the emulator (the stage's log
 * bucket, its suffix path; local/edgeLogDelivery.ts), whose object-created events the logs
 * function reads. A port already in use is a line on the console, not a failed start:
 * the pipeline works without its edge.
 */
import { createClients, type AwsClients } from '../../shared/clients.js';
import type { FaultProxy } from '../faultProxy.js';
import { watchStandardLogDeliveries } from '../edgeLogDelivery.js';
import { localLogsClient } from '../provision.js';
import { LOCAL_CREDENTIALS } from '../target.js';
import { ledgerSource } from './invalidationWatcher.js';
import { startEdge, type Edge } from './server.js';

export async function startPipelineEdge(options: {
  readonly clients: AwsClients;
  readonly port: number;
  readonly distributionId: string;
  readonly faultProxy?: FaultProxy | undefined;
  readonly region?: string;
  readonly log: (line: string) => void;
  readonly onError: (line: string) => void;
}): Promise<Edge | undefined> {
  const { port, distributionId, faultProxy, log, onError } = options;
  const clients = faultProxy
    ? createClients({
        endpoint: faultProxy.upstream,
        ...(options.region ? { region: options.region } : {}),
        credentials: { ...LOCAL_CREDENTIALS },
      })
    : options.clients;
  const deliveries = await watchStandardLogDeliveries(localLogsClient(clients.cloudfront), {
    onError,
  });
  if (!deliveries.get(distributionId))
    log(
      `distribution ${distributionId} has no standard logging (v2) delivery: the edge's log ` +
        'files go to its own log bucket, not counted per content class',
    );
  try {
    const edge = await startEdge({
      clients,
      port,
      defaultDistributionId: distributionId,
      logs: { deliveryFor: (id) => deliveries.get(id) },
      ...(faultProxy ? { invalidations: ledgerSource(faultProxy.ledger) } : {}),
      log,
      onError,
    });
    return {
      ...edge,
      close: async () => {
        deliveries.stop();
        await edge.close();
      },
    };
  } catch (error) {
    deliveries.stop();
    onError(`edge not started on port ${port}: ${(error as Error).message}`);
    return undefined;
  }
}
