/**
 * What every provisioning task shares: the input slices the ASL passes (a mismatch is a wiring
 * bug, InvalidTaskInput), the run wrapper that logs the outcome and maps failures to the names
 * the state machine's Retry/Catch match, and the log keys.
 */
import * as z from 'zod';
import type { DistributionSpec } from '../../shared/distributionSpec.js';
import { logger } from '../../shared/observability.js';
import { InvalidTaskInput, toTaskError } from './errors.js';
import { NOTIFY_OUTCOMES } from './types.js';

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

export const schemas = {
  validate: z.object({
    spec: z.unknown(),
    options: z
      .object({
        pollSeconds: z.unknown().optional(),
        maxWaitSeconds: z.unknown().optional(),
        allowPublic: z.boolean().optional(),
      })
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
      keyGroupIds: z.record(z.string(), id).optional(),
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

export function parse<T extends z.ZodType>(task: string, schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InvalidTaskInput(
    `${task}.${issue.path.map(String).join('.') || 'input'}`,
    issue.message,
  );
}

/** Runs one task: logs the outcome, maps failures to named errors. */
export async function run<T>(
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

export function bucketKey(spec: unknown): Record<string, unknown> {
  const bucket = (spec as { bucket?: unknown } | undefined)?.bucket;
  return typeof bucket === 'string' ? { bucket } : {};
}

export const warn = (message: string, detail: Record<string, unknown>) =>
  logger.warn(message, detail);
