/**
 * LOCAL ONLY. Creates on the emulator what serverless.yml creates in AWS: the content bucket
 * (versioned, private, encrypted, noncurrent versions expiring), the two queues with their DLQs,
 * the S3 → SQS notification, the log bucket with its log-events queue (./standardLogs.ts), the
 * alerts topic, the report's alarm-state table and the invalidation ledger (the in-flight budget
 * every invoker shares). The distribution is not made
 * here: it comes from the provisioning workflow (`local/pipeline.ts`), as on AWS.
 * With `existingBucket` (`npm start -- --bucket NAME`) no bucket is created: the one named is used
 * as it is, and its events come through EventBridge, as serverless.yml's `contentBuckets` does
 * (`./existingBucket.ts`).
 * Idempotent: running it against an emulator that already holds the resources changes nothing
 * and returns the same ids.
 */
import { ensureKeyLedgerTable, keyLedgerTableName, logFilesTableName } from './keyLedgerTable.js';
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AwsClients } from '../shared/clients.js';
import {
  checkBucketExists,
  wireExistingBucket,
  type ExistingBucketWiring,
} from './existingBucket.js';
import {
  ensureObjectEventsPolicy,
  ensureQueues,
  LOCAL_QUEUE_SETTINGS,
  type StageQueues,
} from './queues.js';
import { localResourceNames, SERVICE, type LocalResourceNames } from './resources.js';
import { ensureStandardLogResources, type StandardLogResources } from './standardLogs.js';

/** The stage's resources on the emulator (the distribution aside). */
export interface LocalStack extends StageQueues, StandardLogResources {
  readonly names: LocalResourceNames;
  readonly region: string;
  readonly bucket: string;
  readonly bucketArn: string;
  readonly alertsTopicArn: string;
  /** The report's alarm states (serverless.yml's AlarmStateTable). */
  readonly alarmTable: string;
  /** The in-flight budget of every invoker (serverless.yml's InvalidationLedgerTable). */
  readonly invalidationLedgerTable: string;
  /** Set when the bucket already existed (`--bucket`): how its events reach the queue. */
  readonly existingBucket?: ExistingBucketWiring;
}

export interface BootstrapOptions {
  stage?: string;
  /** Region of the regional resources; default us-east-1. */
  region?: string;
  /**
   * A bucket that already exists on the emulator, used instead of the stage's own: left as it
   * is but for its notification configuration, merged (S3's EventBridge delivery added).
   */
  existingBucket?: {
    readonly name: string;
    /** EventBridge on the emulator (the rule to the object-events queue). */
    readonly events: EventBridgeClient;
    /** Where the bucket was looked for, for the message when it is not there. */
    readonly where?: string;
  };
}

/** serverless.yml's `alarmStateTableName`: `cdn-pipeline-<stage>-alarm-state`. */
export function alarmTableName(names: LocalResourceNames): string {
  return `${SERVICE}-${names.stage}-alarm-state`;
}

/** serverless.yml's `invalidationLedgerTableName`: `cdn-pipeline-<stage>-invalidation-ledger`. */
export function invalidationLedgerTableName(names: LocalResourceNames): string {
  return names.invalidationLedgerTable;
}

export async function bootstrapLocalStack(
  clients: Pick<AwsClients, 's3' | 'sqs' | 'sns' | 'dynamodb'>,
  options: BootstrapOptions = {},
): Promise<LocalStack> {
  const names = localResourceNames(options.stage);
  const region = options.region ?? 'us-east-1';
  const existing = options.existingBucket;
  const bucket = existing?.name ?? names.bucket;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const alarmTable = alarmTableName(names);
  // Before anything is created: a bucket that is not there leaves nothing behind.
  if (existing) await checkBucketExists(clients.s3, bucket, existing.where ?? 'the emulator');
  const [, queues, alertsTopicArn] = await Promise.all([
    existing ? undefined : ensureBucket(clients.s3, bucket, region),
    ensureQueues(clients.sqs, names),
    ensureTopic(clients.sns, names.alertsTopic),
    ensureAlarmTable(clients.dynamodb, alarmTable),
    ensureInvalidationLedgerTable(clients.dynamodb, invalidationLedgerTableName(names)),
    ensureKeyLedgerTable(clients.dynamodb, keyLedgerTableName(`cdn-pipeline-${names.stage}`)),
    ensureKeyLedgerTable(clients.dynamodb, logFilesTableName(`cdn-pipeline-${names.stage}`)),
  ]);
  let wiring: ExistingBucketWiring | undefined;
  if (existing) {
    wiring = await wireExistingBucket(
      { s3: clients.s3, sqs: clients.sqs, events: existing.events },
      { bucket, names, queue: queues.objectEvents },
    );
  } else {
    await ensureObjectEventsPolicy(clients.sqs, queues.objectEvents, bucketArn);
    await ensureBucketNotification(clients.s3, bucket, queues.objectEvents.arn);
  }
  // The account as the emulator names it (in the queue's ARN), for the log bucket's name.
  const account = queues.objectEvents.arn.split(':')[4] ?? '123456789012';
  const standardLogs = await ensureStandardLogResources(clients, {
    stage: names.stage,
    region,
    account,
  });
  return Object.freeze({
    names,
    region,
    bucket,
    bucketArn,
    ...queues,
    ...standardLogs,
    alertsTopicArn,
    alarmTable,
    invalidationLedgerTable: invalidationLedgerTableName(names),
    ...(wiring ? { existingBucket: wiring } : {}),
  });
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? '';
}

async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<void> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ObjectOwnership: 'BucketOwnerEnforced',
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
  } catch (error) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(errorName(error))) throw error;
  }
  // Each setting is independent once the bucket exists.
  await Promise.all([
    s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    ),
    s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    ),
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    ),
    s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    ),
    s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'expire-noncurrent-versions',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              NoncurrentVersionExpiration: {
                NoncurrentDays: LOCAL_QUEUE_SETTINGS.noncurrentVersionExpirationDays,
              },
            },
            {
              ID: 'abort-incomplete-multipart-uploads',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
      }),
    ),
  ]);
}

async function ensureBucketNotification(
  s3: S3Client,
  bucket: string,
  queueArn: string,
): Promise<void> {
  const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  const already = current.QueueConfigurations?.some(
    (q) =>
      q.QueueArn === queueArn &&
      q.Events?.length === 1 &&
      q.Events[0] === 's3:ObjectCreated:*' &&
      !q.Filter,
  );
  // Skip when unchanged: every put makes the emulator send another s3:TestEvent.
  if (already && current.QueueConfigurations?.length === 1) return;
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          { Id: 'object-created', QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] },
        ],
      },
    }),
  );
}

async function ensureTopic(sns: SNSClient, name: string): Promise<string> {
  const res = await sns.send(new CreateTopicCommand({ Name: name }));
  if (!res.TopicArn) throw new Error(`CreateTopic ${name} returned no TopicArn`);
  return res.TopicArn;
}

/** The key schema of serverless.yml's AlarmStateTable: `distributionId` (S) + `metric` (S). */
export async function ensureAlarmTable(dynamodb: DynamoDBClient, name: string): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'distributionId', AttributeType: 'S' },
          { AttributeName: 'metric', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'distributionId', KeyType: 'HASH' },
          { AttributeName: 'metric', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException) && errorName(error) !== 'ResourceInUseException')
      throw error;
  }
}

/**
 * The key schema of serverless.yml's InvalidationLedgerTable: `distributionId` (S), items expire
 * by `ttl` (epoch seconds) a day after their last reservation.
 */
export async function ensureInvalidationLedgerTable(
  dynamodb: DynamoDBClient,
  name: string,
): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'distributionId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'distributionId', KeyType: 'HASH' }],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException) && errorName(error) !== 'ResourceInUseException')
      throw error;
    return;
  }
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    }),
  );
}
