/**
 * Over 300 lines on purpose: one adapter (the ASL made runnable, AWS-faithful task errors, the
 * run) whose parts share one contract; a third of it is types and the fidelity notes below.
 *
 * LOCAL ONLY. Runs the provisioning state machine in-process with aws-local-stepfunctions: the
 * SAME `statemachines/provision.asl.json` that serverless-step-functions deploys, with each Task's
 * `{ "Fn::GetAtt": [<LogicalId>, "Arn"] }` swapped for a stand-in Lambda ARN and run by a local
 * handler. Never imported by production code paths.
 *
 * Fidelity to AWS, where it matters for Retry/Catch:
 * - a handler that throws fails the Task with `Error` = the thrown error's `name` (what the Lambda
 *   runtime reports as `errorType`) and `Cause` = the JSON string Lambda gives Step Functions
 *   (`{"errorType","errorMessage","trace"}`), so the ASL's Retry/Catch and the Fail state's
 *   `CausePath` see what they would see on AWS;
 * - handler input and output go through JSON, as a Lambda invocation's do;
 * - `$$.Execution.Id`/`Name`/`StartTime` and `$$.StateMachine` are set (the notifications read them).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';

/** The one ASL source (also deployed by serverless.yml). */
export const PROVISION_ASL_URL = new URL('../statemachines/provision.asl.json', import.meta.url);

/** Account and region of the stand-in ARNs (never called: every Task runs a local handler). */
const STAND_IN_ACCOUNT = '123456789012';
const STAND_IN_REGION = 'us-east-1';
const STATE_MACHINE_NAME = 'cdn-pipeline-local-provision';
const LAMBDA_SUFFIX = 'LambdaFunction';

/**
 * A task function as Step Functions invokes it: the Task's Parameters in, plain JSON out. The
 * second argument is a stand-in Lambda context, for handlers wrapped by middleware that reads it.
 */
export type TaskHandler = (input: never, context: Context) => unknown;

/**
 * Handlers by Task state name (`NotifyReady`), CloudFormation logical id
 * (`ProvisionNotifyLambdaFunction`), serverless function name (`provisionNotify`) or export name
 * (`notify`), looked up in that order. The export names make
 * `import * as handlers from '../functions/provision/handler.js'` usable as is.
 */
export type TaskHandlers = Readonly<Record<string, TaskHandler>>;

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface WorkflowError {
  readonly Error: string;
  readonly Cause: string;
}

export interface WorkflowEvent {
  readonly type:
    | 'ExecutionStarted'
    | 'StateEntered'
    | 'StateExited'
    | 'StateFailed'
    | 'StateRetried'
    | 'StateCaught'
    | 'ExecutionSucceeded'
    | 'ExecutionFailed'
    | 'ExecutionAborted'
    | 'ExecutionTimeout';
  /** Since the execution started. */
  readonly elapsedMs: number;
  readonly state?: string;
  readonly stateType?: string;
  /** StateExited: time spent in the state. */
  readonly durationMs?: number;
  /** StateExited: the state's output (the whole execution state after its ResultPath). */
  readonly output?: unknown;
  /** StateFailed / ExecutionFailed. */
  readonly error?: WorkflowError;
  /** StateRetried: which retry this is (1 = first retry). */
  readonly attempt?: number;
}

export interface RunProvisionWorkflowOptions {
  /** `{ spec, options?, stage? }`, as StartExecution would get it. */
  readonly input: unknown;
  readonly handlers: TaskHandlers;
  /** Replaces `$.validated.pollSeconds` in the wait loop (fractions allowed, e.g. 0.01). */
  readonly pollSecondsOverride?: number;
  /** Replaces every Retry pause (backoff and jitter) with this many milliseconds. */
  readonly retryIntervalMsOverride?: number;
  readonly onEvent?: (event: WorkflowEvent) => void;
  /** Aborting stops the execution (status ABORTED), like StopExecution. */
  readonly signal?: AbortSignal;
  /** Execution name (default: a UUID). */
  readonly name?: string;
}

export interface ProvisionWorkflowResult {
  readonly status: ExecutionStatus;
  readonly executionArn: string;
  readonly output?: unknown;
  readonly error?: WorkflowError;
  /** Billable state transitions: states entered plus retries (how Standard workflows are priced). */
  readonly transitions: number;
  readonly elapsedMs: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ── Promise.withResolvers (Node 22+; aws-local-stepfunctions calls it in every Task) ─────────

interface WithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

/** Installs `Promise.withResolvers` on Node 20, where it is missing. */
export function ensurePromiseWithResolvers(): void {
  const ctor = Promise as unknown as { withResolvers?: <T>() => WithResolvers<T> };
  if (typeof ctor.withResolvers === 'function') return;
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value<T>(): WithResolvers<T> {
      let resolve!: WithResolvers<T>['resolve'];
      let reject!: WithResolvers<T>['reject'];
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

// ── Definition: the deployed ASL with stand-in ARNs ─────────────────────────────────────────

export interface LocalTask {
  readonly state: string;
  readonly logicalId: string;
  /** `provisionValidate` */
  readonly functionName: string;
  /** `validate` */
  readonly exportName: string;
  readonly arn: string;
}

interface AslState {
  Type: string;
  Resource?: unknown;
  Retry?: unknown[];
  [key: string]: unknown;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** `ProvisionValidateLambdaFunction` → function `provisionValidate`, export `validate`. */
export function taskNames(logicalId: string): { functionName: string; exportName: string } {
  const base = logicalId.endsWith(LAMBDA_SUFFIX)
    ? logicalId.slice(0, -LAMBDA_SUFFIX.length)
    : logicalId;
  const functionName = lowerFirst(base);
  const exportName = lowerFirst(base.replace(/^Provision/, '')) || functionName;
  return { functionName, exportName };
}

function getAttTarget(resource: unknown): string | undefined {
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) return undefined;
  const getAtt = (resource as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && getAtt[1] === 'Arn') {
    return getAtt[0];
  }
  if (typeof getAtt === 'string' && getAtt.endsWith('.Arn')) return getAtt.slice(0, -4);
  return undefined;
}

/**
 * Reads the ASL and replaces each Task's `Fn::GetAtt` Resource with
 * `arn:aws:lambda:us-east-1:123456789012:function:<LogicalId>`.
 */
export function loadProvisionDefinition(url: URL = PROVISION_ASL_URL): {
  definition: StateMachineDefinition;
  tasks: LocalTask[];
} {
  const definition = JSON.parse(readFileSync(url, 'utf8')) as {
    States: Record<string, AslState>;
  };
  const tasks: LocalTask[] = [];
  for (const [state, body] of Object.entries(definition.States)) {
    if (body.Type !== 'Task') continue;
    const logicalId = getAttTarget(body.Resource);
    if (!logicalId) {
      throw new Error(
        `${url.pathname}: Task ${state} has Resource ${JSON.stringify(body.Resource)}; expected { "Fn::GetAtt": [<LogicalId>, "Arn"] }`,
      );
    }
    const arn = `arn:aws:lambda:${STAND_IN_REGION}:${STAND_IN_ACCOUNT}:function:${logicalId}`;
    body.Resource = arn;
    tasks.push({ state, logicalId, arn, ...taskNames(logicalId) });
  }
  return { definition: definition as unknown as StateMachineDefinition, tasks };
}

// ── Errors as Lambda reports them ───────────────────────────────────────────────────────────

/** A failed Task: `name` is what Retry/Catch match; `message` becomes the Catch's `Cause`. */
class LambdaTaskError extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

/** What a Lambda-invoked Task reports for a thrown value: errorType = the error's name. */
export function lambdaError(thrown: unknown): { errorType: string; cause: string } {
  const isError = thrown instanceof Error;
  const errorType = isError && thrown.name ? thrown.name : 'Error';
  const errorMessage = isError ? thrown.message : String(thrown);
  const trace = isError && thrown.stack ? thrown.stack.split('\n').map((l) => l.trim()) : [];
  return { errorType, cause: JSON.stringify({ errorType, errorMessage, trace }) };
}

/** A JSON round trip, as a Lambda payload makes: undefined → null, Dates → strings. */
function asPayload(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

function standInContext(task: LocalTask, deadline: number): Context {
  const requestId = randomUUID();
  const unsupported = () => {
    throw new Error('callback-style completion is not supported by the local runner');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: task.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: task.arn,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${task.functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** The function timeout serverless.yml gives the provisioning functions. */
const TASK_TIMEOUT_MS = 30_000;

function localHandler(task: LocalTask, handler: TaskHandler) {
  return async (input: Json): Promise<Json> => {
    const context = standInContext(task, Date.now() + TASK_TIMEOUT_MS);
    let output: unknown;
    try {
      output = await handler(asPayload(input) as never, context);
    } catch (thrown) {
      const { errorType, cause } = lambdaError(thrown);
      throw new LambdaTaskError(errorType, cause);
    }
    return asPayload(output);
  };
}

function resolveHandlers(tasks: readonly LocalTask[], handlers: TaskHandlers) {
  const resolved: Record<string, (input: Json) => Promise<Json>> = {};
  const missing: string[] = [];
  for (const task of tasks) {
    const handler =
      handlers[task.state] ??
      handlers[task.logicalId] ??
      handlers[task.functionName] ??
      handlers[task.exportName];
    if (typeof handler !== 'function') {
      missing.push(`${task.state} (${task.exportName} / ${task.logicalId})`);
      continue;
    }
    resolved[task.state] = localHandler(task, handler);
  }
  if (missing.length) {
    throw new Error(`runProvisionWorkflow: no local handler for ${missing.join(', ')}`);
  }
  return resolved;
}

// ── Run ─────────────────────────────────────────────────────────────────────────────────────

function errorOf(value: { Error: string; Cause: unknown }): WorkflowError {
  const cause = value.Cause;
  return {
    Error: value.Error,
    Cause: typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : '',
  };
}

/**
 * Runs the provisioning workflow locally and resolves when the execution ends (it never rejects
 * for a failed execution: see `status` and `error`).
 */
export async function runProvisionWorkflow(
  options: RunProvisionWorkflowOptions,
): Promise<ProvisionWorkflowResult> {
  ensurePromiseWithResolvers();
  const { definition, tasks } = loadProvisionDefinition();
  const taskResourceLocalHandlers = resolveHandlers(tasks, options.handlers);

  const states = definition.States as Record<string, AslState>;
  const waitTimeOverrides: Record<string, number> = {};
  if (options.pollSecondsOverride !== undefined) {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait') waitTimeOverrides[name] = options.pollSecondsOverride * 1000;
    }
  }
  const retryIntervalOverrides: Record<string, number> = {};
  if (options.retryIntervalMsOverride !== undefined) {
    for (const [name, state] of Object.entries(states)) {
      if (state.Retry) retryIntervalOverrides[name] = options.retryIntervalMsOverride;
    }
  }

  const name = options.name ?? randomUUID();
  const stateMachineArn = `arn:aws:states:${STAND_IN_REGION}:${STAND_IN_ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}`;
  const executionArn = `arn:aws:states:${STAND_IN_REGION}:${STAND_IN_ACCOUNT}:execution:${STATE_MACHINE_NAME}:${name}`;

  const machine = new StateMachine(definition);
  const started = Date.now();
  const execution = machine.run(options.input as Json, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: {
      Execution: { Id: executionArn, Name: name },
      StateMachine: { Id: stateMachineArn, Name: STATE_MACHINE_NAME },
    },
  });

  const onAbort = () => execution.abort();
  if (options.signal?.aborted) execution.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let transitions = 0;
  const enteredAt = new Map<string, number>();
  const emit = (event: WorkflowEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A progress printer must not break the execution.
    }
  };
  const consume = (async () => {
    for await (const e of execution.eventLogs) {
      const elapsedMs = e.timestamp - started;
      switch (e.type) {
        case 'StateEntered':
          transitions++;
          enteredAt.set(e.state.name, e.timestamp);
          emit({ type: e.type, elapsedMs, state: e.state.name, stateType: e.state.type });
          break;
        case 'StateExited': {
          const since = enteredAt.get(e.state.name);
          emit({
            type: e.type,
            elapsedMs,
            state: e.state.name,
            stateType: e.state.type,
            durationMs: since === undefined ? undefined : e.timestamp - since,
            output: e.state.output,
          });
          break;
        }
        case 'StateRetried':
          transitions++;
          emit({
            type: e.type,
            elapsedMs,
            state: e.state.name,
            stateType: e.state.type,
            attempt: e.retry.attempt,
          });
          break;
        case 'StateFailed':
          emit({
            type: e.type,
            elapsedMs,
            state: e.state.name,
            stateType: e.state.type,
            error: errorOf(e),
          });
          break;
        case 'StateCaught':
          emit({ type: e.type, elapsedMs, state: e.state.name, stateType: e.state.type });
          break;
        case 'ExecutionFailed':
          emit({ type: e.type, elapsedMs, error: errorOf(e) });
          break;
        case 'ExecutionStarted':
        case 'ExecutionSucceeded':
        case 'ExecutionAborted':
        case 'ExecutionTimeout':
          emit({ type: e.type, elapsedMs });
          break;
        default:
          // Map and Parallel events: the provisioning workflow has neither.
          break;
      }
    }
  })();

  let status: ExecutionStatus;
  let output: unknown;
  let error: WorkflowError | undefined;
  try {
    output = await execution.result;
    status = 'SUCCEEDED';
  } catch (thrown) {
    if (thrown instanceof ExecutionAbortedError) {
      status = 'ABORTED';
    } else if (thrown instanceof ExecutionTimeoutError) {
      status = 'TIMED_OUT';
      error = { Error: 'States.Timeout', Cause: 'The execution ran longer than TimeoutSeconds' };
    } else if (thrown instanceof ExecutionError && thrown.cause instanceof Error) {
      status = 'FAILED';
      error = { Error: thrown.cause.name, Cause: thrown.cause.message };
    } else {
      throw thrown;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  await consume;
  return {
    status,
    executionArn,
    ...(output !== undefined ? { output } : {}),
    ...(error ? { error } : {}),
    transitions,
    elapsedMs: Date.now() - started,
  };
}
