/**
 * Publishes a report mail to the alerts topic (a FIFO topic gets a group and a deduplication id
 * derived from the content, so a retried publish of the same mail is delivered once).
 */
import { createHash } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Mail, MailContext } from './mail.js';
import type { ReportCoreDeps } from './types.js';

export async function publishMail(
  sns: SNSClient,
  topicArn: string,
  mail: Mail,
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
  const out = await sns.send(
    new PublishCommand({ TopicArn: topicArn, Subject: mail.subject, Message: mail.body, ...fifo }),
  );
  return out.MessageId ?? '';
}

/** `ThrottlingException: Rate exceeded`, for log lines and mails. */
export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string } | undefined;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

/** What every report mail needs of the config (stage, region, dashboard link). */
export function mailContext(config: ReportCoreDeps['config']): MailContext {
  return { stage: config.stage, region: config.region, dashboardName: config.dashboardName };
}
