/**
 * Every SDK client the project uses, by name, for the callers that need any of them (the CLI,
 * the local pipeline, the tests). A deployed function does not import this module: its handler
 * names only the clients it calls (`lazyClients({ s3: s3Client, sqs: sqsClient })`, from
 * `./clients/`), so its bundle carries no other SDK client. The endpoint, region, credentials and
 * retry options are decided in one place for both: `./clients/settings.ts`.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { cloudformationClient } from './clients/cloudformation.js';
import { cloudfrontClient } from './clients/cloudfront.js';
import { cloudwatchClient, cloudwatchGlobalClient } from './clients/cloudwatch.js';
import { dynamodbClient } from './clients/dynamodb.js';
import { eventbridgeClient } from './clients/eventbridge.js';
import { lazyClients } from './clients/lazy.js';
import type { ClientFactoryOptions } from './clients/settings.js';
import { s3Client } from './clients/s3.js';
import { sfnClient } from './clients/sfn.js';
import { snsClient } from './clients/sns.js';
import { sqsClient } from './clients/sqs.js';

export type { ClientFactoryOptions } from './clients/settings.js';

export interface AwsClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  /** CloudFront is global: always us-east-1. */
  readonly cloudfront: CloudFrontClient;
  /** CloudFront metrics live in us-east-1, whatever the stack's region. */
  readonly cloudwatchGlobal: CloudWatchClient;
  /** Step Functions, in the stack's region (the CLI starts and watches provisioning runs). */
  readonly sfn: SFNClient;
  /** State the report function keeps (alarm states), in the stack's region. */
  readonly dynamodb: DynamoDBClient;
  /** The stack's own metrics (EMF from the functions), in the stack's region. */
  readonly cloudwatch: CloudWatchClient;
  /** CloudFormation, in the stack's region (the CLI reads the stack's outputs). */
  readonly cloudformation: CloudFormationClient;
  /** EventBridge, in the stack's region (health reads the object-created rule). */
  readonly eventbridge: EventBridgeClient;
}

/** Every client's factory, by its name in {@link AwsClients}. */
export const ALL_CLIENTS = {
  s3: s3Client,
  sqs: sqsClient,
  sns: snsClient,
  cloudfront: cloudfrontClient,
  cloudwatchGlobal: cloudwatchGlobalClient,
  sfn: sfnClient,
  dynamodb: dynamodbClient,
  cloudwatch: cloudwatchClient,
  cloudformation: cloudformationClient,
  eventbridge: eventbridgeClient,
} as const;

/**
 * All the clients, each built on first use (a caller that never calls SNS never builds its
 * client). For the CLI, the local pipeline and the tests; a function uses `lazyClients` with
 * its own few.
 */
export function createClients(options: ClientFactoryOptions = {}): AwsClients {
  return lazyClients(ALL_CLIENTS, options);
}
