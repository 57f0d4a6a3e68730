import { beforeEach, describe, expect, it } from 'vitest';
import {
  burstSince,
  forgetHeld,
  heldFolders,
  HOLD_MAX_RECEIVES,
  mayWait,
  quotaRetrySeconds,
  rememberHeld,
  rewritingFolders,
} from '../../../functions/invalidate/hold.js';
import type { FolderListing } from '../../../functions/invalidate/folderCounts.js';

const MIN = 60_000;
const T = 10 * 60 * MIN;

describe('quotaRetrySeconds', () => {
  it.each([
    [undefined, 30],
    [1, 30],
    [2, 60],
    [3, 120],
    [5, 480],
    [6, 900],
    [9, 900],
  ])('returns %s receives → %s s (30 s doubling, 15 min at most)', (receives, seconds) => {
    expect(quotaRetrySeconds(receives)).toBe(seconds);
  });
});

describe('mayWait', () => {
  it('returns true for a recent event on an early receive', () => {
    expect(mayWait(T - MIN, 1, T, 5 * MIN, 'burst')).toBe(true);
  });

  it('returns false once the next return would be past the hold', () => {
    expect(mayWait(T - 4.5 * MIN, 1, T, 5 * MIN, 'burst')).toBe(false);
  });

  it('returns true past the hold, within the grace, when waiting for a wildcard slot', () => {
    expect(mayWait(T - 4.5 * MIN, 1, T, 5 * MIN, 'wildcards')).toBe(true);
    expect(mayWait(T - 7 * MIN, 1, T, 5 * MIN, 'wildcards')).toBe(false);
  });

  it('returns false after HOLD_MAX_RECEIVES receives, whatever the age', () => {
    expect(mayWait(T, HOLD_MAX_RECEIVES, T, 5 * MIN, 'burst')).toBe(true);
    expect(mayWait(T, HOLD_MAX_RECEIVES + 1, T, 5 * MIN, 'burst')).toBe(false);
  });

  it('returns false without an event time or with holding off', () => {
    expect(mayWait(undefined, 1, T, 5 * MIN, 'burst')).toBe(false);
    expect(mayWait(T, 1, T, 0, 'burst')).toBe(false);
  });
});

describe('rewritingFolders', () => {
  const listing = (over: Partial<FolderListing>): FolderListing => ({
    unchanged: 400,
    changing: 100,
    queued: 50,
    newest: T - 1000,
    complete: true,
    ...over,
  });
  const at = { now: T, since: () => T - MIN, holdMaxMs: 5 * MIN };

  it('returns a folder rewritten fast enough to reach the limit before the hold ends', () => {
    // 100 changed in a minute; 300 more to go before 100 unchanged remain: 3 minutes ≤ 4 left.
    expect(rewritingFolders(new Map([['/a/', listing({})]]), at, 100)).toEqual(new Set(['/a/']));
  });

  it.each([
    ['too slow to finish in time', { changing: 20 }],
    ['no request queued behind the batch (the change is all here)', { queued: 0 }],
    ['not written to in the last minute', { newest: T - 2 * MIN }],
    ['listed only in part', { complete: false }],
    ['already within the limit', { unchanged: 100 }],
  ])('returns no folder %s', (_, over) => {
    expect(rewritingFolders(new Map([['/a/', listing(over)]]), at, 100)).toEqual(new Set());
  });
});

describe('remembered bursts', () => {
  beforeEach(() => forgetHeld());

  it('returns the held start for the folder and its subfolders, the fallback elsewhere', () => {
    rememberHeld('E1', [{ folder: '/hls/a/', since: T - 3 * MIN }], T, 5 * MIN);
    const since = burstSince('E1', T, T - MIN);
    expect(since('/hls/a/')).toBe(T - 3 * MIN);
    expect(since('/hls/a/720p/')).toBe(T - 3 * MIN);
    expect(since('/hls/b/')).toBe(T - MIN);
    expect(burstSince('E2', T, T - MIN)('/hls/a/')).toBe(T - MIN);
    expect(heldFolders('E1', T)).toEqual(new Set(['/hls/a/']));
  });

  it('keeps the earliest start while the burst lasts, and forgets it after hold + grace', () => {
    rememberHeld('E1', [{ folder: '/a/', since: T - 2 * MIN }], T, 5 * MIN);
    rememberHeld('E1', [{ folder: '/a/', since: T - MIN }], T + MIN, 5 * MIN);
    expect(burstSince('E1', T + MIN, T)('/a/')).toBe(T - 2 * MIN);
    expect(heldFolders('E1', T + 6 * MIN)).toEqual(new Set());
    expect(burstSince('E1', T + 6 * MIN, T + 5 * MIN)('/a/')).toBe(T + 5 * MIN);
  });
});
