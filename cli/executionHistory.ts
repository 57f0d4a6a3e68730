/**
 * Progress of a deployed provisioning run: DescribeExecution until it ends, and the history
 * events new since the last look (read in order, a page at a time), each turned into a
 * {@link StepEvent} for the {@link RunObserver}; and the person-readable part of a `Cause`.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { awsErrorName } from '../functions/provision/errors.js';
import { record, type RunObserver, type StepEvent } from './progress.js';

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
