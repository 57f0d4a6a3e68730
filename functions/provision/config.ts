/**
 * The provisioning tasks' configuration, parsed once from the environment and validated: a bad
 * value fails with the variable's name. Only `notify` needs any.
 */
import { z } from 'zod';
import { parseEnv } from '../../shared/config.js';

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

const notifySchema = z.object({
  ALERTS_TOPIC_ARN: z
    .string({ error: 'is required: the SNS topic that receives provisioning mail' })
    .regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)'),
});

export interface NotifyConfig {
  readonly alertsTopicArn: string;
}

export function loadNotifyConfig(
  env: Record<string, string | undefined> = process.env,
): NotifyConfig {
  const raw = parseEnv(notifySchema, env);
  return Object.freeze({ alertsTopicArn: raw.ALERTS_TOPIC_ARN });
}
