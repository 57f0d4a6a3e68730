/**
 * The `ensureLogging` Task state's Lambda (serverless.yml:
 * `functions/provision/tasks/ensureLogging.handler`): standard logging v2 of the distribution into
 * the stack's log bucket (`STANDARD_LOG_BUCKET`) when the spec says `standardLogging: true`. Its
 * own entry file and input schema, so its bundle holds the CloudWatch Logs client and nothing of
 * the other tasks. `ensureLoggingTask` is the bare handler (createProvisionTasks, the local
 * runner and the tests).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import * as z from 'zod';
import { cloudwatchLogsClient } from '../../../shared/clients/cloudwatchLogs.js';
import { lazyClients } from '../../../shared/clients/lazy.js';
import { ENV_SCHEMA, parseEnv, type Env } from '../../../shared/env.js';
import { lambdaHandler } from '../../../shared/observability.js';
import { ensureLogging as ensureLoggingCore, type LoggingResult } from '../ensureLogging.js';
import { parse, run } from '../taskInput.js';

/** The slice of state the ASL passes (EnsureLogging's Parameters). */
export const ensureLoggingInput = z.object({
  distributionId: z.string().min(1),
  distributionArn: z.string().min(1),
  enabled: z.boolean(),
});

export interface LoggingTaskConfig {
  readonly logBucket: string | undefined;
}

export function loadLoggingTaskConfig(env: Env = process.env): LoggingTaskConfig {
  const raw = parseEnv(ENV_SCHEMA.pick({ STANDARD_LOG_BUCKET: true }), env);
  return Object.freeze({ logBucket: raw.STANDARD_LOG_BUCKET });
}

/** Reads `clients` and the config at each call (they may be built lazily). */
export function ensureLoggingTask(
  clients: { readonly logs: CloudWatchLogsClient },
  config: () => LoggingTaskConfig,
): (input: unknown) => Promise<LoggingResult> {
  return async (input) => {
    const parsed = parse('ensureLogging', ensureLoggingInput, input);
    return run('ensureLogging', { distributionId: parsed.distributionId }, () =>
      ensureLoggingCore({ logs: clients.logs, logBucket: config().logBucket }, parsed),
    );
  };
}

export const handler = lambdaHandler<unknown, LoggingResult>(() => {
  const config = loadLoggingTaskConfig();
  return ensureLoggingTask(lazyClients({ logs: cloudwatchLogsClient }), () => config);
});
