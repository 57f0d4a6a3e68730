/**
 * Threshold alarms with hysteresis, the pure rule: per (distribution, metric), OK → ALARM after
 * K consecutive breaching checks, ALARM → OK after K consecutive clean checks, one mail per
 * transition. Every state carries a `version` and `lastPeriodEnd`, the end of the last window it
 * counted: an observation of a window already counted (or an older one) never counts twice.
 *
 * Missing data moves no threshold counter (no false alarm, no false recovery), but an alarm must
 * not stay raised forever when the data never returns: while in ALARM, consecutive windows
 * without data are counted (`noData`, reset by any real observation), and after `staleAfter` of
 * them the alarm is closed without a verdict (transition `stale`). An alarm of a distribution
 * the check no longer finds (deleted, untagged, removed from the explicit list) is closed by
 * `unmonitoredState` (transition `unmonitored`). `alarmState.ts` keeps the states in DynamoDB
 * and applies these rules with conditional writes.
 */

/** The metrics with thresholds, how they breach, and how they read in a mail. */
export const ALARM_METRICS = {
  hitRate: { label: 'hit rate', unit: '%', breachesWhen: 'below' },
  errorRate5xx: { label: '5xx error rate', unit: '%', breachesWhen: 'above' },
  errorRate4xx: { label: '4xx error rate', unit: '%', breachesWhen: 'above' },
  originLatencyMs: { label: 'origin latency', unit: 'ms', breachesWhen: 'above' },
} as const;
export type AlarmMetric = keyof typeof ALARM_METRICS;
export const ALARM_METRIC_NAMES = Object.keys(ALARM_METRICS) as AlarmMetric[];

export const ALARM_STATUSES = ['OK', 'ALARM'] as const;
export type AlarmStatus = (typeof ALARM_STATUSES)[number];
/** Threshold transitions: the condition held for K checks. */
export type ThresholdTransition = 'alarm' | 'recovered';
/**
 * `stale`: ALARM → OK after `staleAfter` consecutive checks without data; `unmonitored`:
 * ALARM → OK because the distribution is no longer checked. Both close without a verdict.
 */
export type Transition = ThresholdTransition | 'stale' | 'unmonitored';

/**
 * One alarm's state. `M` is what the alarm watches: the report's threshold metrics by default;
 * the scheduled health check keeps its own (functions/health/scheduled.ts) in the same table.
 */
export interface AlarmState<M extends string = AlarmMetric> {
  readonly distributionId: string;
  readonly metric: M;
  readonly state: AlarmStatus;
  /** Consecutive breaching checks (0 after a clean one). */
  readonly breaches: number;
  /** Consecutive clean checks (0 after a breaching one). */
  readonly clean: number;
  /** Consecutive checks without data while in ALARM (0 after a real observation, and in OK). */
  readonly noData: number;
  readonly lastValue: number | undefined;
  /** ISO time of the last check that counted. */
  readonly lastChecked: string | undefined;
  /** ISO end of the last window that counted: older or equal windows are ignored. */
  readonly lastPeriodEnd: string | undefined;
  /** ISO time the current state began (the end of the window that caused the transition). */
  readonly since: string | undefined;
  /** Optimistic-concurrency version: 0 = never written. */
  readonly version: number;
}

export interface Observation {
  /** undefined: could not read, too little traffic, or metric unavailable: nothing is counted. */
  readonly breaching: boolean | undefined;
  readonly value: number | undefined;
  /** End of the window the value describes. */
  readonly periodEnd: Date | string;
  /** When the check ran; defaults to `periodEnd`. */
  readonly checkedAt?: Date | string;
}

export interface Hysteresis {
  readonly alarmAfter: number;
  readonly recoverAfter: number;
  /** Consecutive no-data checks before ALARM → OK (`stale`); 0 or absent: never. */
  readonly staleAfter?: number;
}

export interface NextState<M extends string = AlarmMetric> {
  readonly next: AlarmState<M>;
  readonly transition: Transition | undefined;
  /** Why the observation changed nothing (then `next === prev`). */
  readonly ignored?: 'no-data' | 'period-already-counted';
}

export function initialAlarmState<M extends string>(
  distributionId: string,
  metric: M,
): AlarmState<M> {
  return {
    distributionId,
    metric,
    state: 'OK',
    breaches: 0,
    clean: 0,
    noData: 0,
    lastValue: undefined,
    lastChecked: undefined,
    lastPeriodEnd: undefined,
    since: undefined,
    version: 0,
  };
}

const iso = (t: Date | string): string => (typeof t === 'string' ? new Date(t) : t).toISOString();

/**
 * The pure hysteresis rule. An observation of a window at or before `lastPeriodEnd` returns
 * `prev` itself. One whose `breaching` is undefined moves no threshold counter, so missing data
 * can raise no alarm and recover none: in OK (or with `staleAfter` 0) it returns `prev` itself;
 * in ALARM it counts one more window without data (and records the window, so it is counted
 * once), and the `staleAfter`-th in a row closes the alarm without a verdict (`stale`: OK, all
 * counters 0: data that returns must breach K times again to raise a new alarm). Any real
 * observation resets `noData`. `k` is one K for both directions, or each on its own.
 */
export function nextState<M extends string>(
  prev: AlarmState<M>,
  observation: Observation,
  k: number | Hysteresis,
): NextState<M> {
  const {
    alarmAfter,
    recoverAfter,
    staleAfter = 0,
  } = typeof k === 'number' ? { alarmAfter: k, recoverAfter: k } : k;
  const periodEnd = iso(observation.periodEnd);
  if (prev.lastPeriodEnd !== undefined && Date.parse(periodEnd) <= Date.parse(prev.lastPeriodEnd))
    return { next: prev, transition: undefined, ignored: 'period-already-counted' };
  const checked = {
    lastChecked: iso(observation.checkedAt ?? observation.periodEnd),
    lastPeriodEnd: periodEnd,
    version: prev.version + 1,
  };
  if (observation.breaching === undefined) {
    if (prev.state !== 'ALARM' || staleAfter <= 0)
      return { next: prev, transition: undefined, ignored: 'no-data' };
    const noData = prev.noData + 1;
    if (noData < staleAfter)
      return { next: { ...prev, noData, ...checked }, transition: undefined };
    return {
      next: {
        ...prev,
        state: 'OK',
        since: periodEnd,
        breaches: 0,
        clean: 0,
        noData: 0,
        ...checked,
      },
      transition: 'stale',
    };
  }

  const breaches = observation.breaching ? prev.breaches + 1 : 0;
  const clean = observation.breaching ? 0 : prev.clean + 1;
  let transition: ThresholdTransition | undefined;
  if (prev.state === 'OK' && breaches >= alarmAfter) transition = 'alarm';
  else if (prev.state === 'ALARM' && clean >= recoverAfter) transition = 'recovered';
  return {
    next: {
      ...prev,
      state: transition === 'alarm' ? 'ALARM' : transition === 'recovered' ? 'OK' : prev.state,
      since: transition ? periodEnd : prev.since,
      breaches,
      clean,
      noData: 0,
      lastValue: observation.value,
      ...checked,
    },
    transition,
  };
}

/**
 * The pure rule for a distribution the check no longer finds: an ALARM closes without a verdict
 * (`unmonitored`: OK, counters 0, `since` = `at`); anything else is left as it is (`prev`).
 * `lastPeriodEnd` is kept: should the distribution come back, its windows count as before.
 */
export function unmonitoredState<M extends string>(
  prev: AlarmState<M>,
  at: Date | string,
): NextState<M> {
  if (prev.state !== 'ALARM') return { next: prev, transition: undefined };
  return {
    next: {
      ...prev,
      state: 'OK',
      since: iso(at),
      breaches: 0,
      clean: 0,
      noData: 0,
      lastChecked: iso(at),
      version: prev.version + 1,
    },
    transition: 'unmonitored',
  };
}

/**
 * What is stored when the announcement of `prev → next` failed: the transition is taken back so
 * the next check retries it. A threshold transition keeps this check's counters (≥ K: the next
 * check that sees the condition persist makes it again); `stale` keeps the no-data count (the
 * next window without data closes it again); `unmonitored` restores `prev` (the next check that
 * still does not find the distribution closes it again). Always one version above `next`.
 */
export function takenBack<M extends string>(
  prev: AlarmState<M>,
  next: AlarmState<M>,
  transition: Transition,
): AlarmState<M> {
  const version = next.version + 1;
  switch (transition) {
    case 'alarm':
    case 'recovered':
      return { ...next, state: prev.state, since: prev.since, version };
    case 'stale':
      return {
        ...next,
        state: prev.state,
        since: prev.since,
        breaches: prev.breaches,
        clean: prev.clean,
        noData: prev.noData + 1,
        version,
      };
    case 'unmonitored':
      return { ...prev, version };
  }
}
