import { describe, expect, it } from 'vitest';
import {
  initialAlarmState,
  nextState,
  takenBack,
  unmonitoredState,
  type AlarmState,
  type Observation,
  type Transition,
} from '../../../shared/alarms/alarmRule.js';

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

describe('nextState: an alarm without data goes stale', () => {
  const k = { alarmAfter: K, recoverAfter: K, staleAfter: 8 };
  const raised = () => run([B, B, B], k).state;
  const U7: Step[] = [U, U, U, U, U, U, U];
  /** Seven checks without a transition. */
  const N7: Array<Transition | undefined> = [U, U, U, U, U, U, U];

  it.each<[string, Step[], Array<Transition | undefined>]>([
    ['closes nothing after 7 checks without data', U7, [U, U, U, U, U, U, U]],
    ['closes once, as stale, at the 8th check without data', [...U7, U], [...N7, 'stale']],
    [
      'starts counting again after a breaching check',
      [...U7, B, ...U7, U],
      [...N7, U, ...N7, 'stale'],
    ],
    ['starts counting again after a clean check', [U, U, U, U, C, ...U7], [U, U, U, U, U, ...N7]],
    [
      'still recovers on K clean checks between gaps',
      [U, C, U, C, U, C],
      [U, U, U, U, U, 'recovered'],
    ],
    ['mails nothing more once stale', [...U7, U, ...U7, U, U], [...N7, 'stale', ...N7, U, U]],
    [
      'needs K new breaches after going stale',
      [...U7, U, B, B, B],
      [...N7, 'stale', U, U, 'alarm'],
    ],
  ])('%s', (_title, steps, expected) => {
    expect(run(steps, k, raised(), 3).transitions).toEqual(expected);
  });

  it('counts the no-data windows in ALARM, each once', () => {
    const { state } = run([U, U], k, raised(), 3);
    expect(state).toMatchObject({ state: 'ALARM', noData: 2, breaches: 3, version: 5 });
    expect(state.lastPeriodEnd).toBe(new Date(T0 + 5 * WINDOW_MS).toISOString());
    const again = nextState(state, obs(5, undefined), k);
    expect(again.next).toBe(state);
    expect(again.ignored).toBe('period-already-counted');
  });

  it('resets the no-data count on a real observation', () => {
    const { state } = run([U, U, U, B], k, raised(), 3);
    expect(state).toMatchObject({ state: 'ALARM', noData: 0, breaches: 4 });
  });

  it('closes to OK with all counters 0, since the window that closed it', () => {
    const before = run(U7, k, raised(), 3).state;
    const { next, transition } = nextState(before, obs(11, undefined), k);
    expect(transition).toBe('stale');
    expect(next).toMatchObject({ state: 'OK', breaches: 0, clean: 0, noData: 0 });
    expect(next.since).toBe(new Date(T0 + 11 * WINDOW_MS).toISOString());
    expect(next.lastValue).toBe(61.2); // the last real value is kept
  });

  it('leaves OK rows alone on missing data (no counter, no write)', () => {
    const ok = run([B, C], k).state;
    const r = nextState(ok, obs(3, undefined), k);
    expect(r.next).toBe(ok);
    expect(r.ignored).toBe('no-data');
  });

  it.each([0, undefined])('never goes stale with staleAfter %s', (staleAfter) => {
    const off = { alarmAfter: K, recoverAfter: K, staleAfter };
    const steps: Step[] = Array.from({ length: 20 }, () => U);
    const { state, transitions } = run(steps, off, raised(), 3);
    expect(transitions.filter(Boolean)).toEqual([]);
    expect(state).toMatchObject({ state: 'ALARM', noData: 0, version: 3 });
  });

  it('a failed stale mail is taken back so the next window without data retries it', () => {
    const before = run(U7, k, raised(), 3).state;
    const { next } = nextState(before, obs(11, undefined), k);
    const back = takenBack(before, next, 'stale');
    expect(back).toMatchObject({
      state: 'ALARM',
      noData: 8,
      breaches: 3,
      version: next.version + 1,
    });
    expect(back.since).toBe(before.since);
    expect(nextState(back, obs(12, undefined), k).transition).toBe('stale');
    expect(nextState(back, obs(12, false), k)).toMatchObject({
      transition: undefined,
      next: { state: 'ALARM', noData: 0, clean: 1 },
    });
  });
});

describe('unmonitoredState', () => {
  const at = new Date(T0 + 10 * WINDOW_MS);

  it('closes an ALARM to OK as unmonitored, keeping the last window counted', () => {
    const raised = run([B, B, B]).state;
    const { next, transition } = unmonitoredState(raised, at);
    expect(transition).toBe('unmonitored');
    expect(next).toMatchObject({
      state: 'OK',
      breaches: 0,
      clean: 0,
      noData: 0,
      since: at.toISOString(),
      lastPeriodEnd: raised.lastPeriodEnd,
      version: raised.version + 1,
    });
    expect(unmonitoredState(next, at).next).toBe(next); // a second sweep changes nothing
  });

  it('leaves an OK row as it is', () => {
    const ok = run([B, B]).state;
    expect(unmonitoredState(ok, at)).toEqual({ next: ok, transition: undefined });
  });

  it('is taken back to the row as it was when its mail fails', () => {
    const raised = run([B, B, B]).state;
    const { next } = unmonitoredState(raised, at);
    expect(takenBack(raised, next, 'unmonitored')).toEqual({
      ...raised,
      version: raised.version + 2,
    });
  });
});
