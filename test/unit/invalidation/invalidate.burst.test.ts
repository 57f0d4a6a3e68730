/**
 * Bursts that span many SQS batches, at the deployed settings (batches of 1 000, 60 s window,
 * CloudFront's invalidations completing in ~25 s), fed through invalidateBatch with S3 and
 * CloudFront faked in memory (fakeAws.ts). Also: folders the function did not list, and events
 * S3 or SQS deliver twice in different batches.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetLearned } from '../../../functions/invalidate/bisect.js';
import { forgetRecentInvalidations } from '../../../functions/invalidate/recentCoverage.js';
import { invalidateBatch } from '../../../functions/invalidate/invalidate.js';
import {
  Clock,
  FakeBucket,
  FakeCloudFront,
  T0,
  installFakes,
  overwrite,
  runQueue,
  type QueueMessage,
} from './fakeAws.js';

const DAY = 86_400_000;
let restore: (() => void) | undefined;
beforeEach(() => {
  forgetLearned();
  forgetRecentInvalidations();
});
afterEach(() => {
  restore?.();
  restore = undefined;
});

function setup(env: Record<string, string> = {}) {
  const clock = new Clock();
  const bucket = new FakeBucket(clock);
  const cloudfront = new FakeCloudFront(clock);
  const deps = installFakes(clock, bucket, cloudfront, env);
  restore = deps.restore;
  /** The failed ids, each with when it comes back (the handler sets that visibility). */
  const process = async (batch: Parameters<typeof invalidateBatch>[1]) => {
    const result = await invalidateBatch(deps, batch);
    return new Map([...result.deferred.keys()].map((id) => [id, result.retryAfter.get(id)]));
  };
  return { clock, bucket, cloudfront, deps, process };
}

/** Every overwritten key is covered by an invalidation created after it was written. */
function expectFresh(cloudfront: FakeCloudFront, writes: ReadonlyArray<[string, number]>) {
  const stale = writes.filter(([key, at]) => !cloudfront.covered(`/${key}`, at));
  expect(stale.map(([key]) => key).slice(0, 5)).toEqual([]);
}

describe('a burst that spans many batches', () => {
  it('bills at most 2 % of one path per object for 20 HLS ladders fed in batches of 1 000', async () => {
    const { clock, bucket, cloudfront, process } = setup();
    // Untouched content beside the ladders: a wildcard over it (/*) is never allowed.
    for (let i = 0; i < 5000; i += 1)
      bucket.put(`vod/title-${i % 50}/part-${i}.mp4`, T0 - 30 * DAY);
    const ladder = (l: number) => `hls/ladder-${String(l).padStart(2, '0')}/`;
    const files: string[] = [];
    for (let l = 0; l < 20; l += 1) {
      files.push(`${ladder(l)}index.m3u8`);
      for (let s = 0; s < 500; s += 1)
        files.push(`${ladder(l)}seg-${String(s).padStart(3, '0')}.ts`);
    }
    for (const key of files) bucket.put(key, T0 - 7 * DAY); // the previous render
    // The render farm rewrites every ladder in parallel (segment n of each, then the next), 1 000
    // files a second; the requests queue up behind the burst (ingest's lag: 15 s).
    const order: string[] = [];
    for (let s = 0; s < 500; s += 1)
      for (let l = 0; l < 20; l += 1)
        order.push(`${ladder(l)}seg-${String(s).padStart(3, '0')}.ts`);
    for (let l = 0; l < 20; l += 1) order.push(`${ladder(l)}index.m3u8`);
    const writes: Array<[string, number]> = order.map((key, i) => [key, T0 + i]);
    for (const [key, at] of writes) bucket.put(key, at);
    const messages: QueueMessage[] = writes.map(([key, at], i) => ({
      id: `m${i}`,
      request: overwrite(key, at),
      visibleAt: at + 15_000,
      receives: 0,
    }));

    const run = await runQueue(clock, messages, process);

    expect(run.invocations).toBeGreaterThanOrEqual(10); // it did span batches
    expect(run.left + run.dlq.length).toBe(0);
    expectFresh(cloudfront, writes);
    const onePathPerObject = files.length; // 10 020; dedupe-then-chunks bills the same here
    expect(cloudfront.billed()).toBeLessThanOrEqual(0.02 * onePathPerObject);
    expect(cloudfront.billed() * 20).toBeLessThanOrEqual(onePathPerObject);
  });
});

describe('a burst re-published over minutes', () => {
  it('bills at most 2 % of one path per object when 20 ladders are rewritten over 5 minutes', async () => {
    const { clock, bucket, cloudfront, process } = setup();
    for (let i = 0; i < 5000; i += 1)
      bucket.put(`vod/title-${i % 50}/part-${i}.mp4`, T0 - 30 * DAY);
    const ladder = (l: number) => `hls/ladder-${String(l).padStart(2, '0')}/`;
    const order: string[] = [];
    for (let s = 0; s < 500; s += 1)
      for (let l = 0; l < 20; l += 1)
        order.push(`${ladder(l)}seg-${String(s).padStart(3, '0')}.ts`);
    for (let l = 0; l < 20; l += 1) order.push(`${ladder(l)}index.m3u8`);
    for (const key of order) bucket.put(key, T0 - 7 * DAY);
    // The render farm writes a file every 30 ms: the ladders are half old, half new for minutes,
    // and every batch of 1 000 finds each ladder's folder still being written.
    const writes: Array<[string, number]> = order.map((key, i) => [key, T0 + i * 30]);
    for (const [key, at] of writes) bucket.put(key, at);
    const messages: QueueMessage[] = writes.map(([key, at], i) => ({
      id: `m${i}`,
      request: overwrite(key, at),
      visibleAt: at + 2_000,
      receives: 0,
    }));

    const run = await runQueue(clock, messages, process);

    expect(run.left + run.dlq.length).toBe(0);
    expectFresh(cloudfront, writes);
    expect(cloudfront.billed()).toBeLessThanOrEqual(0.02 * order.length);
    expect(cloudfront.maxInFlight.wildcards).toBeLessThanOrEqual(13);
  });
});

describe('folders the function could not list', () => {
  it('collapses no folder whose unchanged objects it did not count', async () => {
    const { clock, bucket, cloudfront, deps } = setup();
    // 60 folders (more than are listed per batch), each 25 overwrites among 1 000 unchanged.
    const batch = [];
    for (let f = 0; f < 60; f += 1) {
      const folder = `f-${String(f).padStart(2, '0')}/`;
      for (let i = 0; i < 1000; i += 1) bucket.put(`${folder}old-${i}.png`, T0 - 30 * DAY);
      for (let i = 0; i < 25; i += 1) {
        bucket.put(`${folder}new-${i}.png`, T0);
        batch.push({ id: `m${f}-${i}`, request: overwrite(`${folder}new-${i}.png`, T0) });
      }
    }
    clock.now = T0 + 20_000;
    const result = await invalidateBatch(deps, batch);
    expect(result.deferred.size).toBe(0);
    const wildcards = cloudfront.invalidations
      .flatMap((i) => i.paths)
      .filter((p) => p.endsWith('*'));
    expect(wildcards).toEqual([]);
    expect(cloudfront.billed()).toBe(1500);
  });
});

describe('events delivered twice, in different batches', () => {
  it('creates no second invalidation of a path when its event comes again with other messages', async () => {
    const { clock, bucket, cloudfront, deps } = setup();
    for (const key of ['a.png', 'b.png', 'c.png']) bucket.put(key, T0);
    const a = overwrite('a.png', T0);
    clock.now = T0 + 5_000;
    await invalidateBatch(deps, [
      { id: 'm1', request: a },
      { id: 'm2', request: overwrite('b.png', T0) },
    ]);
    // S3 sends the event for a.png again (or SQS redelivers it after a timeout), batched with
    // another message: once while the first invalidation is in progress, once after it completed.
    clock.now = T0 + 15_000;
    const second = await invalidateBatch(deps, [
      { id: 'm3', request: a },
      { id: 'm4', request: overwrite('c.png', T0) },
    ]);
    clock.now = T0 + 30 * 60_000;
    const third = await invalidateBatch(deps, [
      { id: 'm5', request: a },
      { id: 'm6', request: overwrite('d.png', T0 + 30 * 60_000 - 1000) },
    ]);
    expect(second.deferred.size + third.deferred.size).toBe(0);
    const timesA = cloudfront.invalidations.filter((i) => i.paths.includes('/a.png')).length;
    expect(timesA).toBe(1);
    expect(cloudfront.invalidations.flatMap((i) => i.paths).sort()).toEqual([
      '/a.png',
      '/b.png',
      '/c.png',
      '/d.png',
    ]);
  });

  it('invalidates a path again for a later overwrite of the same key', async () => {
    const { clock, cloudfront, deps } = setup();
    clock.now = T0 + 5_000;
    await invalidateBatch(deps, [{ id: 'm1', request: overwrite('a.png', T0, 'v1') }]);
    clock.now = T0 + 60_000;
    await invalidateBatch(deps, [{ id: 'm2', request: overwrite('a.png', T0 + 50_000, 'v2') }]);
    expect(cloudfront.invalidations.filter((i) => i.paths.includes('/a.png'))).toHaveLength(2);
  });
});

describe('overwrites spread over folders that hold far more unchanged objects', () => {
  it('uses no wildcard, one call per batch plus one each time the ceiling fills', async () => {
    const { clock, bucket, cloudfront, process, deps } = setup();
    // 10 000 overwrites over 100 folders, each holding ten times more unchanged objects; the
    // requests arrive 1 000 a second, interleaved.
    const folder = (f: number) => `f-${String(f).padStart(3, '0')}/`;
    for (let f = 0; f < 100; f += 1)
      for (let i = 0; i < 1000; i += 1) bucket.put(`${folder(f)}old-${i}.png`, T0 - 30 * DAY);
    const writes: Array<[string, number]> = [];
    for (let i = 0; i < 100; i += 1)
      for (let f = 0; f < 100; f += 1)
        writes.push([`${folder(f)}new-${i}.png`, T0 + writes.length]);
    for (const [key, at] of writes) bucket.put(key, at);
    const messages: QueueMessage[] = writes.map(([key, at], i) => ({
      id: `m${i}`,
      request: overwrite(key, at),
      visibleAt: at + 2_000,
      receives: 0,
    }));

    const run = await runQueue(clock, messages, process);

    expect(run.left + run.dlq.length).toBe(0);
    expectFresh(cloudfront, writes);
    expect(cloudfront.billed()).toBe(writes.length); // no wildcard over unchanged objects
    expect(cloudfront.maxInFlight.files).toBeLessThanOrEqual(deps.config.maxInflightPaths);
    // One invocation sees at most one batch of 1 000, so ⌈paths / ceiling⌉ + 1 calls (the
    // issue's target) cannot be met at this batch size: the floor is one call per batch. Above
    // it, at most one partial call each time the ceiling (2 800 in flight) fills.
    const ceiling = deps.config.maxInflightPaths;
    const bound = Math.ceil(writes.length / 1000) + Math.ceil(writes.length / ceiling) + 1;
    expect(cloudfront.calls).toBeLessThanOrEqual(bound);
  }, 120_000); // 10 000 messages through the whole step: ~20 s on 2 idle cores, more under load
});
