/**
 * The task functions of the provisioning state machine (`statemachines/`), one per Task state,
 * each invoked directly by Step Functions with plain JSON in and out. Each task has its own entry
 * file in `tasks/` (its Lambda bundles its core and clients only); here they are composed into
 * one set for the local runner and the tests. Thin: parse the slice of state the ASL passes
 * (taskInput.ts), call the core with its clients, log, and map every failure to an error whose
 * name the state machine's Retry/Catch match (`TransientError`, `InvalidSpec`, `BucketNotFound`,
 * `DistributionConflict`, `AdoptionRefused`, `DistributionChanged`, or AWS's own).
 */
import type { NotifyConfig } from './config.js';
import { checkDeploymentTask } from './tasks/checkDeployment.js';
import { ensureDistributionTask } from './tasks/ensureDistribution.js';
import { ensureMonitoringTask } from './tasks/ensureMonitoring.js';
import {
  ensureLoggingTask,
  loadLoggingTaskConfig,
  type LoggingTaskConfig,
} from './tasks/ensureLogging.js';
import type { LoggingResult } from './ensureLogging.js';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { cloudwatchLogsClient } from '../../shared/clients/cloudwatchLogs.js';
import { lazyClients } from '../../shared/clients/lazy.js';
import { ensureOriginAccessControlTask } from './tasks/ensureOriginAccessControl.js';
import { ensurePoliciesTask } from './tasks/ensurePolicies.js';
import { mergeBucketPolicyTask } from './tasks/mergeBucketPolicy.js';
import { notifyTask } from './tasks/notify.js';
import { validateTask } from './tasks/validate.js';
import type {
  BucketPolicyResult,
  CheckDeploymentResult,
  DistributionResult,
  MonitoringResult,
  NotifyResult,
  OacResult,
  PoliciesResult,
  ProvisionClients,
  RetireOaiResult,
  Validated,
} from './types.js';

export interface ProvisionDeps {
  /** Read lazily: a task builds only the clients it uses. */
  readonly clients: ProvisionClients;
  /** Only `notify` needs configuration: the other tasks' Lambdas are built without it. */
  readonly notifyConfig?: NotifyConfig;
  /** `ensureLogging`'s client and log bucket; default: built from the environment when first used. */
  readonly logging?: { readonly logs: CloudWatchLogsClient; readonly config: LoggingTaskConfig };
}

/** One handler per Task state; the names are the contract with the ASL. */
export interface ProvisionTasks {
  validate(input: unknown): Promise<Validated>;
  ensureOriginAccessControl(input: unknown): Promise<OacResult>;
  ensurePolicies(input: unknown): Promise<PoliciesResult>;
  ensureDistribution(input: unknown): Promise<DistributionResult>;
  /** Also RetireOriginAccessIdentity's task (input with `retireOriginAccessIdentities`). */
  mergeBucketPolicy(input: unknown): Promise<BucketPolicyResult | RetireOaiResult>;
  ensureMonitoring(input: unknown): Promise<MonitoringResult>;
  ensureLogging(input: unknown): Promise<LoggingResult>;
  checkDeployment(input: unknown): Promise<CheckDeploymentResult>;
  notify(input: unknown): Promise<NotifyResult>;
}

/**
 * The bare task handlers around their dependencies (the Lambda entries in `tasks/` wrap them one
 * by one; the local runner and the tests call them as they are).
 */
export function createProvisionTasks(deps: ProvisionDeps): ProvisionTasks {
  const { clients } = deps;
  return {
    validate: validateTask(clients),
    ensureOriginAccessControl: ensureOriginAccessControlTask(clients),
    ensurePolicies: ensurePoliciesTask(clients),
    ensureDistribution: ensureDistributionTask(clients),
    mergeBucketPolicy: mergeBucketPolicyTask(clients),
    ensureMonitoring: ensureMonitoringTask(clients),
    ensureLogging: ensureLoggingTask(
      deps.logging ?? lazyClients({ logs: cloudwatchLogsClient }),
      () => deps.logging?.config ?? loadLoggingTaskConfig(),
    ),
    checkDeployment: checkDeploymentTask(clients),
    notify: notifyTask(clients, () => deps.notifyConfig),
  };
}

/** The Lambda entries, one per Task state (serverless.yml names `tasks/<name>.handler`). */
export { handler as validate } from './tasks/validate.js';
export { handler as ensureOriginAccessControl } from './tasks/ensureOriginAccessControl.js';
export { handler as ensurePolicies } from './tasks/ensurePolicies.js';
export { handler as ensureDistribution } from './tasks/ensureDistribution.js';
export { handler as mergeBucketPolicy } from './tasks/mergeBucketPolicy.js';
export { handler as ensureMonitoring } from './tasks/ensureMonitoring.js';
export { handler as ensureLogging } from './tasks/ensureLogging.js';
export { handler as checkDeployment } from './tasks/checkDeployment.js';
export { handler as notify } from './tasks/notify.js';
