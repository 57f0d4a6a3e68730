/**
 * Progress of a provisioning run, from either source: the local runner's `WorkflowEvent`s or a
 * deployed execution's history. Both are reduced to {@link StepEvent}s, which a
 * {@link RunObserver} prints (one line per task state, one per deployment poll) and remembers
 * what the end of the run needs: the failing step and what EnsureDistribution did. Deployed runs
 * are watched in `executionHistory.ts`.
 */
import type { WorkflowEvent } from '../local/stepfunctions.js';
import { formatStopwatch } from '../shared/text/durations.js';

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

export function record(value: unknown): Record<string, unknown> | undefined {
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
