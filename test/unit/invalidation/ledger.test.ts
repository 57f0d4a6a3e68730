import { describe, expect, it } from 'vitest';
import type { InFlight } from '../../../shared/invalidation/inflight.js';
import {
  CONVERTED_MAX_MS,
  EMPTY_LEDGER,
  VISIBLE_AFTER_MS,
  converted,
  isLive,
  needOf,
  replaced,
  usage,
  type Reservation,
} from '../../../shared/invalidation/ledger.js';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const LEASE = 300_000;

const pending = (id: string, files: number, wildcards = 0, at = T0): Reservation => ({
  id,
  holder: 'invalidate',
  files,
  wildcards,
  references: [`ref-${id}`],
  reservedAt: at,
  expiresAt: at + LEASE,
});

const snapshot = (
  ...items: Array<{ id: string; ref: string; files: number; wildcards?: number }>
): InFlight => ({
  files: items.reduce((n, i) => n + i.files, 0),
  wildcards: items.reduce((n, i) => n + (i.wildcards ?? 0), 0),
  invalidations: items.map((i) => ({
    id: i.id,
    callerReference: i.ref,
    files: i.files,
    wildcards: i.wildcards ?? 0,
  })),
});

const NOTHING = snapshot();

describe('needOf', () => {
  it('counts wildcard paths apart from the rest (a tag in both pools: its pool is not documented)', () => {
    expect(needOf(['/a.js', '/b/*', '#video:1', '/*'])).toEqual({ files: 2, wildcards: 3 });
  });
});

describe('isLive', () => {
  it('holds a pending reservation until a snapshot starts after its lease', () => {
    const r = pending('p', 10);
    expect(isLive(r, NOTHING, T0 + LEASE)).toBe(true);
    expect(isLive(r, NOTHING, T0 + LEASE + 1)).toBe(false);
  });

  it('holds a sent reservation while its invalidation is listed or may not be listed yet', () => {
    const sent = converted(
      pending('s', 10),
      [{ invalidationId: 'I1', callerReference: 'ref-s', paths: ['/a'] }],
      T0,
    );
    expect(isLive(sent, NOTHING, T0 + VISIBLE_AFTER_MS)).toBe(true);
    expect(isLive(sent, NOTHING, T0 + VISIBLE_AFTER_MS + 1)).toBe(false);
    const listed = snapshot({ id: 'I1', ref: 'ref-s', files: 1 });
    expect(isLive(sent, listed, T0 + VISIBLE_AFTER_MS + 1)).toBe(true);
    expect(isLive(sent, listed, T0 + CONVERTED_MAX_MS + 1)).toBe(false);
  });
});

describe('usage', () => {
  it('adds the live reservations to the snapshot and lists the lapsed ones', () => {
    const state = {
      version: 3,
      reservations: [pending('a', 1450), pending('old', 900, 2, T0 - LEASE - 1)],
    };
    const used = usage(state, snapshot({ id: 'H', ref: 'console', files: 5, wildcards: 1 }), T0);
    expect(used).toMatchObject({ files: 1455, wildcards: 1, lapsed: ['old'] });
    expect(used.reserved).toEqual({ files: 1450, wildcards: 0 });
  });

  it('counts an invalidation once when a reservation claims it, by id or by CallerReference', () => {
    const sent = converted(
      pending('s', 100),
      [{ invalidationId: 'I1', callerReference: 'ref-s', paths: ['/a', '/b/*'] }],
      T0,
    );
    const listed = snapshot(
      { id: 'I1', ref: 'ref-s', files: 1, wildcards: 1 },
      { id: 'I2', ref: 'ref-p', files: 7 },
    );
    // `p` crashed after sending, before converting: its own invalidation is claimed by reference.
    const state = { version: 1, reservations: [sent, pending('p', 7)] };
    expect(usage(state, listed, T0 + 1)).toMatchObject({ files: 8, wildcards: 1 });
    // Once `p` lapsed, the snapshot alone counts its invalidation.
    expect(usage(state, listed, T0 + LEASE + 1)).toMatchObject({ files: 8, wildcards: 1 });
  });
});

describe('replaced', () => {
  it('drops the lapsed reservations, replaces one by id and bumps the version', () => {
    const state = replaced(EMPTY_LEDGER, [], pending('a', 1));
    const next = replaced(
      { version: state.version, reservations: [...state.reservations, pending('b', 2)] },
      ['b'],
      { ...pending('a', 1), files: 5 },
    );
    expect(next.version).toBe(2);
    expect(next.reservations.map((r) => [r.id, r.files])).toEqual([['a', 5]]);
    expect(replaced(next, [], undefined, 'a').reservations).toEqual([]);
  });
});
