import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ClientFactory } from './settings.js';

export const dynamodbClient: ClientFactory<DynamoDBClient> = ({ common, region }) =>
  new DynamoDBClient({ ...common, region });
