import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientFactory } from './settings.js';

export const sqsClient: ClientFactory<SQSClient> = ({ common, region }) =>
  new SQSClient({ ...common, region });
