/**
 * Progress of a provisioning run, from either source: the local runner's `WorkflowEvent`s or a
 * deployed execution's history. Both are reduced to {@link StepEvent}s, which a
 * {@link RunObserver} prints (one line per task state, one per deployment poll) and remembers
 * what the end of the run needs: the failing step and what EnsureDistribution did. Deployed runs
 * are watched with DescribeExecution and GetExecutionHistory ({@link watchExecution}).
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { awsErrorName } from '../functions/provision/errors.js';
import { formatStopwatch } from '../shared/text/durations.js';
import type { WorkflowEvent } from '../local/stepfunctions.js';

/** One state-level fact about a run, whatever ran it. */
export interface StepEvent {
  readonly type: 'entered' | 'exited' | 'retried' | 'failed';
  readonly state: string;
  /** Task, Pass, Choice, Wait, Fail, Succeed. */
  readonly stateType: string;
  /** Since the execution started. */
  readonly elapsedMs: number;
  /** exited: the state's output (the whole execution state). */
  readonly output?: unknown;
  /** failed: the error name a task raised. */
  readonly error?: string;
  /** retried: 1 for the first retry. */
  readonly attempt?: number;
}

/** What EnsureDistribution reported (`$.distribution`). */
export interface DistributionOutcome {
  readonly distributionId?: string;
  readonly domainName?: string;
  readonly action?: string;
  readonly changes?: readonly string[];
}

/** Where progress goes: whole lines, and (on a terminal) one line rewritten in place. */
export interface ProgressSink {
  line(text: string): void;
  status?(text: string): void;
  /** Ends a status line left open. */
  end?(): void;
}

// ── Output streams ──────────────────────────────────────────────────────────────────────────

/** Where a command's output goes. */
export interface Printer {
  /** --json: only the final object goes to stdout. */
  readonly json: boolean;
  /** Normal output: stdout. */
  out(text: string): void;
  /** The final JSON object, on stdout. */
  result(value: Record<string, unknown>): void;
  /** Problems: stderr. */
  err(text: string): void;
  progress: ProgressSink;
}

function terminalSink(stream: NodeJS.WriteStream): ProgressSink {
  let open = false;
  return {
    line(text) {
      stream.write(`${open ? '\n' : ''}${text}\n`);
      open = false;
    },
    status(text) {
      stream.write(`\r\u001b[2K${text}`);
      open = true;
    },
    end() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}

/** stdout for people; with --json only the final object goes there and progress to stderr. */
export function printer(json: boolean): Printer {
  const stream = json ? process.stderr : process.stdout;
  const plain = (text: string) => (json ? console.error(text) : console.log(text));
  return {
    json,
    out: (text) => console.log(text),
    result: (value) => console.log(JSON.stringify(value, null, 2)),
    err: (text) => console.error(text),
    progress: stream.isTTY ? terminalSink(stream) : { line: plain },
  };
}

/** The state the workflow's wait loop polls in; its output carries `$.wait`. */
const POLL_STATE = 'CheckDeployment';
const DISTRIBUTION_STATE = 'EnsureDistribution';
/** The Fail state the wait loop ends in when the distribution is still deploying. */
const TIMED_OUT_STATE = 'DeploymentTimedOut';
/** Pass states `<Task>Failed` record which task failed (`$.failedState`). */
const FAILED_SUFFIX = 'Failed';
const FINAL_FAIL_STATE = 'ProvisioningFailed';

/** `900` → `0.9s`, `75_000` → `1m15s`. */
export const formatElapsed = formatStopwatch;

/** Label/value rows with the values lined up. */
export function fields(rows: ReadonlyArray<readonly [string, string]>, indent = '  '): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`).join('\n');
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Prints a run's progress and keeps what its summary needs. */
export class RunObserver {
  /** The task that failed, from the `<Task>Failed` state the workflow entered. */
  failedStep: string | undefined;
  /** The last error a task raised (before a Catch sent it on). */
  lastTaskError: string | undefined;
  distribution: DistributionOutcome | undefined;
  private readonly printed = new Set<string>();

  constructor(private readonly sink: ProgressSink) {}

  observe(event: StepEvent): void {
    switch (event.type) {
      case 'entered':
        this.entered(event);
        break;
      case 'exited':
        this.exited(event);
        break;
      case 'retried':
        this.sink.line(
          `${pad(event.elapsedMs)}    retrying ${event.state} (retry ${event.attempt ?? 1}${this.lastTaskError ? ` after ${this.lastTaskError}` : ''})`,
        );
        break;
      case 'failed':
        this.lastTaskError = event.error;
        break;
    }
  }

  private entered(event: StepEvent): void {
    if (event.stateType === 'Task' && !this.printed.has(event.state)) {
      this.printed.add(event.state);
      this.sink.line(`${pad(event.elapsedMs)}  ${event.state}`);
    }
    if (event.state === TIMED_OUT_STATE) this.failedStep = POLL_STATE;
    else if (
      event.stateType === 'Pass' &&
      event.state.endsWith(FAILED_SUFFIX) &&
      event.state !== FINAL_FAIL_STATE
    ) {
      this.failedStep = event.state.slice(0, -FAILED_SUFFIX.length);
      this.sink.line(
        `${pad(event.elapsedMs)}  ✗ ${this.failedStep} failed${this.lastTaskError ? `: ${this.lastTaskError}` : ''}`,
      );
    }
  }

  private exited(event: StepEvent): void {
    const output = record(event.output);
    if (event.state === DISTRIBUTION_STATE) {
      const d = record(output?.distribution) as DistributionOutcome | undefined;
      if (d?.distributionId) {
        this.distribution = d;
        this.sink.line(
          `${pad(event.elapsedMs)}    ${d.action ?? 'found'} ${d.distributionId} (${d.domainName ?? ''})`,
        );
      }
    }
    if (event.state === POLL_STATE) {
      const wait = record(output?.wait);
      if (wait && typeof wait.status === 'string') {
        const text = `${pad(event.elapsedMs)}    ${wait.status} (poll ${String(wait.polls)} of ${String(wait.maxPolls)})`;
        // On a terminal the polls rewrite one line; the next state's line keeps the last.
        if (this.sink.status) this.sink.status(text);
        else this.sink.line(text);
      }
    }
  }
}

function pad(ms: number): string {
  return formatElapsed(ms).padStart(7);
}

// ── Local runs ──────────────────────────────────────────────────────────────────────────────

/** A local runner event as a {@link StepEvent} (execution-level events give none). */
export function fromWorkflowEvent(event: WorkflowEvent): StepEvent | undefined {
  if (!event.state) return undefined;
  const base = { state: event.state, stateType: event.stateType ?? '', elapsedMs: event.elapsedMs };
  switch (event.type) {
    case 'StateEntered':
      return { type: 'entered', ...base };
    case 'StateExited':
      return { type: 'exited', ...base, output: event.output };
    case 'StateRetried':
      return { type: 'retried', ...base, attempt: event.attempt ?? 1 };
    case 'StateFailed':
      return event.stateType === 'Task' && event.error
        ? { type: 'failed', ...base, error: event.error.Error }
        : undefined;
    default:
      return undefined;
  }
}

// ── Deployed runs ───────────────────────────────────────────────────────────────────────────

const ENTERED = /^(\w+)StateEntered$/;
const EXITED = /^(\w+)StateExited$/;

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Turns a deployed execution's history (read in order, a page at a time) into
 * {@link StepEvent}s. A task scheduled again within the same state is a retry.
 */
export class HistoryTranslator {
  private current = { state: '', stateType: '', scheduled: 0 };

  constructor(private readonly startedAt: Date) {}

  translate(event: HistoryEvent): StepEvent | undefined {
    const type = event.type ?? '';
    const elapsedMs = Math.max(0, (event.timestamp?.getTime() ?? 0) - this.startedAt.getTime());
    const entered = ENTERED.exec(type);
    if (entered && event.stateEnteredEventDetails?.name) {
      this.current = {
        state: event.stateEnteredEventDetails.name,
        stateType: entered[1]!,
        scheduled: 0,
      };
      return { type: 'entered', state: this.current.state, stateType: entered[1]!, elapsedMs };
    }
    const exited = EXITED.exec(type);
    if (exited && event.stateExitedEventDetails?.name) {
      return {
        type: 'exited',
        state: event.stateExitedEventDetails.name,
        stateType: exited[1]!,
        elapsedMs,
        output: parseJson(event.stateExitedEventDetails.output),
      };
    }
    const here = { state: this.current.state, stateType: this.current.stateType, elapsedMs };
    if (type === 'LambdaFunctionScheduled' || type === 'TaskScheduled') {
      this.current.scheduled++;
      return this.current.scheduled > 1
        ? { type: 'retried', ...here, attempt: this.current.scheduled - 1 }
        : undefined;
    }
    const failure =
      event.lambdaFunctionFailedEventDetails ??
      event.lambdaFunctionTimedOutEventDetails ??
      event.taskFailedEventDetails ??
      event.taskTimedOutEventDetails;
    if (failure) return { type: 'failed', ...here, error: failure.error ?? type };
    return undefined;
  }
}

/**
 * The message a person can act on inside a Step Functions `Cause`: a Lambda task's cause is the
 * JSON `{"errorType","errorMessage","trace"}`; a Fail state's is plain text.
 */
export function causeMessage(cause: string | undefined): string {
  const parsed = record(parseJson(cause));
  return typeof parsed?.errorMessage === 'string' ? parsed.errorMessage : (cause ?? '');
}

/** Reads an execution's history in order, returning only events not seen before. */
class HistoryReader {
  /** The token of the page that held the newest events (undefined: the first page). */
  private pageToken: string | undefined;
  private lastId = 0;

  constructor(
    private readonly sfn: SFNClient,
    private readonly executionArn: string,
  ) {}

  async next(): Promise<HistoryEvent[]> {
    const fresh: HistoryEvent[] = [];
    let token = this.pageToken;
    for (;;) {
      const page = await this.page(token);
      for (const event of page.events ?? []) {
        if ((event.id ?? 0) > this.lastId) {
          fresh.push(event);
          this.lastId = event.id ?? this.lastId;
        }
      }
      if (!page.nextToken) break;
      token = page.nextToken;
    }
    this.pageToken = token;
    return fresh;
  }

  private async page(token: string | undefined) {
    const read = (nextToken: string | undefined) =>
      this.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn: this.executionArn,
          reverseOrder: false,
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
    try {
      return await read(token);
    } catch (error) {
      // A token kept across polls can expire; the ids skip what was already seen.
      if (token && awsErrorName(error) === 'InvalidToken') return read(undefined);
      throw error;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STILL_RUNNING = new Set(['RUNNING', 'PENDING_REDRIVE']);

/**
 * Watches a deployed execution until it ends: DescribeExecution every `intervalMs`, and the
 * history events new since the last look, each passed to the observer.
 */
export async function watchExecution(
  sfn: SFNClient,
  executionArn: string,
  startedAt: Date,
  observer: RunObserver,
  intervalMs: number,
): Promise<DescribeExecutionCommandOutput> {
  const history = new HistoryReader(sfn, executionArn);
  const translator = new HistoryTranslator(startedAt);
  for (;;) {
    // Described first: once it has ended, the history read next holds every event.
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    for (const event of await history.next()) {
      const step = translator.translate(event);
      if (step) observer.observe(step);
    }
    if (!STILL_RUNNING.has(described.status ?? '')) return described;
    await sleep(intervalMs);
  }
}
