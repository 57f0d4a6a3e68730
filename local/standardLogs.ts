/**
 * LOCAL ONLY. What resources/standardLogs.yml creates in AWS, on the emulator: the stage's log
 * bucket (`cdn-pipeline-<stage>-stdlogs-<account>-<region>`, private, bucket-owner ownership,
 * files expiring after 30 days), the log-events queue and its DLQ, the queue policy that lets the
 * bucket notify it, and the bucket's one notification (ObjectCreated → log-events queue). The
 * local edge writes its CloudFront-format log files into this bucket, as the delivery
 * EnsureLogging turns on does on AWS; the logs function reads them from the queue. Idempotent.
 */
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueRef } from './queues.js';
import { SERVICE } from './resources.js';

/** Local settings that differ from AWS on purpose (visibility 1020 s there: minutes of waiting). */
export const LOCAL_LOG_QUEUE_SETTINGS = {
  visibilityTimeoutSeconds: 30,
  maxReceiveCount: 5,
  dlqRetentionSeconds: 14 * 24 * 3600,
  expirationDays: 30,
} as const;

export interface StandardLogResources {
  /** serverless.yml's standardLogBucketName. */
  readonly standardLogBucket: string;
  readonly logEvents: QueueRef;
  readonly logEventsDlq: QueueRef;
}

/** serverless.yml's names: `cdn-pipeline-<stage>-stdlogs-<account>-<region>`, `…-log-events`. */
export function standardLogNames(stage: string, account: string, region: string) {
  const prefix = `${SERVICE}-${stage}`;
  return {
    bucket: `${prefix}-stdlogs-${account}-${region}`,
    queue: `${prefix}-log-events`,
    dlq: `${prefix}-log-events-dlq`,
  } as const;
}

async function queue(sqs: SQSClient, name: string, attributes: Record<string, string>) {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
  if (!url) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  const got = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = got.Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes ${name} returned no QueueArn`);
  return { url, arn };
}

export async function ensureStandardLogResources(
  clients: { readonly s3: S3Client; readonly sqs: SQSClient },
  options: { readonly stage: string; readonly region: string; readonly account: string },
): Promise<StandardLogResources> {
  const { s3, sqs } = clients;
  const names = standardLogNames(options.stage, options.account, options.region);
  const settings = LOCAL_LOG_QUEUE_SETTINGS;
  const logEventsDlq = await queue(sqs, names.dlq, {
    MessageRetentionPeriod: String(settings.dlqRetentionSeconds),
    SqsManagedSseEnabled: 'true',
  });
  const bucketArn = `arn:aws:s3:::${names.bucket}`;
  const logEvents = await queue(sqs, names.queue, {
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
    SqsManagedSseEnabled: 'true',
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: logEventsDlq.arn,
      maxReceiveCount: settings.maxReceiveCount,
    }),
  });
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: logEvents.url,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AllowLogBucketNotifications',
              Effect: 'Allow',
              Principal: { Service: 's3.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: logEvents.arn,
              Condition: {
                ArnEquals: { 'aws:SourceArn': bucketArn },
                StringEquals: { 'aws:SourceAccount': options.account },
              },
            },
          ],
        }),
      },
    }),
  );

  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: names.bucket,
        ObjectOwnership: 'BucketOwnerEnforced',
        ...(options.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: options.region as never } }),
      }),
    );
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  await Promise.all([
    s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: names.bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    ),
    s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: names.bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'expire-log-files',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              Expiration: { Days: settings.expirationDays },
            },
          ],
        },
      }),
    ),
  ]);
  const current = await s3.send(
    new GetBucketNotificationConfigurationCommand({ Bucket: names.bucket }),
  );
  const wired =
    current.QueueConfigurations?.length === 1 &&
    current.QueueConfigurations[0]!.QueueArn === logEvents.arn;
  // Skip when unchanged: every put makes the emulator send another s3:TestEvent.
  if (!wired)
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: names.bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            { Id: 'log-file-created', QueueArn: logEvents.arn, Events: ['s3:ObjectCreated:*'] },
          ],
        },
      }),
    );
  return { standardLogBucket: names.bucket, logEvents, logEventsDlq };
}
