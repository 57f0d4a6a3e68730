/**
 * LOCAL ONLY. Runs the provisioning state machine (the same ASL file Step Functions runs) in
 * this process against the emulator, with the real task functions. The emulator lacks
 * CloudFront's policy and OAI APIs and changing ETags, so its CloudFront client gets the local
 * shims first ({@link installLocalCloudFrontShims}).
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { createProvisionTasks, type ProvisionTasks } from '../functions/provision/handler.js';
import type { AwsClients } from '../shared/clients.js';
import type { DistributionSpecInput } from '../shared/distributionSpec.js';
import { installCloudFrontShim } from './cloudfrontShim.js';
import { installEtagShim } from './cloudfrontShimEtag.js';
import { installOaiShim, s3OaiStore } from './cloudfrontShimOai.js';
import { s3ShimStore } from './cloudfrontShimStore.js';
import {
  runProvisionWorkflow,
  type ProvisionWorkflowResult,
  type TaskHandlers,
  type WorkflowEvent,
} from './stepfunctions.js';

export interface LocalProvisionOptions {
  readonly clients: Pick<AwsClients, 'cloudfront' | 's3' | 'sns'>;
  /** Where the ready / failed mail goes (the local stage's alerts topic). */
  readonly alertsTopicArn: string;
  /** The stage's log bucket, where EnsureLogging delivers standard logs (./standardLogs.ts). */
  readonly logBucket?: string;
  /** The distribution spec, as a user writes it (validated by the workflow). */
  readonly spec: unknown;
  readonly options?: { readonly pollSeconds?: number; readonly maxWaitSeconds?: number };
  readonly stage?: string;
  /** Adopt this distribution (`{ distributionId, ifMatch? }`), as `provision --distribution`. */
  readonly adopt?: { readonly distributionId: string; readonly ifMatch?: string };
  /** Seconds between deployment polls here (the spec's own interval is kept for the mail). */
  readonly pollSecondsOverride?: number;
  readonly retryIntervalMsOverride?: number;
  readonly onEvent?: (event: WorkflowEvent) => void;
  readonly signal?: AbortSignal;
}

/**
 * Every LOCAL-ONLY CloudFront shim on an emulator client (idempotent): the policy APIs and the
 * origin fields moto drops, OAIs, and ETags that change with the config. Their state is stored
 * on the emulator, so a CLI run beside npm start sees the same policies, origins and OAIs.
 */
export function installLocalCloudFrontShims(clients: Pick<AwsClients, 'cloudfront' | 's3'>): void {
  installCloudFrontShim(clients.cloudfront, { store: s3ShimStore(clients.s3) });
  installOaiShim(clients.cloudfront, { store: s3OaiStore(clients.s3) });
  installEtagShim(clients.cloudfront);
}

/**
 * CloudWatch Logs' delivery API on the same emulator as `cloudfront` (its endpoint and
 * credentials; us-east-1, where CloudFront's deliveries live): EnsureLogging's client, so a spec
 * with `standardLogging: true` writes its delivery to the emulator, never to AWS.
 */
export function localLogsClient(cloudfront: AwsClients['cloudfront']): CloudWatchLogsClient {
  const { endpoint, credentials } = cloudfront.config;
  return new CloudWatchLogsClient({
    region: 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    credentials,
  });
}

/**
 * The task handlers the ASL's Task states resolve to, bound to these clients; EnsureLogging's
 * log bucket is the local stage's (`logBucket`; without one, a spec asking for standard logging
 * is refused, as on a stack without STANDARD_LOG_BUCKET).
 */
export function localProvisionTasks(
  clients: LocalProvisionOptions['clients'],
  alertsTopicArn: string,
  logBucket?: string,
): ProvisionTasks {
  installLocalCloudFrontShims(clients);
  return createProvisionTasks({
    clients,
    notifyConfig: { alertsTopicArn },
    logging: { logs: localLogsClient(clients.cloudfront), config: { logBucket } },
  });
}

export async function provisionLocally(
  options: LocalProvisionOptions,
): Promise<ProvisionWorkflowResult> {
  const tasks = localProvisionTasks(options.clients, options.alertsTopicArn, options.logBucket);
  return runProvisionWorkflow({
    input: {
      spec: options.spec,
      ...(options.options ? { options: options.options } : {}),
      ...(options.stage ? { stage: options.stage } : {}),
      ...(options.adopt ? { adopt: options.adopt } : {}),
    },
    handlers: tasks as unknown as TaskHandlers,
    ...(options.pollSecondsOverride !== undefined
      ? { pollSecondsOverride: options.pollSecondsOverride }
      : {}),
    ...(options.retryIntervalMsOverride !== undefined
      ? { retryIntervalMsOverride: options.retryIntervalMsOverride }
      : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * The spec of a local stage's distribution: the one `npx cdn-pipeline provision --local --bucket
 * <bucket>` writes (only the bucket), so both find the same distribution. Its name comes from the
 * spec's own default (`deriveName(bucket)`) and its region from the bucket (the workflow's
 * Validate reads it), never from a second list of defaults here.
 */
export function localDistributionSpec(bucket: string): DistributionSpecInput {
  return { bucket };
}

export interface StageDistribution {
  readonly id: string;
  readonly arn: string;
  readonly domainName: string;
  /** `created`, `updated` or `unchanged`, as the workflow reports it. */
  readonly action: string;
  readonly transitions: number;
  readonly elapsedMs: number;
}

/** A provisioning run that did not end in SUCCEEDED: its error and cause. */
export class LocalProvisionFailed extends Error {
  override readonly name = 'LocalProvisionFailed';
}

/**
 * The stage's distribution through the provisioning workflow (the same ASL and tasks as on AWS):
 * created on the first run, found again on every later one. The ready mail goes to the topic.
 * With the stage's log bucket, its spec asks for standard logging (v2): EnsureLogging writes the
 * delivery (source, destination, delivery) to the emulator's CloudWatch Logs, and the local edge
 * writes the distribution's log files into that bucket.
 */
export async function provisionStageDistribution(
  clients: LocalProvisionOptions['clients'],
  stack: {
    readonly bucket: string;
    readonly alertsTopicArn: string;
    readonly stage: string;
    /** The stage's log bucket: the spec then asks for standard logging (v2) into it. */
    readonly logBucket?: string;
  },
  options: { readonly signal?: AbortSignal; readonly pollSecondsOverride?: number } = {},
): Promise<StageDistribution> {
  const run = await provisionLocally({
    clients,
    alertsTopicArn: stack.alertsTopicArn,
    ...(stack.logBucket ? { logBucket: stack.logBucket } : {}),
    spec: stack.logBucket
      ? { ...localDistributionSpec(stack.bucket), standardLogging: true }
      : localDistributionSpec(stack.bucket),
    stage: stack.stage,
    pollSecondsOverride: options.pollSecondsOverride ?? 1,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (run.status !== 'SUCCEEDED') {
    throw new LocalProvisionFailed(
      `provisioning the local distribution failed: ${run.error?.Error ?? run.status}: ` +
        `${run.error?.Cause ?? ''}`,
    );
  }
  const output = run.output as {
    distributionId: string;
    arn: string;
    domainName: string;
    action: string;
  };
  return {
    id: output.distributionId,
    arn: output.arn,
    domainName: output.domainName,
    action: output.action,
    transitions: run.transitions,
    elapsedMs: run.elapsedMs,
  };
}
