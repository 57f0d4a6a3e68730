/**
 * Threshold alarms with hysteresis: per (distribution, metric), OK → ALARM after K consecutive
 * breaching checks, ALARM → OK after K consecutive clean checks, one mail per transition.
 *
 * Where the state lives, and why DynamoDB: the check runs on a schedule in a Lambda, so the state
 * must outlive the instance (cold starts, several instances) — memory is out. It is a handful of
 * small items per distribution, read and written once per check: a PAY_PER_REQUEST table costs
 * cents a month, needs no VPC or connection, and its conditional writes give optimistic
 * concurrency: every item carries a `version`, a write is accepted only if the version is still
 * the one read, so two runs at once (a scheduled check and a manual one, or a retried invocation)
 * cannot both count or both announce. The loser re-reads and re-applies its observation, which is
 * then usually ignored, because every item also keeps `lastPeriodEnd`, the end of the last
 * window it counted: an observation of a window already counted (or an older one) never counts
 * twice.
 *
 * Missing data moves no threshold counter (no false alarm, no false recovery), but an alarm must
 * not stay raised forever when the data never returns: while in ALARM, consecutive windows
 * without data are counted (`noData`, reset by any real observation), and after `staleAfter` of
 * them the alarm is closed without a verdict (transition `stale`). An alarm of a distribution
 * the check no longer finds (deleted, untagged, removed from the explicit list) is closed by
 * `unmonitoredState` (transition `unmonitored`). Both go through the same conditional write and
 * announcement as the threshold transitions. (SSM parameters and S3 objects have no conditional update on a version we control;
 * CloudWatch alarms cannot compute request-weighted ratios and are not evaluated locally.)
 *
 * `nextState` is the pure rule; the rest reads and writes the table.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

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

export interface AlarmState {
  readonly distributionId: string;
  readonly metric: AlarmMetric;
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

export interface NextState {
  readonly next: AlarmState;
  readonly transition: Transition | undefined;
  /** Why the observation changed nothing (then `next === prev`). */
  readonly ignored?: 'no-data' | 'period-already-counted';
}

export function initialAlarmState(distributionId: string, metric: AlarmMetric): AlarmState {
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
export function nextState(
  prev: AlarmState,
  observation: Observation,
  k: number | Hysteresis,
): NextState {
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
export function unmonitoredState(prev: AlarmState, at: Date | string): NextState {
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
export function takenBack(prev: AlarmState, next: AlarmState, transition: Transition): AlarmState {
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

// ── DynamoDB ─────────────────────────────────────────────────────────────────────────────
// Table: pk `distributionId` (S), sk `metric` (S). Plain attributes, no document client.

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

function toItem(state: AlarmState): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    distributionId: S(state.distributionId),
    metric: S(state.metric),
    state: S(state.state),
    breaches: N(state.breaches),
    clean: N(state.clean),
    noData: N(state.noData),
    version: N(state.version),
  };
  if (state.lastValue !== undefined && Number.isFinite(state.lastValue))
    item.lastValue = N(state.lastValue);
  if (state.lastChecked) item.lastChecked = S(state.lastChecked);
  if (state.lastPeriodEnd) item.lastPeriodEnd = S(state.lastPeriodEnd);
  if (state.since) item.since = S(state.since);
  return item;
}

function fromItem(item: Record<string, AttributeValue>): AlarmState | undefined {
  const metric = item.metric?.S;
  const distributionId = item.distributionId?.S;
  if (!distributionId || !metric || !(metric in ALARM_METRICS)) return undefined;
  const num = (v: AttributeValue | undefined) => (v?.N === undefined ? undefined : Number(v.N));
  return {
    distributionId,
    metric: metric as AlarmMetric,
    state: item.state?.S === 'ALARM' ? 'ALARM' : 'OK',
    breaches: num(item.breaches) ?? 0,
    clean: num(item.clean) ?? 0,
    noData: num(item.noData) ?? 0,
    lastValue: num(item.lastValue),
    lastChecked: item.lastChecked?.S,
    lastPeriodEnd: item.lastPeriodEnd?.S,
    since: item.since?.S,
    version: num(item.version) ?? 0,
  };
}

export interface AlarmStore {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
}

/** The stored state, or the initial one (OK, version 0). Strongly consistent. */
export async function readAlarmState(
  store: AlarmStore,
  distributionId: string,
  metric: AlarmMetric,
): Promise<AlarmState> {
  const out = await store.dynamodb.send(
    new GetItemCommand({
      TableName: store.table,
      Key: { distributionId: S(distributionId), metric: S(metric) },
      ConsistentRead: true,
    }),
  );
  return (out.Item && fromItem(out.Item)) ?? initialAlarmState(distributionId, metric);
}

/** Every stored state of one distribution (one Query), by metric. */
export async function readAlarmStates(
  store: AlarmStore,
  distributionId: string,
): Promise<Map<AlarmMetric, AlarmState>> {
  const states = new Map<AlarmMetric, AlarmState>();
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await store.dynamodb.send(
      new QueryCommand({
        TableName: store.table,
        KeyConditionExpression: 'distributionId = :id',
        ExpressionAttributeValues: { ':id': S(distributionId) },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    for (const item of out.Items ?? []) {
      const state = fromItem(item);
      if (state) states.set(state.metric, state);
    }
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return states;
}

/** Pages a Scan for ALARM rows may read before it stops (each at most 1 MB). */
export const MAX_ALARM_SCAN_PAGES = 10;
/** ALARM rows one Scan returns at most. */
export const MAX_ALARMED_ROWS = 500;

/**
 * Every stored state in ALARM, of any distribution, for the sweep of distributions the check no
 * longer finds. A Scan, on purpose: the table is small (one item per distribution and metric,
 * a few hundred bytes each: a few hundred items for a large account) and read once per check,
 * so a Scan with a filter costs a fraction of one RCU per 4 KB — less than a GSI on `state` would
 * cost to keep (every write of every item also writes the index) and without a second, eventually
 * consistent copy. A Scan reads (and is billed for) the whole table, not just the matches: it is
 * bounded by `MAX_ALARM_SCAN_PAGES` pages and `MAX_ALARMED_ROWS` matches, and says `truncated`
 * when it stopped early (the rest is swept at a later check only if the table shrinks: a table
 * that outgrows this needs a GSI on `state`). Strongly consistent.
 */
export async function scanAlarmedStates(
  store: AlarmStore,
  limits: { maxPages?: number; maxRows?: number } = {},
): Promise<{ states: AlarmState[]; truncated: boolean }> {
  const maxPages = limits.maxPages ?? MAX_ALARM_SCAN_PAGES;
  const maxRows = limits.maxRows ?? MAX_ALARMED_ROWS;
  const states: AlarmState[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  let pages = 0;
  do {
    const out = await store.dynamodb.send(
      new ScanCommand({
        TableName: store.table,
        // `state` is a DynamoDB reserved word.
        FilterExpression: '#state = :alarm',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':alarm': S('ALARM') },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    pages++;
    for (const item of out.Items ?? []) {
      const state = fromItem(item);
      if (state?.state !== 'ALARM') continue;
      if (states.length >= maxRows) return { states, truncated: true };
      states.push(state);
    }
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey && pages < maxPages);
  return { states, truncated: ExclusiveStartKey !== undefined };
}

/**
 * Writes `next` if the stored version is still `expectedVersion` (0: the item must not exist).
 * Returns false when another run wrote first.
 */
export async function writeAlarmState(
  store: AlarmStore,
  next: AlarmState,
  expectedVersion: number,
): Promise<boolean> {
  try {
    await store.dynamodb.send(
      new PutItemCommand({
        TableName: store.table,
        Item: toItem(next),
        ...(expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(distributionId)' }
          : {
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': N(expectedVersion) },
            }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    if ((error as { name?: string })?.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

export type ApplyStatus =
  /** Nothing stored: no data in OK, a window already counted, or no alarm to close. */
  | 'ignored'
  /** Counters moved, no transition. */
  | 'counted'
  /** A transition was stored and announced. */
  | 'transition'
  /** A transition was due but its announcement failed: stored without it, retried next check. */
  | 'announce-failed'
  /** Lost the write race every time: nothing stored by this run. */
  | 'conflict';

export interface ApplyResult {
  readonly status: ApplyStatus;
  readonly state: AlarmState;
  readonly previous: AlarmState;
  readonly transition: Transition | undefined;
  readonly ignored?: NextState['ignored'];
  readonly error?: unknown;
}

/** Called once a transition is stored; a throw means "not announced" (see applyObservation). */
export type Announce = (
  transition: Transition,
  next: AlarmState,
  prev: AlarmState,
) => Promise<void>;

const MAX_ATTEMPTS = 3;

/**
 * Reads the state, applies `step` (a pure rule: `nextState` or `unmonitoredState`), writes the
 * result conditionally and announces a transition.
 *
 * Order: the transition is written first (the conditional write is the claim: of two runs at
 * once only one wins it, so only one mails), then announced. If the announcement fails (SNS
 * down or throttled), the transition is taken back (`takenBack`: the counters of this check but
 * the previous status), so the next check that sees the condition persist retries the
 * transition and its mail; a condition that cleared meanwhile mails nothing. On-call never gets
 * a recovery for an alarm they were never sent. Only if the take-back itself fails (another run
 * wrote in between, or DynamoDB fails) is the mail lost; that case is logged by the caller from
 * `status: 'announce-failed'` with the stored state.
 *
 * `given` skips the first read (the caller read it already).
 */
export async function applyStep(
  store: AlarmStore,
  key: { distributionId: string; metric: AlarmMetric },
  step: (prev: AlarmState) => NextState,
  announce: Announce,
  given?: AlarmState,
): Promise<ApplyResult> {
  let prev = given ?? (await readAlarmState(store, key.distributionId, key.metric));
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (attempt > 1) prev = await readAlarmState(store, key.distributionId, key.metric);
    const { next, transition, ignored } = step(prev);
    if (next === prev)
      return { status: 'ignored', state: prev, previous: prev, transition: undefined, ignored };
    if (!(await writeAlarmState(store, next, prev.version))) continue; // lost a race: re-read
    if (!transition) return { status: 'counted', state: next, previous: prev, transition };
    try {
      await announce(transition, next, prev);
      return { status: 'transition', state: next, previous: prev, transition };
    } catch (error) {
      const back = takenBack(prev, next, transition);
      let stored = next;
      try {
        if (await writeAlarmState(store, back, next.version)) stored = back;
      } catch {
        // stays `next`: reported through `state`
      }
      return { status: 'announce-failed', state: stored, previous: prev, transition, error };
    }
  }
  return { status: 'conflict', state: prev, previous: prev, transition: undefined };
}

/** `applyStep` with `nextState` for one observation (see there). */
export function applyObservation(
  store: AlarmStore,
  key: { distributionId: string; metric: AlarmMetric },
  observation: Observation,
  k: number | Hysteresis,
  announce: Announce,
  given?: AlarmState,
): Promise<ApplyResult> {
  return applyStep(store, key, (prev) => nextState(prev, observation, k), announce, given);
}
