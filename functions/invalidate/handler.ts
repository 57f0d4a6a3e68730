import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createClients, type AwsClients } from '../../shared/clients.js';
import { loadInvalidateConfig, type InvalidateConfig } from '../../shared/config.js';
import type { InvalidateObserver } from './types.js';

export interface InvalidateDeps {
  readonly clients: Pick<AwsClients, 's3' | 'cloudfront'>;
  readonly config: InvalidateConfig;
}

export type SqsHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

export function createInvalidateHandler(_deps: InvalidateDeps, _observer?: InvalidateObserver): SqsHandler {
  // TODO(me): placeholder signature for now.
  return async () => ({ batchItemFailures: [] });
}

let instance: SqsHandler | undefined;
export const handler: SqsHandler = (event, context) => {
  instance ??= createInvalidateHandler({ clients: createClients(), config: loadInvalidateConfig() });
  return instance(event, context);
};
