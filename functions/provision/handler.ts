/**
 * The task functions of the provisioning state machine (`statemachines/`), one export per Task
 * state, each invoked directly by Step Functions with plain JSON in and out. Thin: parse the
 * slice of state the ASL passes, call the core with its clients, log, and map every failure to an
 * error whose name the state machine's Retry/Catch match (`TransientError`, `InvalidSpec`,
 * `BucketNotFound`, `DistributionConflict`, `AdoptionRefused`, `DistributionChanged`, or AWS's
 * own).
 */
import * as z from 'zod';
import { cloudfrontClient } from '../../shared/clients/cloudfront.js';
import { lazyClients } from '../../shared/clients/lazy.js';
import { s3Client } from '../../shared/clients/s3.js';
import { snsClient } from '../../shared/clients/sns.js';
import { ConfigError } from '../../shared/errors.js';
import { lambdaHandler, logger } from '../../shared/observability.js';
import type { DistributionSpec } from '../../shared/distributionSpec.js';
import { ensureBucketPolicy } from './bucketPolicy.js';
import { checkDeployment as checkDeploymentCore } from './checkDeployment.js';
import { loadNotifyConfig, type NotifyConfig } from './config.js';
import { ensureDistribution as ensureDistributionCore } from './ensureDistribution.js';
import { ensureMonitoring as ensureMonitoringCore } from './ensureMonitoring.js';
import { ensureOriginAccessControl as ensureOacCore } from './ensureOriginAccessControl.js';
import { ensurePolicies as ensurePoliciesCore } from './ensurePolicies.js';
import { InvalidTaskInput, toTaskError } from './errors.js';
import { notify as notifyCore } from './notify.js';
import { retireOriginAccessIdentities } from './retireOriginAccessIdentity.js';
import {
  NOTIFY_OUTCOMES,
  type BucketPolicyResult,
  type CheckDeploymentResult,
  type DistributionResult,
  type MonitoringResult,
  type NotifyResult,
  type OacResult,
  type PoliciesResult,
  type ProvisionClients,
  type RetireOaiResult,
  type Validated,
} from './types.js';
import { validate as validateCore } from './validate.js';

export interface ProvisionDeps {
  /** Read lazily: a task builds only the clients it uses. */
  readonly clients: ProvisionClients;
  /** Only `notify` needs configuration: the other tasks' Lambdas are built without it. */
  readonly notifyConfig?: NotifyConfig;
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
  checkDeployment(input: unknown): Promise<CheckDeploymentResult>;
  notify(input: unknown): Promise<NotifyResult>;
}

// ---------------------------------------------------------------------------------------------
// Input schemas: the slices the ASL passes. A mismatch is a wiring bug (InvalidTaskInput); the
// user's spec itself is validated by `validate` (InvalidSpec).
// ---------------------------------------------------------------------------------------------

const validatedSpec = z.custom<DistributionSpec>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { bucket?: unknown }).bucket === 'string' &&
    typeof (v as { name?: unknown }).name === 'string',
  { error: 'must be the validated spec ($.validated.spec)' },
);
const id = z.string().min(1);
const count = z.number().int().min(0);
/** The workflow input's `adopt` (`{}` by the ASL's defaults when not adopting). */
const adoptInput = z
  .object({ distributionId: z.string().optional(), ifMatch: z.string().optional() })
  .optional();

const schemas = {
  validate: z.object({
    spec: z.unknown(),
    options: z
      .object({ pollSeconds: z.unknown().optional(), maxWaitSeconds: z.unknown().optional() })
      .optional(),
    stage: z.string().optional(),
    adopt: adoptInput,
  }),
  spec: z.object({ spec: validatedSpec }),
  ensureDistribution: z.object({
    spec: validatedSpec,
    callerReference: id,
    oac: z.object({ originAccessControlId: id }),
    policies: z.object({
      cachePolicyIds: z.record(z.string(), id),
      responseHeadersPolicyId: id,
      originRequestPolicyId: id.optional(),
    }),
    stage: z.string().optional(),
    adopt: adoptInput,
  }),
  mergeBucketPolicy: z.object({
    bucket: id,
    distributionArn: id,
    retireOriginAccessIdentities: z.array(id).optional(),
  }),
  ensureMonitoring: z.object({ distributionId: id, enabled: z.boolean() }),
  checkDeployment: z.object({ distributionId: id, polls: count, maxPolls: count.min(1) }),
  notify: z.object({
    outcome: z.enum(NOTIFY_OUTCOMES),
    execution: z.string().optional(),
    distribution: z.record(z.string(), z.unknown()).optional(),
    validated: z.record(z.string(), z.unknown()).optional(),
    error: z.object({ Error: z.string(), Cause: z.string() }).optional(),
    step: z.string().optional(),
    startedAt: z.string().optional(),
    wait: z.record(z.string(), z.unknown()).optional(),
  }),
} as const;

function parse<T extends z.ZodType>(task: string, schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InvalidTaskInput(
    `${task}.${issue.path.map(String).join('.') || 'input'}`,
    issue.message,
  );
}

/** Runs one task: logs the outcome, maps failures to named errors. */
async function run<T>(
  task: string,
  keys: Record<string, unknown>,
  body: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  try {
    const result = await body();
    logger.info(`${task} done`, { task, ...keys, ms: Date.now() - started, result });
    return result;
  } catch (error) {
    const mapped = toTaskError(error);
    logger.error(`${task} failed`, {
      task,
      ...keys,
      ms: Date.now() - started,
      errorName: mapped.name,
      error: mapped.message,
    });
    throw mapped;
  }
}

function bucketKey(spec: unknown): Record<string, unknown> {
  const bucket = (spec as { bucket?: unknown } | undefined)?.bucket;
  return typeof bucket === 'string' ? { bucket } : {};
}

const warn = (message: string, detail: Record<string, unknown>) => logger.warn(message, detail);

/**
 * The bare task handlers around their dependencies (the Lambda exports below wrap them; the local
 * runner and the tests call them as they are).
 */
export function createProvisionTasks(deps: ProvisionDeps): ProvisionTasks {
  const { clients } = deps;
  const config = (): NotifyConfig => {
    if (deps.notifyConfig) return deps.notifyConfig;
    throw new ConfigError('ALERTS_TOPIC_ARN', 'notify was built without its configuration');
  };

  return {
    validate: (input) => {
      const parsed = parse('validate', schemas.validate, input);
      return run('validate', bucketKey(parsed.spec), () =>
        validateCore(
          { s3: clients.s3, cloudfront: clients.cloudfront },
          parsed as Parameters<typeof validateCore>[1],
        ),
      );
    },
    ensureOriginAccessControl: (input) => {
      const parsed = parse('ensureOriginAccessControl', schemas.spec, input);
      return run('ensureOriginAccessControl', bucketKey(parsed.spec), () =>
        ensureOacCore({ cloudfront: clients.cloudfront }, parsed),
      );
    },
    ensurePolicies: (input) => {
      const parsed = parse('ensurePolicies', schemas.spec, input);
      return run('ensurePolicies', bucketKey(parsed.spec), () =>
        ensurePoliciesCore({ cloudfront: clients.cloudfront }, parsed),
      );
    },
    ensureDistribution: (input) => {
      const parsed = parse('ensureDistribution', schemas.ensureDistribution, input);
      return run('ensureDistribution', bucketKey(parsed.spec), () =>
        ensureDistributionCore({ cloudfront: clients.cloudfront, warn }, parsed),
      );
    },
    mergeBucketPolicy: (input) => {
      const parsed = parse('mergeBucketPolicy', schemas.mergeBucketPolicy, input);
      const { retireOriginAccessIdentities: retire, ...merge } = parsed;
      // The same task (and role) retires an adopted OAI's grant once the OAC config is Deployed.
      if (retire) {
        return run('retireOriginAccessIdentity', { bucket: parsed.bucket }, () =>
          retireOriginAccessIdentities(
            { s3: clients.s3, cloudfront: clients.cloudfront },
            { ...merge, retireOriginAccessIdentities: retire },
          ),
        );
      }
      return run('mergeBucketPolicy', { bucket: parsed.bucket }, () =>
        ensureBucketPolicy({ s3: clients.s3, warn }, merge),
      );
    },
    ensureMonitoring: (input) => {
      const parsed = parse('ensureMonitoring', schemas.ensureMonitoring, input);
      return run('ensureMonitoring', { distributionId: parsed.distributionId }, () =>
        ensureMonitoringCore({ cloudfront: clients.cloudfront }, parsed),
      );
    },
    checkDeployment: (input) => {
      const parsed = parse('checkDeployment', schemas.checkDeployment, input);
      return run('checkDeployment', { distributionId: parsed.distributionId }, () =>
        checkDeploymentCore({ cloudfront: clients.cloudfront }, parsed),
      );
    },
    notify: (input) => {
      const parsed = parse('notify', schemas.notify, input);
      return run('notify', { outcome: parsed.outcome, execution: parsed.execution }, () =>
        notifyCore(
          { sns: clients.sns, config: config() },
          parsed as Parameters<typeof notifyCore>[1],
        ),
      );
    },
  };
}

type Task = keyof ProvisionTasks;

/** One Lambda per Task state: each builds its clients once; only `notify` parses configuration. */
function entry<K extends Task>(task: K) {
  type Result = Awaited<ReturnType<ProvisionTasks[K]>>;
  return lambdaHandler<unknown, Result>(() => {
    const tasks = createProvisionTasks({
      clients: lazyClients({ cloudfront: cloudfrontClient, s3: s3Client, sns: snsClient }),
      ...(task === 'notify' ? { notifyConfig: loadNotifyConfig() } : {}),
    });
    return tasks[task] as (input: unknown) => Promise<Result>;
  });
}

/** Lambda entry points, one per Task state (handler `functions/provision/handler.<name>`). */
export const validate = entry('validate');
export const ensureOriginAccessControl = entry('ensureOriginAccessControl');
export const ensurePolicies = entry('ensurePolicies');
export const ensureDistribution = entry('ensureDistribution');
export const mergeBucketPolicy = entry('mergeBucketPolicy');
export const ensureMonitoring = entry('ensureMonitoring');
export const checkDeployment = entry('checkDeployment');
export const notify = entry('notify');
