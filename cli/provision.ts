/**
 * `cdn-pipeline provision`: builds the distribution spec from flags (and `--spec file.json`),
 * rejects a bad one before anything is created, then runs the provisioning workflow: the
 * deployed state machine (found through the stack's `ProvisionStateMachineArn` output), or with
 * `--local` the same ASL in this process against the emulator. Progress while it runs; at the
 * end the distribution and an example URL, or the failing step and its cause.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { awsErrorName } from '../functions/provision/errors.js';
import { WAIT_DEFAULTS } from '../functions/provision/validate.js';
import { CdnPipelineError } from '../shared/errors.js';
import { localResourceNames } from '../local/resources.js';
import { createClients, type AwsClients } from '../shared/clients.js';
import { logger } from '../shared/observability.js';
import type { DistributionSpec } from '../shared/distributionSpec.js';
import type { EXIT } from './main.js';
import {
  specInput,
  UsageError,
  validSpec,
  workflowOptions,
  type ProvisionFlags,
} from './provisionSpec.js';
import {
  causeMessage,
  fields,
  formatElapsed,
  fromWorkflowEvent,
  printer,
  RunObserver,
  watchExecution,
  type Printer,
} from './progress.js';

/** What a command ends with; `main` maps it to the exit code. */
export type Outcome = keyof typeof EXIT;

export const STATE_MACHINE_OUTPUT = 'ProvisionStateMachineArn';
export const DEFAULT_STAGE = { deployed: 'dev', local: 'local' } as const;
/** Local runs poll at most this often (seconds), whatever `--poll-seconds` says. */
const LOCAL_MAX_POLL_SECONDS = 2;
const DEFAULT_WATCH_SECONDS = 3;
const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
/** The error the workflow ends with when the distribution is still deploying. */
export const NOT_DEPLOYED = 'DistributionNotDeployed';

// ── Clients ─────────────────────────────────────────────────────────────────────────────────

/** Clients by endpoint and region: built once per process, like the functions' clients. */
const clientCache = new Map<string, AwsClients>();

/**
 * The SDK clients for a command. `local` insists on the emulator (`AWS_ENDPOINT_URL`) and signs
 * with test credentials unless both keys are exported. Reused within a process, so the local
 * CloudFront shim (it keeps the emulator's missing policies in its client's memory) sees the
 * policies an earlier run in this process created.
 */
export function cliClients(options: { local?: boolean; region?: string }): AwsClients {
  const endpoint = process.env.AWS_ENDPOINT_URL || undefined;
  if (options.local && !endpoint) {
    throw new CdnPipelineError(
      '--local runs against the local AWS emulator, and AWS_ENDPOINT_URL is not set: start the local pipeline with npm start, or set AWS_ENDPOINT_URL (e.g. http://127.0.0.1:4566)',
    );
  }
  const keys = Boolean(process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY);
  const testKeys = Boolean(options.local) && !keys;
  const cacheKey = JSON.stringify([endpoint, options.region, testKeys]);
  let clients = clientCache.get(cacheKey);
  if (!clients) {
    clients = createClients({
      ...(endpoint ? { endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(testKeys ? { credentials: { ...LOCAL_CREDENTIALS } } : {}),
    });
    clientCache.set(cacheKey, clients);
  }
  return clients;
}

// ── Output ──────────────────────────────────────────────────────────────────────────────────

/** The workflow's output on success (the ASL's `Provisioned` state). */
interface ProvisionedOutput {
  readonly distributionId: string;
  readonly arn: string;
  readonly domainName: string;
  readonly status: string;
  readonly action: string;
  readonly url: string;
  readonly aliases: string[];
  readonly polls: number;
}

/** How a run ended, whatever ran it. */
interface RunResult {
  readonly mode: 'deployed' | 'local';
  readonly executionArn: string;
  readonly executionStatus: string;
  readonly output?: ProvisionedOutput;
  readonly error?: string;
  readonly cause?: string;
  readonly elapsedMs: number;
  readonly transitions?: number;
}

/** `https://<first alias that is not a wildcard, else the domain>/`. */
export function exampleUrl(domainName: string, aliases: readonly string[]): string {
  const host = aliases.find((a) => !a.startsWith('*.')) ?? domainName;
  return `https://${host}/`;
}

function succeeded(result: RunResult, observer: RunObserver, print: Printer): void {
  const out = result.output!;
  const changes = [...(observer.distribution?.changes ?? [])];
  const url = exampleUrl(out.domainName, out.aliases);
  const { mode, executionArn, executionStatus, elapsedMs, transitions } = result;
  if (print.json) {
    const extra = transitions !== undefined ? { transitions } : {};
    print.result({
      outcome: 'ready',
      mode,
      executionArn,
      executionStatus,
      ...out,
      url,
      changes,
      elapsedMs,
      ...extra,
    });
    return;
  }
  const rows: Array<[string, string]> = [
    ['id', out.distributionId],
    ['domain', out.domainName],
    ['aliases', out.aliases.join(', ') || '(none)'],
    ['url', url],
    ['action', changes.length ? `${out.action}: ${changes.join(', ')}` : out.action],
    ['status', `${out.status} after ${out.polls} poll${out.polls === 1 ? '' : 's'}`],
    ['elapsed', formatElapsed(elapsedMs)],
    ...(transitions !== undefined
      ? [['transitions', String(transitions)] as [string, string]]
      : []),
    ['execution', executionArn],
  ];
  print.out(`\nDistribution ready: ${out.distributionId} (${out.action})\n${fields(rows)}`);
}

function failed(result: RunResult, observer: RunObserver, print: Printer): Outcome {
  const timedOut = result.error === NOT_DEPLOYED || result.executionStatus === 'TIMED_OUT';
  const step = observer.failedStep ?? (timedOut ? 'CheckDeployment' : undefined);
  const error = result.error ?? result.executionStatus;
  const cause = causeMessage(result.cause);
  const { distributionId, domainName } = observer.distribution ?? {};
  const { mode, executionArn, executionStatus, elapsedMs } = result;
  if (print.json) {
    const found = distributionId ? { distributionId, domainName } : {};
    const at = step ? { step } : {};
    const outcome = timedOut ? 'timeout' : 'failed';
    print.result({
      outcome,
      mode,
      executionArn,
      executionStatus,
      ...at,
      error,
      cause,
      ...found,
      elapsedMs,
    });
  }
  const lines = timedOut
    ? [
        `cdn-pipeline: distribution ${distributionId ?? ''} is still deploying (${error} after ${formatElapsed(elapsedMs)}).`,
        '  CloudFront keeps deploying it. Run the same provision command again to resume waiting:',
        '  it finds the same distribution and creates nothing twice. Or check: npx cdn-pipeline status',
      ]
    : [
        step
          ? `cdn-pipeline: provisioning failed at ${step}: ${error}`
          : `cdn-pipeline: provisioning ended ${executionStatus}${error !== executionStatus ? `: ${error}` : ''}`,
        ...(cause ? [`  ${cause}`] : []),
      ];
  print.err([...lines, `  execution  ${executionArn}`].join('\n'));
  return timedOut ? 'timedOut' : 'failed';
}

function report(result: RunResult, observer: RunObserver, print: Printer): Outcome {
  print.progress.end?.();
  if (result.executionStatus === 'SUCCEEDED' && result.output) {
    succeeded(result, observer, print);
    return 'ok';
  }
  return failed(result, observer, print);
}

// ── Deployed runs ───────────────────────────────────────────────────────────────────────────

/** The state machine ARN from the stack's outputs, or an error that says what to do. */
export async function findStateMachineArn(
  cloudformation: CloudFormationClient,
  stage: string,
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
      throw new CdnPipelineError(`stack ${stack} does not exist in ${region}: ${hint}`, {
        cause: error,
      });
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
  flags: ProvisionFlags,
  spec: DistributionSpec,
  input: unknown,
  print: Printer,
): Promise<Outcome> {
  const stage = flags.stage ?? DEFAULT_STAGE.deployed;
  const clients = cliClients({ ...(flags.region ? { region: flags.region } : {}) });
  const stateMachineArn =
    flags.stateMachineArn ?? (await findStateMachineArn(clients.cloudformation, stage));
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

async function runLocal(
  flags: ProvisionFlags,
  spec: DistributionSpec,
  input: { spec: unknown; options: { pollSeconds?: number; maxWaitSeconds?: number } },
  print: Printer,
): Promise<Outcome> {
  const clients = cliClients({ local: true, ...(flags.region ? { region: flags.region } : {}) });
  const names = localResourceNames(flags.stage ?? DEFAULT_STAGE.local);
  // Find-or-create: CreateTopic returns the existing topic of that name.
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: names.alertsTopic }));
  // The task functions log through Powertools; here the progress lines replace their JSON.
  if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('SILENT');
  const { provisionLocally } = await import('../local/provision.js');
  print.progress.line(
    `Provisioning s3://${spec.bucket} as ${spec.name} (local stage ${names.stage}, ${process.env.AWS_ENDPOINT_URL ?? ''})`,
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

// ── The command ─────────────────────────────────────────────────────────────────────────────

/** Local stage names become resource names: checked before anything runs. */
function localStage(stage: string | undefined): void {
  try {
    localResourceNames(stage ?? DEFAULT_STAGE.local);
  } catch (error) {
    throw new UsageError(`--${(error as Error).message}`);
  }
}

export async function provisionCommand(flags: ProvisionFlags): Promise<Outcome> {
  const print = printer(Boolean(flags.json));
  let spec: DistributionSpec;
  let input: { spec: unknown; options: { pollSeconds?: number; maxWaitSeconds?: number } };
  try {
    if (flags.local && flags.wait === false) {
      throw new UsageError(
        '--no-wait applies to deployed runs: a --local run lives in this process',
      );
    }
    if (flags.local) localStage(flags.stage);
    const raw = await specInput(flags);
    spec = validSpec(raw);
    input = { spec: raw, options: workflowOptions(flags) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    print.err(`cdn-pipeline: ${error.message}`);
    return 'usage';
  }
  if (flags.local) return runLocal(flags, spec, input, print);
  const stage = flags.stage ?? DEFAULT_STAGE.deployed;
  return runDeployed(flags, spec, { ...input, stage }, print);
}
