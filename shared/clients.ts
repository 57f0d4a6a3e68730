import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV_SCHEMA, parseEnv } from './env.js';

const clientEnv = ENV_SCHEMA.pick({ AWS_ENDPOINT_URL: true, AWS_REGION: true });

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
}

export interface ClientFactoryOptions {
  /** Endpoint override for local runs; defaults to the standard `AWS_ENDPOINT_URL`. */
  endpoint?: string;
  /** Region for regional services; defaults to `AWS_REGION` (default in the env schema). */
  region?: string;
  /** Static credentials (tests); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts for CloudFront calls (throttling and 5xx are retried by the SDK). */
  cloudfrontMaxAttempts?: number;
}

/**
 * Builds the SDK clients once, lazily (a function that never calls SNS never builds its client).
 * The only place the pipeline constructs AWS clients.
 */
export function createClients(options: ClientFactoryOptions = {}): AwsClients {
  const env = parseEnv(clientEnv, process.env);
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL;
  const region = options.region ?? env.AWS_REGION;
  const common = {
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const cache = new Map<string, unknown>();
  const lazy = <T>(name: string, build: () => T): T => {
    if (!cache.has(name)) cache.set(name, build());
    return cache.get(name) as T;
  };
  return {
    get s3() {
      // Path-style addressing: a local endpoint has no per-bucket host names.
      return lazy(
        's3',
        () =>
          new S3Client({
            ...common,
            region,
            forcePathStyle: Boolean(endpoint),
            // Provisioning reads and writes policies of buckets in any region.
            followRegionRedirects: true,
          }),
      );
    },
    get sqs() {
      return lazy('sqs', () => new SQSClient({ ...common, region }));
    },
    get sns() {
      return lazy('sns', () => new SNSClient({ ...common, region }));
    },
    get cloudfront() {
      return lazy(
        'cloudfront',
        () =>
          new CloudFrontClient({
            ...common,
            region: 'us-east-1',
            maxAttempts: options.cloudfrontMaxAttempts ?? 5,
          }),
      );
    },
    get cloudwatchGlobal() {
      return lazy(
        'cloudwatchGlobal',
        () =>
          new CloudWatchClient({
            ...common,
            region: 'us-east-1',
            // The emulator rejects gzip bodies over ~10 KB; compression only matters on AWS.
            disableRequestCompression: Boolean(endpoint),
          }),
      );
    },
    get cloudwatch() {
      return lazy(
        'cloudwatch',
        () =>
          new CloudWatchClient({
            ...common,
            region,
            disableRequestCompression: Boolean(endpoint),
          }),
      );
    },
    get dynamodb() {
      return lazy('dynamodb', () => new DynamoDBClient({ ...common, region }));
    },
    get sfn() {
      return lazy('sfn', () => new SFNClient({ ...common, region }));
    },
    get cloudformation() {
      return lazy('cloudformation', () => new CloudFormationClient({ ...common, region }));
    },
  };
}
