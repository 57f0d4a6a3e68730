/**
 * LOCAL ONLY. Creates on the emulator what serverless.yml creates in AWS: the content bucket
 * (versioned, private, encrypted, noncurrent versions expiring), the two queues with their DLQs,
 * the S3 → SQS notification, the alerts topic, the report's alarm-state table, and one CloudFront
 * distribution for the bucket.
 * Idempotent: running it against an emulator that already holds the resources changes nothing
 * and returns the same ids.
 */
import {
  CreateDistributionWithTagsCommand,
  GetDistributionConfigCommand,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
  type CloudFrontClient,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
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
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from '../shared/clients.js';
import { localResourceNames, SERVICE, type LocalResourceNames } from './resources.js';

/** CloudFront's managed "CachingOptimized" cache policy. */
export const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';
export const MANAGED_TAG = { key: 'cdn-pipeline:managed', value: 'true' } as const;
export const STAGE_TAG_KEY = 'cdn-pipeline:stage';

/** Local settings that differ from AWS on purpose, so deferred work comes back in seconds. */
export const LOCAL_QUEUE_SETTINGS = {
  objectEvents: { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 },
  invalidationRequests: { visibilityTimeoutSeconds: 10, maxReceiveCount: 10 },
  dlqRetentionSeconds: 14 * 24 * 3600,
  noncurrentVersionExpirationDays: 30,
} as const;

export interface QueueRef {
  readonly url: string;
  readonly arn: string;
}

export interface LocalDistribution {
  readonly id: string;
  readonly arn: string;
  readonly domainName: string;
  readonly created: boolean;
}

export interface LocalResources {
  readonly names: LocalResourceNames;
  readonly region: string;
  readonly bucket: string;
  readonly bucketArn: string;
  readonly objectEvents: QueueRef;
  readonly objectEventsDlq: QueueRef;
  readonly invalidationRequests: QueueRef;
  readonly invalidationRequestsDlq: QueueRef;
  readonly alertsTopicArn: string;
  /** The report's alarm states (serverless.yml's AlarmStateTable). */
  readonly alarmTable: string;
  readonly distribution: LocalDistribution;
}

export interface BootstrapOptions {
  stage?: string;
  /** Region of the regional resources; default us-east-1. */
  region?: string;
}

/** The stage's resources without a distribution (`npm start` provisions one with the workflow). */
export type LocalStack = Omit<LocalResources, 'distribution'>;

/** serverless.yml's `alarmStateTableName`: `cdn-pipeline-<stage>-alarm-state`. */
export function alarmTableName(names: LocalResourceNames): string {
  return `${SERVICE}-${names.stage}-alarm-state`;
}

export async function bootstrapLocalStack(
  clients: Pick<AwsClients, 's3' | 'sqs' | 'sns' | 'dynamodb'>,
  options: BootstrapOptions = {},
): Promise<LocalStack> {
  const names = localResourceNames(options.stage);
  const region = options.region ?? 'us-east-1';
  const bucketArn = `arn:aws:s3:::${names.bucket}`;
  const alarmTable = alarmTableName(names);
  const [, queues, alertsTopicArn] = await Promise.all([
    ensureBucket(clients.s3, names.bucket, region),
    ensureQueues(clients.sqs, names),
    ensureTopic(clients.sns, names.alertsTopic),
    ensureAlarmTable(clients.dynamodb, alarmTable),
  ]);
  await ensureObjectEventsPolicy(clients.sqs, queues.objectEvents, bucketArn);
  await ensureBucketNotification(clients.s3, names.bucket, queues.objectEvents.arn);
  return Object.freeze({
    names,
    region,
    bucket: names.bucket,
    bucketArn,
    ...queues,
    alertsTopicArn,
    alarmTable,
  });
}

/** The stage's resources plus a minimal distribution for the bucket (fast; used by tests). */
export async function bootstrapLocal(
  clients: Pick<AwsClients, 's3' | 'sqs' | 'sns' | 'dynamodb' | 'cloudfront'>,
  options: BootstrapOptions = {},
): Promise<LocalResources> {
  const stack = await bootstrapLocalStack(clients, options);
  const distribution = await ensureLocalDistribution(clients.cloudfront, {
    bucket: stack.bucket,
    region: stack.region,
    stage: stack.names.stage,
    callerReference: stack.names.distributionCallerReference,
  });
  return Object.freeze({ ...stack, distribution });
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

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<QueueRef> {
  // CreateQueue without attributes is idempotent; attributes are then set, so a restart after a
  // change of settings updates the queue instead of failing with QueueAlreadyExists.
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = created.QueueUrl;
  if (!url) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  if (Object.keys(attributes).length) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  }
  const got = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = got.Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes ${name} returned no QueueArn`);
  return { url, arn };
}

async function ensureQueueWithDlq(
  sqs: SQSClient,
  name: string,
  dlqName: string,
  settings: { visibilityTimeoutSeconds: number; maxReceiveCount: number },
): Promise<{ queue: QueueRef; dlq: QueueRef }> {
  const dlq = await ensureQueue(sqs, dlqName, {
    MessageRetentionPeriod: String(LOCAL_QUEUE_SETTINGS.dlqRetentionSeconds),
    SqsManagedSseEnabled: 'true',
  });
  const queue = await ensureQueue(sqs, name, {
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
    SqsManagedSseEnabled: 'true',
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: settings.maxReceiveCount,
    }),
  });
  return { queue, dlq };
}

async function ensureQueues(
  sqs: SQSClient,
  names: LocalResourceNames,
): Promise<
  Pick<
    LocalResources,
    'objectEvents' | 'objectEventsDlq' | 'invalidationRequests' | 'invalidationRequestsDlq'
  >
> {
  const [objectEvents, invalidationRequests] = await Promise.all([
    ensureQueueWithDlq(
      sqs,
      names.objectEventsQueue,
      names.objectEventsDlq,
      LOCAL_QUEUE_SETTINGS.objectEvents,
    ),
    ensureQueueWithDlq(
      sqs,
      names.invalidationRequestsQueue,
      names.invalidationRequestsDlq,
      LOCAL_QUEUE_SETTINGS.invalidationRequests,
    ),
  ]);
  return {
    objectEvents: objectEvents.queue,
    objectEventsDlq: objectEvents.dlq,
    invalidationRequests: invalidationRequests.queue,
    invalidationRequestsDlq: invalidationRequests.dlq,
  };
}

/** The same statement serverless.yml writes: only S3, only from this bucket and this account. */
async function ensureObjectEventsPolicy(
  sqs: SQSClient,
  queue: QueueRef,
  bucketArn: string,
): Promise<void> {
  const account = queue.arn.split(':')[4] ?? '';
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowContentBucketNotifications',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queue.arn,
        Condition: {
          ArnEquals: { 'aws:SourceArn': bucketArn },
          StringEquals: { 'aws:SourceAccount': account },
        },
      },
    ],
  };
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queue.url,
      Attributes: { Policy: JSON.stringify(policy) },
    }),
  );
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

export interface LocalDistributionSpec {
  bucket: string;
  region: string;
  stage: string;
  callerReference: string;
}

/**
 * A minimal distribution for the bucket, without the provisioning workflow (tests that need a
 * distribution but not its production settings). Found again through its CallerReference.
 */
export async function ensureLocalDistribution(
  cloudfront: CloudFrontClient,
  spec: LocalDistributionSpec,
): Promise<LocalDistribution> {
  const originId = `s3-${spec.bucket}`;
  const config: DistributionConfig = {
    CallerReference: spec.callerReference,
    Comment: `cdn-pipeline ${spec.stage}: ${spec.bucket} (local, minimal)`,
    Enabled: true,
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: originId,
          DomainName: `${spec.bucket}.s3.${spec.region}.amazonaws.com`,
          OriginPath: '',
          S3OriginConfig: { OriginAccessIdentity: '' },
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: originId,
      ViewerProtocolPolicy: 'redirect-to-https',
      CachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
      Compress: true,
    },
  };
  try {
    const res = await cloudfront.send(
      new CreateDistributionWithTagsCommand({
        DistributionConfigWithTags: {
          DistributionConfig: config,
          Tags: {
            Items: [
              { Key: MANAGED_TAG.key, Value: MANAGED_TAG.value },
              { Key: STAGE_TAG_KEY, Value: spec.stage },
            ],
          },
        },
      }),
    );
    const d = res.Distribution;
    if (!d?.Id || !d.ARN || !d.DomainName)
      throw new Error('CreateDistributionWithTags returned no distribution');
    return { id: d.Id, arn: d.ARN, domainName: d.DomainName, created: true };
  } catch (error) {
    if (errorName(error) !== 'DistributionAlreadyExists') throw error;
  }
  const found = await findDistributionByCallerReference(
    cloudfront,
    spec.callerReference,
    spec.stage,
  );
  if (!found)
    throw new Error(
      `distribution with CallerReference ${spec.callerReference} exists but was not found`,
    );
  return found;
}

async function findDistributionByCallerReference(
  cloudfront: CloudFrontClient,
  callerReference: string,
  stage: string,
): Promise<LocalDistribution | undefined> {
  let marker: string | undefined;
  do {
    const page = await cloudfront.send(new ListDistributionsCommand({ Marker: marker }));
    for (const summary of page.DistributionList?.Items ?? []) {
      if (!summary.Id || !summary.ARN) continue;
      const tags = await cloudfront.send(new ListTagsForResourceCommand({ Resource: summary.ARN }));
      const has = (key: string, value: string) =>
        tags.Tags?.Items?.some((t) => t.Key === key && t.Value === value);
      if (!has(MANAGED_TAG.key, MANAGED_TAG.value) || !has(STAGE_TAG_KEY, stage)) continue;
      const cfg = await cloudfront.send(new GetDistributionConfigCommand({ Id: summary.Id }));
      if (cfg.DistributionConfig?.CallerReference !== callerReference) continue;
      return {
        id: summary.Id,
        arn: summary.ARN,
        domainName: summary.DomainName ?? '',
        created: false,
      };
    }
    marker = page.DistributionList?.IsTruncated ? page.DistributionList.NextMarker : undefined;
  } while (marker);
  return undefined;
}
