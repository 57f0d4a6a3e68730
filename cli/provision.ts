/**
 * `cdn-pipeline provision`: builds the distribution spec from flags (and `--spec file.json`),
 * rejects a bad one before anything is created, then runs the provisioning workflow: the
 * deployed state machine (found through the stack's `ProvisionStateMachineArn` output), or with
 * `--local` the same ASL in this process against the emulator. Progress while it runs; the end
 * of the run is printed by `provisionResult.ts`.
 */
import {
  DescribeStacksCommand,
  paginateListStacks,
  type CloudFormationClient,
} from '@aws-sdk/client-cloudformation';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { readPublicAccess } from '../functions/provision/bucketPolicy.js';
import { awsErrorName } from '../functions/provision/errors.js';
import { WAIT_DEFAULTS } from '../functions/provision/validate.js';
import { CdnPipelineError } from '../shared/errors.js';
import { localResourceNames } from '../local/resources.js';
import { logger } from '../shared/observability.js';
import type { DistributionSpec } from '../shared/distributionSpec.js';
import { cliContext, otherContext, type CliContext, type Outcome } from './context.js';
import {
  specInput,
  UsageError,
  validSpec,
  workflowOptions,
  type ProvisionFlags,
} from './provisionSpec.js';
import { watchExecution } from './executionHistory.js';
import { fromWorkflowEvent, printer, RunObserver, type Printer } from './progress.js';
import { report, type ProvisionedOutput, type RunResult } from './provisionResult.js';
import { adoptInput, adoptionDryRun } from './provisionAdopt.js';

export const STATE_MACHINE_OUTPUT = 'ProvisionStateMachineArn';
/** Local runs poll at most this often (seconds), whatever `--poll-seconds` says. */
const LOCAL_MAX_POLL_SECONDS = 2;
const DEFAULT_WATCH_SECONDS = 3;
const STACK_NAME = /^cdn-pipeline-([a-z0-9-]+)$/i;

// ── Deployed runs ───────────────────────────────────────────────────────────────────────────

/** The state machine ARN from the stack's outputs, or an error that says what to do. */
export async function findStateMachineArn(
  cloudformation: CloudFormationClient,
  stage: string,
  elsewhere: () => Promise<string> = async () => '',
): Promise<string> {
  const stack = `cdn-pipeline-${stage}`;
  const region = await cloudformation.config.region();
  const hint = `deploy the stack first: npx sls deploy --stage ${stage} (or pass --state-machine-arn)`;
  let outputs;
  try {
    const out = await cloudformation.send(new DescribeStacksCommand({ StackName: stack }));
    outputs = out.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if (awsErrorName(error) === 'ValidationError' && /does not exist/i.test(String(error))) {
      const found = await elsewhere();
      throw new CdnPipelineError(
        `stack ${stack} does not exist in ${region}: ${hint}${found ? `; ${found}` : ''}`,
        { cause: error },
      );
    }
    throw error;
  }
  const arn = outputs.find((o) => o.OutputKey === STATE_MACHINE_OUTPUT)?.OutputValue;
  if (!arn) {
    throw new CdnPipelineError(
      `stack ${stack} in ${region} has no output ${STATE_MACHINE_OUTPUT}: ${hint}`,
    );
  }
  return arn;
}

/** Our stacks in the account other than the stage's, and the emulator when one answers. */
async function stacksElsewhere(ctx: CliContext, cloudformation: CloudFormationClient) {
  const parts: string[] = [];
  try {
    const stages: string[] = [];
    for await (const page of paginateListStacks({ client: cloudformation }, {})) {
      for (const s of page.StackSummaries ?? []) {
        const stage = STACK_NAME.exec(s.StackName ?? '')?.[1];
        if (stage && stage !== ctx.target.stage && s.StackStatus !== 'DELETE_COMPLETE')
          stages.push(stage);
      }
    }
    if (stages.length) {
      parts.push(
        `stacks there: ${stages.map((st) => `cdn-pipeline-${st} (add --stage ${st})`).join(', ')}`,
      );
    }
  } catch {
    // No permission to list stacks: the hint says less.
  }
  const other = await otherContext(ctx);
  if (other) parts.push(`${other.where} answers: add --local to provision there`);
  return parts.join('; ');
}

/** `media-20250102T030405Z`: readable, unique per second, valid as an execution name. */
export function executionName(name: string, now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${name}-${stamp}`.slice(0, 80);
}

function parseOutput(text: string | undefined): ProvisionedOutput | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as ProvisionedOutput;
  } catch {
    return undefined;
  }
}

async function runDeployed(
  ctx: CliContext,
  flags: ProvisionFlags,
  spec: DistributionSpec,
  input: unknown,
  print: Printer,
): Promise<Outcome> {
  const { stage } = ctx.target;
  const clients = await ctx.clients();
  const stateMachineArn =
    flags.stateMachineArn ??
    (await findStateMachineArn(clients.cloudformation, stage, () =>
      stacksElsewhere(ctx, clients.cloudformation),
    ));
  const name = executionName(spec.name);
  const started = await clients.sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
  );
  const executionArn = started.executionArn ?? '';
  if (flags.wait === false) {
    if (print.json) print.result({ outcome: 'started', executionArn, stateMachineArn, name });
    else print.out(executionArn);
    return 'ok';
  }
  print.progress.line(`Provisioning s3://${spec.bucket} as ${spec.name} (stage ${stage})`);
  print.progress.line(`  execution ${executionArn}`);
  const startedAt = started.startDate ?? new Date();
  const observer = new RunObserver(print.progress);
  const end = await watchExecution(
    clients.sfn,
    executionArn,
    startedAt,
    observer,
    (flags.watchSeconds ?? DEFAULT_WATCH_SECONDS) * 1000,
  );
  const output = parseOutput(end.output);
  const result: RunResult = {
    mode: 'deployed',
    executionArn,
    executionStatus: end.status ?? 'UNKNOWN',
    ...(output ? { output } : {}),
    ...(end.error ? { error: end.error } : {}),
    ...(end.cause ? { cause: end.cause } : {}),
    elapsedMs: (end.stopDate ?? new Date()).getTime() - startedAt.getTime(),
  };
  return report(result, observer, print);
}

// ── Local runs ──────────────────────────────────────────────────────────────────────────────

type WorkflowInput = {
  spec: unknown;
  options: { pollSeconds?: number; maxWaitSeconds?: number };
  adopt?: { distributionId: string; ifMatch?: string };
};

async function runLocal(
  ctx: CliContext,
  spec: DistributionSpec,
  input: WorkflowInput,
  print: Printer,
): Promise<Outcome> {
  const clients = await ctx.clients();
  const names = localResourceNames(ctx.target.stage);
  // Find-or-create: CreateTopic returns the existing topic of that name.
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: names.alertsTopic }));
  // The task functions log through Powertools; here the progress lines replace their JSON.
  if (!ctx.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('SILENT');
  const { provisionLocally } = await import('../local/provision.js');
  print.progress.line(
    `Provisioning s3://${spec.bucket} as ${spec.name} (local stage ${names.stage}, ${ctx.target.endpoint ?? ''})`,
  );
  const observer = new RunObserver(print.progress);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const run = await provisionLocally({
      clients,
      alertsTopicArn: topic.TopicArn ?? '',
      spec: input.spec,
      options: input.options,
      stage: names.stage,
      ...(input.adopt ? { adopt: input.adopt } : {}),
      pollSecondsOverride: Math.min(
        input.options.pollSeconds ?? WAIT_DEFAULTS.pollSeconds,
        LOCAL_MAX_POLL_SECONDS,
      ),
      onEvent: (event) => {
        const step = fromWorkflowEvent(event);
        if (step) observer.observe(step);
      },
      signal: abort.signal,
    });
    const result: RunResult = {
      mode: 'local',
      executionArn: run.executionArn,
      executionStatus: run.status,
      ...(run.status === 'SUCCEEDED' ? { output: run.output as ProvisionedOutput } : {}),
      ...(run.error ? { error: run.error.Error, cause: run.error.Cause } : {}),
      elapsedMs: run.elapsedMs,
      transitions: run.transitions,
    };
    return report(result, observer, print);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

// ── Public buckets ─────────────────────────────────────────────────────────────────────────

/**
 * The workflow refuses a public bucket in its first step (`validate`); the CLI asks first, so the
 * refusal comes before a run starts and, with `--allow-public`, the warning is printed (and in
 * `--json`). A bucket the CLI cannot read (missing, another account's, no permission) is left
 * to the workflow, which names the problem (NoSuchBucket vs AccessDenied).
 */
async function publicAccessPreflight(
  ctx: CliContext,
  bucket: string,
  allowPublic: boolean,
): Promise<{ refused?: string[]; warnings: string[] }> {
  let access;
  try {
    access = await readPublicAccess((await ctx.clients()).s3, bucket);
  } catch {
    return { warnings: [] };
  }
  if (access.findings.length && !allowPublic) return { refused: access.findings, warnings: [] };
  return {
    warnings: [
      ...access.findings.map(
        (f) => `${f}: kept (--allow-public); viewers can read s3://${bucket} around CloudFront`,
      ),
      ...access.neutralised.map((f) => `${f}, neutralised by Block Public Access for now`),
    ],
  };
}

/** The printer, with the warnings printed now and added to the final JSON object. */
function withWarnings(print: Printer, warnings: readonly string[]): Printer {
  if (!warnings.length) return print;
  for (const w of warnings) print.err(`cdn-pipeline: warning: ${w}`);
  return { ...print, result: (value) => print.result({ ...value, warnings: [...warnings] }) };
}

// ── The command ─────────────────────────────────────────────────────────────────────────────

export async function provisionCommand(
  flags: ProvisionFlags & { readonly allowPublic?: boolean },
): Promise<Outcome> {
  const basePrint = printer(Boolean(flags.json));
  // The stage is checked here too: a local stage becomes resource names.
  const ctx = cliContext(flags);
  const local = ctx.target.kind === 'local';
  let spec: DistributionSpec;
  let input: WorkflowInput;
  try {
    if (local && flags.wait === false) {
      throw new UsageError(
        `--no-wait applies to deployed runs: a local run (${ctx.target.because}) lives in this process`,
      );
    }
    const raw = await specInput(flags);
    spec = validSpec(raw);
    const adopt = adoptInput(flags);
    const options = {
      ...workflowOptions(flags),
      ...(flags.allowPublic ? { allowPublic: true } : {}),
    };
    input = { spec: raw, options, ...(adopt ? { adopt } : {}) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    basePrint.err(`cdn-pipeline: ${error.message}`);
    return 'usage';
  }
  const publicAccess = await publicAccessPreflight(ctx, spec.bucket, Boolean(flags.allowPublic));
  if (publicAccess.refused) {
    const message = `s3://${spec.bucket} is public, so viewers can read it around CloudFront: ${publicAccess.refused.join('; ')}. Remove the public grant, or pass --allow-public to provision anyway`;
    basePrint.err(`cdn-pipeline: ${message}`);
    if (basePrint.json)
      basePrint.result({
        outcome: 'refused',
        error: 'PublicBucket',
        message,
        findings: publicAccess.refused,
      });
    return 'failed';
  }
  const print = withWarnings(basePrint, publicAccess.warnings);
  if (flags.dryRun) return adoptionDryRun(ctx, flags, spec, print);
  if (local) return runLocal(ctx, spec, input, print);
  return runDeployed(ctx, flags, spec, { ...input, stage: ctx.target.stage }, print);
}
