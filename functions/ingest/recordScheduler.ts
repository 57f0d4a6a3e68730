/**
 * Runs the records of one ingest invocation concurrently, at most `concurrency` at a time, and
 * the records of one key one after another, in the order they were scheduled (the batch's order):
 * two events for the same object never tag it or read its history at the same time, and each
 * keeps its own outcome (a failed one does not stop the next).
 */

export interface RecordScheduler {
  /** Runs `task` once a slot is free and every earlier task of `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Tasks scheduled and not settled yet (waiting or running). */
  readonly unsettled: number;
}

export interface RecordSchedulerOptions {
  /** Most tasks running at once (≥ 1). */
  readonly concurrency: number;
  /** Called after each task settles (its caller's continuation has not run yet). */
  readonly onSettled?: () => void;
}

export function createRecordScheduler(options: RecordSchedulerOptions): RecordScheduler {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  let running = 0;
  let unsettled = 0;
  const waiting: Array<() => void> = [];
  /** The last task of each key (settled or not): the next one of the key waits for it. */
  const tails = new Map<string, Promise<unknown>>();

  const acquire = (): Promise<void> => {
    if (running < concurrency) {
      running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };

  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      unsettled += 1;
      const before = tails.get(key);
      const result = (before ? before.then(acquire, acquire) : acquire()).then(async () => {
        try {
          return await task();
        } finally {
          release();
          unsettled -= 1;
          options.onSettled?.();
        }
      });
      tails.set(key, result);
      // The key's chain is forgotten once its last task settles (success or failure alike).
      const forget = () => {
        if (tails.get(key) === result) tails.delete(key);
      };
      result.then(forget, forget);
      return result;
    },
    get unsettled() {
      return unsettled;
    },
  };
}
