/**
 * The SDK clients each deployed function calls, by its name in serverless.yml `functions:`. The
 * declared list the cold-start bench builds each function's floor from (those clients plus
 * Powertools Logger and Metrics), and the bundle test checks each bundle against (no other
 * client may be in it). A function added to serverless.yml without an entry here fails that test.
 */

/** A client as `shared/clients.ts` names it, with the SDK class it is built from. */
export const CLIENT_CLASSES = {
  s3: { pkg: '@aws-sdk/client-s3', name: 'S3Client' },
  sqs: { pkg: '@aws-sdk/client-sqs', name: 'SQSClient' },
  sns: { pkg: '@aws-sdk/client-sns', name: 'SNSClient' },
  cloudfront: { pkg: '@aws-sdk/client-cloudfront', name: 'CloudFrontClient' },
  cloudwatch: { pkg: '@aws-sdk/client-cloudwatch', name: 'CloudWatchClient' },
  cloudwatchGlobal: { pkg: '@aws-sdk/client-cloudwatch', name: 'CloudWatchClient' },
  dynamodb: { pkg: '@aws-sdk/client-dynamodb', name: 'DynamoDBClient' },
  sfn: { pkg: '@aws-sdk/client-sfn', name: 'SFNClient' },
  cloudformation: { pkg: '@aws-sdk/client-cloudformation', name: 'CloudFormationClient' },
  eventbridge: { pkg: '@aws-sdk/client-eventbridge', name: 'EventBridgeClient' },
  cloudwatchLogs: { pkg: '@aws-sdk/client-cloudwatch-logs', name: 'CloudWatchLogsClient' },
} as const;

export type ClientName = keyof typeof CLIENT_CLASSES;

/** Per function: the clients its handler calls (read from the cores, matched by its IAM). */
export const FUNCTION_CLIENTS = {
  ingest: ['s3', 'sqs', 'dynamodb'], // dynamodb: the key ledger (KEY_LEDGER_TABLE)
  invalidate: ['s3', 'cloudfront', 'dynamodb', 'sqs'],
  provisionValidate: ['s3', 'cloudfront'],
  provisionEnsureOriginAccessControl: ['cloudfront'],
  provisionEnsurePolicies: ['cloudfront'],
  provisionEnsureDistribution: ['cloudfront'],
  provisionMergeBucketPolicy: ['s3', 'cloudfront'],
  provisionEnsureMonitoring: ['cloudfront'],
  provisionEnsureLogging: ['cloudwatchLogs'],
  provisionCheckDeployment: ['cloudfront'],
  provisionNotify: ['sns'],
  reportCheck: ['cloudfront', 'cloudwatchGlobal', 'cloudwatch', 'dynamodb', 'sns'],
  reportDigest: ['cloudfront', 'cloudwatchGlobal', 'cloudwatch', 'sns'],
  healthCheck: ['s3', 'sqs', 'sns', 'cloudfront', 'dynamodb', 'eventbridge'],
  bucketEvents: ['s3'],
  logs: ['s3', 'cloudfront', 'dynamodb'],
} as const satisfies Record<string, readonly ClientName[]>;

export type FunctionName = keyof typeof FUNCTION_CLIENTS;

/** The SDK client packages a set of clients needs (CloudWatch twice is one package). */
export function clientPackages(clients: readonly ClientName[]): string[] {
  return [...new Set(clients.map((c) => CLIENT_CLASSES[c].pkg))].sort();
}
