import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createClients, type AwsClients } from '../../shared/clients.js';
import { loadIngestConfig, type IngestConfig } from '../../shared/config.js';
import type { IngestObserver } from './types.js';

export interface IngestDeps {
  readonly clients: Pick<AwsClients, 's3' | 'sqs'>;
  readonly config: IngestConfig;
}

export type SqsHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Builds the ingest handler around its dependencies (tests and the local runner pass their own). */
export function createIngestHandler(_deps: IngestDeps, _observer?: IngestObserver): SqsHandler {
  // TODO(me): implemented in functions/ingest/ingest.ts — placeholder signature for now.
  return async () => ({ batchItemFailures: [] });
}

let instance: SqsHandler | undefined;
/** The Lambda entry point: dependencies and config built once, at the first invocation. */
export const handler: SqsHandler = (event, context) => {
  instance ??= createIngestHandler({ clients: createClients(), config: loadIngestConfig() });
  return instance(event, context);
};
