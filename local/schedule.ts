/**
 * LOCAL ONLY. What EventBridge's `rate()` schedules do for `npm start`: run a job every
 * `everyMs`, never two runs of it at once (a run that overruns delays the next one instead of
 * overlapping it), errors handed to `onError` and the schedule carried on. `stop()` clears the
 * timer and waits for a run in progress, so nothing runs against an emulator being stopped.
 * The timer is unref'd: a schedule alone never keeps the process alive.
 */
export interface ScheduleOptions {
  readonly everyMs: number;
  /** `time` is when the run was due (the scheduled time, as EventBridge sends it). */
  readonly job: (time: Date) => Promise<void>;
  readonly onError: (error: unknown) => void;
  /** Run once right away, then every `everyMs` (default: first run after `everyMs`). */
  readonly runAtStart?: boolean;
}

export interface Schedule {
  stop(): Promise<void>;
}

export function startSchedule(options: ScheduleOptions): Schedule {
  const { everyMs, job, onError } = options;
  if (!Number.isFinite(everyMs) || everyMs <= 0) {
    throw new RangeError(`everyMs: must be above 0 (got ${everyMs})`);
  }
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let due = Date.now() + (options.runAtStart ? 0 : everyMs);

  const run = async () => {
    const time = new Date(due);
    try {
      await job(time);
    } catch (error) {
      onError(error);
    }
  };
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(tick, Math.max(0, due - Date.now()));
    timer.unref();
  };
  const tick = () => {
    running = run().finally(() => {
      running = undefined;
      // Missed slots (a run longer than the interval) are skipped, not caught up.
      const now = Date.now();
      do due += everyMs;
      while (due <= now);
      arm();
    });
  };
  arm();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
