import { describe, expect, it } from 'vitest';
import {
  initialAlarmState,
  nextState,
  type AlarmState,
  type Observation,
  type Transition,
} from '../../../shared/report/alarmState.js';

const T0 = Date.parse('2025-06-01T08:00:00Z');
const WINDOW_MS = 15 * 60_000;
const K = 3;

/** Observation of the i-th check window (each one ends 15 min after the previous). */
const obs = (i: number, breaching: boolean | undefined, value?: number): Observation => ({
  breaching,
  value: value ?? (breaching === undefined ? undefined : breaching ? 61.2 : 92.5),
  periodEnd: new Date(T0 + i * WINDOW_MS),
});

type Step = boolean | undefined;

/** Runs a sequence of observations through nextState; returns the transitions and last state. */
function run(
  steps: readonly Step[],
  k: Parameters<typeof nextState>[2] = K,
  from?: AlarmState,
  offset = 0,
) {
  let state = from ?? initialAlarmState('E123', 'hitRate');
  const transitions: Array<Transition | undefined> = [];
  steps.forEach((breaching, i) => {
    const { next, transition } = nextState(state, obs(offset + i + 1, breaching), k);
    transitions.push(transition);
    state = next;
  });
  return { state, transitions };
}

const B = true;
const C = false;
const U = undefined;

describe('nextState', () => {
  it.each<[string, Step[], Array<Transition | undefined>]>([
    ['raises one alarm after K breaches', [B, B, B], [U, U, 'alarm']],
    ['raises nothing before the K-th breach', [B, B], [U, U]],
    ['raises only once while breaching continues', [B, B, B, B, B, B], [U, U, 'alarm', U, U, U]],
    ['starts counting again after a clean check', [B, B, C, B, B], [U, U, U, U, U]],
    [
      'recovers once after K clean checks',
      [B, B, B, C, C, C, C],
      [U, U, 'alarm', U, U, 'recovered', U],
    ],
    [
      'does not recover on fewer than K clean checks',
      [B, B, B, C, C, B, C, C],
      [U, U, 'alarm', U, U, U, U, U],
    ],
    ['never alarms on missing data', [U, U, U, U, U, U], [U, U, U, U, U, U]],
    ['neither advances nor resets on missing data (alarm)', [B, U, B, U, B], [U, U, U, U, 'alarm']],
    [
      'neither advances nor resets on missing data (recovery)',
      [B, B, B, C, U, C, U, U, C],
      [U, U, 'alarm', U, U, U, U, U, 'recovered'],
    ],
    [
      'alarms again after a recovery',
      [B, B, B, C, C, C, B, B, B],
      [U, U, 'alarm', U, U, 'recovered', U, U, 'alarm'],
    ],
  ])('%s', (_title, steps, expected) => {
    expect(run(steps).transitions).toEqual(expected);
  });

  it('returns the previous state itself, unchanged, for an undefined observation', () => {
    const { state } = run([B, B]);
    const result = nextState(state, obs(10, undefined), K);
    expect(result.next).toBe(state);
    expect(result.transition).toBeUndefined();
    expect(result.ignored).toBe('no-data');
  });

  it('counts the same window once, however often it is observed', () => {
    let state = initialAlarmState('E123', 'hitRate');
    const transitions: Array<Transition | undefined> = [];
    for (const i of [1, 1, 1, 2, 2, 3, 3, 3]) {
      const r = nextState(state, obs(i, true), K);
      transitions.push(r.transition);
      state = r.next;
    }
    expect(transitions.filter(Boolean)).toEqual(['alarm']);
    expect(state.breaches).toBe(3);
    expect(state.version).toBe(3);
  });

  it('ignores an older window than the last one counted', () => {
    const { state } = run([B, B]);
    const result = nextState(state, obs(1, true), K);
    expect(result.next).toBe(state);
    expect(result.ignored).toBe('period-already-counted');
  });

  it('ignores a duplicate window even when it carries no data', () => {
    const { state } = run([B]);
    expect(nextState(state, obs(1, undefined), K).ignored).toBe('period-already-counted');
  });

  it('records value, window end, version and the time the state began', () => {
    const { state } = run([B, B, B]);
    expect(state).toMatchObject({
      distributionId: 'E123',
      metric: 'hitRate',
      state: 'ALARM',
      breaches: 3,
      clean: 0,
      lastValue: 61.2,
      lastPeriodEnd: new Date(T0 + 3 * WINDOW_MS).toISOString(),
      since: new Date(T0 + 3 * WINDOW_MS).toISOString(),
      version: 3,
    });
    const recovered = run([C, C, C], K, state, 3).state;
    expect(recovered.state).toBe('OK');
    expect(recovered.since).toBe(new Date(T0 + 6 * WINDOW_MS).toISOString());
  });

  it('takes separate K for raising and clearing', () => {
    const k = { alarmAfter: 1, recoverAfter: 4 };
    expect(run([B, C, C, C, C], k).transitions).toEqual(['alarm', U, U, U, 'recovered']);
  });

  it('with K = 1 raises on the first breach and clears on the first clean check', () => {
    expect(run([B, B, C, C], 1).transitions).toEqual(['alarm', U, 'recovered', U]);
  });

  it('accepts ISO strings as window ends', () => {
    const state = initialAlarmState('E1', 'errorRate5xx');
    const r = nextState(state, { breaching: true, value: 2, periodEnd: '2025-06-01T08:15:00Z' }, K);
    expect(r.next.lastPeriodEnd).toBe('2025-06-01T08:15:00.000Z');
  });
});
