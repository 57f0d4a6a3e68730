/**
 * Threshold alarm states in DynamoDB, and the conditional writes that apply the pure rule
 * (`alarmRule.ts`) to them.
 *
 * Why DynamoDB: the check runs on a schedule in a Lambda, so the state must outlive the instance
 * (cold starts, several instances) — memory is out. It is a handful of small items per
 * distribution, read and written once per check: a PAY_PER_REQUEST table costs cents a month,
 * needs no VPC or connection, and its conditional writes give optimistic concurrency: every item
 * carries a `version`, a write is accepted only if the version is still the one read, so two runs
 * at once (a scheduled check and a manual one, or a retried invocation) cannot both count or both
 * announce. The loser re-reads and re-applies its observation, which is then usually ignored,
 * because the window it observed is already counted. (SSM parameters and S3 objects have no
 * conditional update on a version we control; CloudWatch alarms cannot compute request-weighted
 * ratios and are not evaluated locally.)
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
import {
  ALARM_METRIC_NAMES,
  initialAlarmState,
  nextState,
  takenBack,
  type AlarmMetric,
  type Transition,
  type AlarmState,
  type Observation,
  type Hysteresis,
  type NextState,
} from './alarmRule.js';

/** For mail.ts and local/print.ts, which import these from here (they live in alarmRule.ts). */
export { ALARM_METRICS } from './alarmRule.js';
export type { AlarmMetric, ThresholdTransition } from './alarmRule.js';

// ── DynamoDB ─────────────────────────────────────────────────────────────────────────────
// Table: pk `distributionId` (S), sk `metric` (S). Plain attributes, no document client.

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

function toItem(state: AlarmState<string>): Record<string, AttributeValue> {
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

/** The item as a state, if it is one of `metrics` (other rows share the table: skipped). */
function fromItem<M extends string>(
  item: Record<string, AttributeValue>,
  metrics: readonly M[],
): AlarmState<M> | undefined {
  const metric = item.metric?.S;
  const distributionId = item.distributionId?.S;
  if (!distributionId || !metric || !(metrics as readonly string[]).includes(metric))
    return undefined;
  const num = (v: AttributeValue | undefined) => (v?.N === undefined ? undefined : Number(v.N));
  return {
    distributionId,
    metric: metric as M,
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

/**
 * The table, and the metrics whose rows this store reads: by default the report's threshold
 * metrics. The scheduled health check keeps its rows in the same table under its own metric
 * (functions/health/scheduled.ts), which the report's reads and sweeps therefore never see.
 */
export interface AlarmStore<M extends string = AlarmMetric> {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  readonly metrics?: readonly M[];
}

const metricsOf = <M extends string>(store: AlarmStore<M>): readonly M[] =>
  store.metrics ?? (ALARM_METRIC_NAMES as readonly string[] as readonly M[]);

/** The stored state, or the initial one (OK, version 0). Strongly consistent. */
export async function readAlarmState<M extends string = AlarmMetric>(
  store: AlarmStore<M>,
  distributionId: string,
  metric: M,
): Promise<AlarmState<M>> {
  const out = await store.dynamodb.send(
    new GetItemCommand({
      TableName: store.table,
      Key: { distributionId: S(distributionId), metric: S(metric) },
      ConsistentRead: true,
    }),
  );
  return (
    (out.Item && fromItem(out.Item, metricsOf(store))) ?? initialAlarmState(distributionId, metric)
  );
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
      const state = fromItem(item, ALARM_METRIC_NAMES);
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
export async function scanAlarmedStates<M extends string = AlarmMetric>(
  store: AlarmStore<M>,
  limits: { maxPages?: number; maxRows?: number } = {},
): Promise<{ states: AlarmState<M>[]; truncated: boolean }> {
  const maxPages = limits.maxPages ?? MAX_ALARM_SCAN_PAGES;
  const maxRows = limits.maxRows ?? MAX_ALARMED_ROWS;
  const states: AlarmState<M>[] = [];
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
      const state = fromItem(item, metricsOf(store));
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
export async function writeAlarmState<M extends string = AlarmMetric>(
  store: AlarmStore<M>,
  next: AlarmState<M>,
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

export interface ApplyResult<M extends string = AlarmMetric> {
  readonly status: ApplyStatus;
  readonly state: AlarmState<M>;
  readonly previous: AlarmState<M>;
  readonly transition: Transition | undefined;
  readonly ignored?: NextState<M>['ignored'];
  readonly error?: unknown;
}

/** Called once a transition is stored; a throw means "not announced" (see applyObservation). */
export type Announce<M extends string = AlarmMetric> = (
  transition: Transition,
  next: AlarmState<M>,
  prev: AlarmState<M>,
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
export async function applyStep<M extends string = AlarmMetric>(
  store: AlarmStore<M>,
  key: { distributionId: string; metric: M },
  step: (prev: AlarmState<M>) => NextState<M>,
  announce: Announce<M>,
  given?: AlarmState<M>,
): Promise<ApplyResult<M>> {
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
export function applyObservation<M extends string = AlarmMetric>(
  store: AlarmStore<M>,
  key: { distributionId: string; metric: M },
  observation: Observation,
  k: number | Hysteresis,
  announce: Announce<M>,
  given?: AlarmState<M>,
): Promise<ApplyResult<M>> {
  return applyStep(store, key, (prev) => nextState(prev, observation, k), announce, given);
}
