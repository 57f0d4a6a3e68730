/**
 * Notify: the provisioning mail, published to the alerts topic.
 */
import { createHash } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotifyConfig } from './config.js';
import { formatNotification } from './notification.js';
import type { NotifyInput, NotifyResult } from './types.js';

export async function notify(
  deps: { sns: SNSClient; config: NotifyConfig; now?: () => Date },
  input: NotifyInput,
): Promise<NotifyResult> {
  const { subject, body } = formatNotification(input, deps.now?.() ?? new Date());
  const topic = deps.config.alertsTopicArn;
  const fifo = topic.endsWith('.fifo')
    ? {
        MessageGroupId: 'cdn-pipeline-provision',
        MessageDeduplicationId: createHash('sha256')
          .update(`${input.execution ?? ''}\n${subject}\n${body}`)
          .digest('hex'),
      }
    : {};
  const out = await deps.sns.send(
    new PublishCommand({ TopicArn: topic, Subject: subject, Message: body, ...fifo }),
  );
  return { sent: true, messageId: out.MessageId ?? '', subject };
}
