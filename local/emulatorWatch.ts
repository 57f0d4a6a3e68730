/**
 * LOCAL ONLY. Notices that the emulator under `npm start` is gone, and says what went with it.
 * An emulator started here is watched through its process (its exit is known at once); a reused
 * one through a probe every second, declared gone after a few connection refusals in a row
 * (nothing listens on its port: not a slow answer under load, which is never taken for death).
 * Meanwhile it keeps the last queue depths it read, so the loss can be told in numbers: moto
 * holds everything in memory, and a dead one takes the bucket, the queues and the distribution.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStack } from './bootstrap.js';
import type { Emulator } from './emulator.js';
import { queueDepth } from './queues.js';

/** The pipeline's queues as last read while the emulator answered. */
export interface Backlog {
  /** Object events waiting or in flight: uploads not yet ingested. */
  readonly objectEvents: number;
  /** Invalidation requests waiting or in flight: overwrites not yet invalidated. */
  readonly invalidationRequests: number;
  readonly at: Date;
}

export interface EmulatorLoss {
  readonly endpoint: string;
  readonly pid?: number;
  readonly owned: boolean;
  /** `exited (signal SIGKILL)`, `refused 3 connections in a row`. */
  readonly how: string;
  readonly backlog?: Backlog;
  /** Records in the batches the pollers were handling. */
  readonly recordsInFlight: number;
}

export interface EmulatorWatchOptions {
  readonly emulator: Emulator;
  readonly sampleBacklog: () => Promise<Backlog>;
  readonly recordsInFlight: () => number;
  readonly onLost: (loss: EmulatorLoss) => void;
  /** Default 1 000. */
  readonly everyMs?: number;
  /** Refusals in a row that make a reused emulator gone. Default 3. */
  readonly refusals?: number;
}

export interface EmulatorWatch {
  /** A caller saw a refused connection (a poller): probe now rather than at the next tick. */
  noteRefused(): void;
  stop(): void;
}

/** `refused`: nothing listens; `up`: it answered; `unknown`: a timeout or another error. */
async function probe(endpoint: string): Promise<'up' | 'refused' | 'unknown'> {
  try {
    const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return 'up';
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code === 'ECONNREFUSED' ? 'refused' : 'unknown';
  }
}

export function watchEmulator(options: EmulatorWatchOptions): EmulatorWatch {
  const { emulator } = options;
  const limit = options.refusals ?? 3;
  let backlog: Backlog | undefined;
  let refused = 0;
  let done = false;
  let probing = false;

  const lost = (how: string) => {
    if (done) return;
    done = true;
    clearInterval(timer);
    options.onLost({
      endpoint: emulator.endpoint,
      ...(emulator.pid ? { pid: emulator.pid } : {}),
      owned: emulator.owned,
      how,
      ...(backlog ? { backlog } : {}),
      recordsInFlight: options.recordsInFlight(),
    });
  };

  const check = async () => {
    if (done || probing) return;
    probing = true;
    try {
      const state = await probe(emulator.endpoint);
      if (done) return;
      if (state === 'refused') {
        refused += 1;
        if (refused >= limit) lost(`refused ${refused} connections in a row`);
        return;
      }
      refused = 0;
      if (state === 'up') backlog = await options.sampleBacklog().catch(() => backlog);
    } finally {
      probing = false;
    }
  };

  void emulator.exited?.then((how) => lost(`exited (${how})`));
  const timer = setInterval(() => void check(), options.everyMs ?? 1_000);
  timer.unref();
  void check();
  return {
    noteRefused: () => void check(),
    stop: () => {
      done = true;
      clearInterval(timer);
    },
  };
}

/** One message for the console: what stopped, what was lost, what npm start does now. */
export function describeLoss(loss: EmulatorLoss): string {
  const who = `the emulator at ${loss.endpoint}${loss.pid ? ` (moto, pid ${loss.pid})` : ''}`;
  const lostParts: string[] = [];
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  if (loss.backlog) {
    const b = loss.backlog;
    const handled = loss.recordsInFlight
      ? `, ${loss.recordsInFlight} of them in batches being handled`
      : '';
    lostParts.push(
      `${n(b.objectEvents, 'upload', 'uploads')} not yet ingested and ` +
        `${n(b.invalidationRequests, 'invalidation request', 'invalidation requests')} not yet ` +
        `sent (queue depths at ${b.at.toISOString().slice(11, 19)} UTC${handled})`,
    );
  } else if (loss.recordsInFlight) {
    lostParts.push(`${n(loss.recordsInFlight, 'message', 'messages')} in batches being handled`);
  }
  return (
    `${who} ${loss.how}: everything it held is gone (the bucket's objects, the queues, the ` +
    `distribution)${lostParts.length ? `; lost: ${lostParts.join(', ')}` : ''}. npm start ` +
    'stops; run it again for a fresh emulator (uploads made meanwhile must be made again).'
  );
}

/** The watch of a stage's emulator, reading the depths of its two queues. */
export function watchStageEmulator(
  emulator: Emulator,
  sqs: SQSClient,
  stack: Pick<LocalStack, 'objectEvents' | 'invalidationRequests'>,
  options: Pick<EmulatorWatchOptions, 'recordsInFlight' | 'onLost' | 'everyMs' | 'refusals'>,
): EmulatorWatch {
  return watchEmulator({
    emulator,
    sampleBacklog: async () => {
      const [objectEvents, invalidationRequests] = await Promise.all([
        queueDepth(sqs, stack.objectEvents.url),
        queueDepth(sqs, stack.invalidationRequests.url),
      ]);
      return { objectEvents, invalidationRequests, at: new Date() };
    },
    ...options,
  });
}
