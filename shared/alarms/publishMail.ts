/**
 * Publishes a mail to the alerts topic: the report's alarms and digest, the scheduled health
 * check's transitions. A FIFO topic gets a group and a deduplication id derived from the content,
 * so a retried publish of the same mail is delivered once.
 *
 * A publish that fails is counted as the EMF metric `MailsNotPublished` (dimension `service`):
 * callers log it and carry on, so without the metric (and its alarm, resources/alarms.cjs) a mail
 * nobody received would leave no trace but a log line.
 */
import { createHash } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { metrics, MetricUnit } from '../observability.js';

/** A plain-text mail: what SNS sends to an email subscription. */
export interface MailMessage {
  readonly subject: string;
  readonly body: string;
}

/** The EMF metric counting mails whose publish failed (alarmed in resources/alarms.cjs). */
export const MAILS_NOT_PUBLISHED_METRIC = 'MailsNotPublished';

export async function publishMail(
  sns: SNSClient,
  topicArn: string,
  mail: MailMessage,
  group = 'cdn-pipeline-report',
): Promise<string> {
  const fifo = topicArn.endsWith('.fifo')
    ? {
        MessageGroupId: group,
        MessageDeduplicationId: createHash('sha256')
          .update(`${mail.subject}\n${mail.body}`)
          .digest('hex'),
      }
    : {};
  try {
    const out = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: mail.subject,
        Message: mail.body,
        ...fifo,
      }),
    );
    return out.MessageId ?? '';
  } catch (error) {
    metrics.addMetric(MAILS_NOT_PUBLISHED_METRIC, MetricUnit.Count, 1);
    throw error;
  }
}

/** `ThrottlingException: Rate exceeded`, for log lines and mails. */
export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string } | undefined;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}
