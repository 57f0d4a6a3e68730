import { SNSClient } from '@aws-sdk/client-sns';
import type { ClientFactory } from './settings.js';

export const snsClient: ClientFactory<SNSClient> = ({ common, region }) =>
  new SNSClient({ ...common, region });
