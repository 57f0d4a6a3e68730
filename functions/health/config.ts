/**
 * The scheduled health function's configuration: a pick of the one env schema (`shared/env.ts`),
 * parsed once and frozen. A bad value fails the cold start with the variable's name.
 */
import { ENV_SCHEMA, parseEnv, type Env } from '../../shared/env.js';
import type { ScheduledHealthConfig } from './scheduled.js';

const healthEnv = ENV_SCHEMA.pick({
  HEALTH_BUCKET: true,
  ALERTS_TOPIC_ARN: true,
  ALARM_TABLE: true,
  STAGE: true,
  AWS_REGION: true,
});

export function loadScheduledHealthConfig(env: Env = process.env): ScheduledHealthConfig {
  const raw = parseEnv(healthEnv, env);
  return Object.freeze({
    bucket: raw.HEALTH_BUCKET,
    alertsTopicArn: raw.ALERTS_TOPIC_ARN,
    alarmTable: raw.ALARM_TABLE,
    stage: raw.STAGE,
    region: raw.AWS_REGION,
  });
}
