/**
 * LOCAL ONLY. Runs the provisioning state machine (the same ASL file Step Functions runs) in
 * this process against the emulator, with the real task functions. The emulator lacks
 * CloudFront's policy APIs, so its CloudFront client gets the local shim first.
 */
import { createProvisionTasks, type ProvisionTasks } from '../functions/provision/handler.js';
import type { AwsClients } from '../shared/clients.js';
import { installCloudFrontShim } from './cloudfrontShim.js';
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
  /** The distribution spec, as a user writes it (validated by the workflow). */
  readonly spec: unknown;
  readonly options?: { readonly pollSeconds?: number; readonly maxWaitSeconds?: number };
  readonly stage?: string;
  /** Seconds between deployment polls here (the spec's own interval is kept for the mail). */
  readonly pollSecondsOverride?: number;
  readonly retryIntervalMsOverride?: number;
  readonly onEvent?: (event: WorkflowEvent) => void;
  readonly signal?: AbortSignal;
}

/** The task handlers the ASL's Task states resolve to, bound to these clients. */
export function localProvisionTasks(
  clients: LocalProvisionOptions['clients'],
  alertsTopicArn: string,
): ProvisionTasks {
  installCloudFrontShim(clients.cloudfront);
  return createProvisionTasks({ clients, notifyConfig: { alertsTopicArn } });
}

export async function provisionLocally(
  options: LocalProvisionOptions,
): Promise<ProvisionWorkflowResult> {
  const tasks = localProvisionTasks(options.clients, options.alertsTopicArn);
  return runProvisionWorkflow({
    input: {
      spec: options.spec,
      ...(options.options ? { options: options.options } : {}),
      ...(options.stage ? { stage: options.stage } : {}),
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
