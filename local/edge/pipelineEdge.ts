/**
 * LOCAL ONLY. The local edge as `npm start` runs it beside the pipeline: the pipeline's own
 * distribution served at `http://127.0.0.1:<port>/…`, every other distribution on the emulator
 * by Host or `/_edge/<id>/`. A port already in use is a line on the console, not a failed start:
 * the pipeline works without its edge.
 */
import type { AwsClients } from '../../shared/clients.js';
import { startEdge, type Edge } from './server.js';

export async function startPipelineEdge(options: {
  readonly clients: AwsClients;
  readonly port: number;
  readonly distributionId: string;
  readonly log: (line: string) => void;
  readonly onError: (line: string) => void;
}): Promise<Edge | undefined> {
  const { clients, port, distributionId, log, onError } = options;
  try {
    return await startEdge({ clients, port, defaultDistributionId: distributionId, log, onError });
  } catch (error) {
    onError(`edge not started on port ${port}: ${(error as Error).message}`);
    return undefined;
  }
}
