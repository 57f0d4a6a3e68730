/**
 * Health of the queues behind the bucket: each exists, has a dead-letter queue, and the DLQ is
 * empty (anything in it is work the pipeline gave up on).
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { errorName, fail, pass, warn, type HealthCheck } from './check.js';

/** `arn:aws:sqs:us-east-1:123456789012:name` → its parts. */
export function parseQueueArn(
  arn: string,
): { region: string; account: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([\w-]{1,80}(?:\.fifo)?)$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/** The `<service>-<stage>` prefix of a queue named `<prefix>-object-events`. */
export function stackPrefix(queueName: string): string | undefined {
  return /^(.+)-object-events$/.exec(queueName)?.[1];
}

async function queueUrl(sqs: SQSClient, arn: string): Promise<string | undefined> {
  const parts = parseQueueArn(arn);
  if (!parts) return undefined;
  try {
    const out = await sqs.send(
      new GetQueueUrlCommand({ QueueName: parts.name, QueueOwnerAWSAccountId: parts.account }),
    );
    return out.QueueUrl;
  } catch (error) {
    if (/QueueDoesNotExist|NonExistentQueue/.test(errorName(error))) return undefined;
    throw error;
  }
}

async function waitingMessages(sqs: SQSClient, url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * The queue exists and has a DLQ (RedrivePolicy), and the DLQ is empty: anything in it is work
 * the pipeline gave up on (an upload not tagged, an invalidation not made).
 */
export async function checkQueue(
  sqs: SQSClient,
  queueArn: string,
  label: string,
): Promise<HealthCheck[]> {
  const name = `${label} queue`;
  const region = await sqs.config.region();
  const parts = parseQueueArn(queueArn);
  if (parts && parts.region !== region) {
    return [
      warn(
        name,
        `${queueArn} is in ${parts.region}; this run reads ${region}`,
        `run again with --region ${parts.region}`,
      ),
    ];
  }
  const url = await queueUrl(sqs, queueArn);
  if (!url) {
    return [
      fail(
        name,
        `${queueArn} does not exist`,
        'deploy the stack again: npx sls deploy --stage <stage>',
      ),
    ];
  }
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }),
  );
  const redrive = attrs.Attributes?.RedrivePolicy;
  const dlqArn = redrive
    ? (JSON.parse(redrive) as { deadLetterTargetArn?: string }).deadLetterTargetArn
    : undefined;
  if (!dlqArn) {
    return [
      fail(
        name,
        `${parts?.name ?? queueArn} has no dead-letter queue: failed messages are retried until retention ends, then lost`,
        'deploy the stack again (it sets the RedrivePolicy): npx sls deploy --stage <stage>',
      ),
    ];
  }
  const checks = [
    pass(name, `${parts?.name ?? queueArn}, DLQ ${parseQueueArn(dlqArn)?.name ?? dlqArn}`),
  ];
  const dlqName = `${label} DLQ`;
  const dlqUrl = await queueUrl(sqs, dlqArn);
  if (!dlqUrl) {
    checks.push(
      fail(
        dlqName,
        `${dlqArn} does not exist`,
        'deploy the stack again: npx sls deploy --stage <stage>',
      ),
    );
    return checks;
  }
  const count = await waitingMessages(sqs, dlqUrl);
  checks.push(
    count === 0
      ? pass(dlqName, 'empty')
      : fail(
          dlqName,
          `${count} message${count === 1 ? '' : 's'} the pipeline gave up on`,
          `read them: aws sqs receive-message --queue-url ${dlqUrl} --max-number-of-messages 10; once the cause is fixed, redrive: aws sqs start-message-move-task --source-arn ${dlqArn}`,
        ),
  );
  return checks;
}
