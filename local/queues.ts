/**
 * LOCAL ONLY. The stage's two queues and their DLQs as serverless.yml declares them (visibility
 * timeouts shortened for a laptop), and the object-events queue's policy that lets the bucket
 * send its notifications. Idempotent: a restart after a change of settings updates the queues.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalResourceNames } from './resources.js';

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

export interface StageQueues {
  readonly objectEvents: QueueRef;
  readonly objectEventsDlq: QueueRef;
  readonly invalidationRequests: QueueRef;
  readonly invalidationRequestsDlq: QueueRef;
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

export async function ensureQueues(
  sqs: SQSClient,
  names: LocalResourceNames,
): Promise<StageQueues> {
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
export async function ensureObjectEventsPolicy(
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

/** Messages on a queue, waiting or in flight (received, not yet deleted). */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const res = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
