/**
 * The provisioning tasks' configuration: a pick of the one env schema (`shared/env.ts`), parsed
 * once and frozen; a bad value fails with the variable's name. Only `notify` needs any.
 */
import { ENV_SCHEMA, parseEnv, type Env } from '../../shared/env.js';

const notifyEnv = ENV_SCHEMA.pick({
  ALERTS_TOPIC_ARN: true,
});

export interface NotifyConfig {
  readonly alertsTopicArn: string;
}

export function loadNotifyConfig(env: Env = process.env): NotifyConfig {
  const raw = parseEnv(notifyEnv, env);
  return Object.freeze({ alertsTopicArn: raw.ALERTS_TOPIC_ARN });
}
