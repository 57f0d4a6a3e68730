/**
 * Paths CloudFront refuses, many in one batch: each fails only its own message, with the reason,
 * and every batch-mate is invalidated in the same invocation (CreateInvalidation's call cap kept).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetLearned } from '../../../functions/invalidate/bisect.js';
import { forgetRecentInvalidations } from '../../../functions/invalidate/recentCoverage.js';
import { invalidateBatch } from '../../../functions/invalidate/invalidate.js';
import { MAX_CREATE_CALLS } from '../../../functions/invalidate/bisect.js';
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

let restore: (() => void) | undefined;
beforeEach(() => {
  forgetLearned();
  forgetRecentInvalidations();
});
afterEach(() => {
  restore?.();
  restore = undefined;
});

function setup() {
  const clock = new Clock();
  clock.now = T0 + 10_000;
  const cloudfront = new FakeCloudFront(clock);
  const deps = installFakes(clock, new FakeBucket(), cloudfront);
  restore = deps.restore;
  return { clock, cloudfront, deps };
}

/** 1 000 build outputs in sparse folders, `bad` of them with a character CloudFront refuses. */
function batch(bad: number, mark: string) {
  return Array.from({ length: 1000 }, (_, i) => {
    const key =
      i % Math.floor(1000 / bad) === 0 && i / Math.floor(1000 / bad) < bad
        ? `site-${i}/chunk${mark}${i}.js`
        : `site-${i}/chunk-${i}.js`;
    return { id: `m${i}`, request: overwrite(key, T0) };
  });
}

describe('many keys with a raw ~ (as in webpack runtime~main.js) in one batch of 1 000', () => {
  // CloudFront refuses `~` raw and `%7E` matches nothing: such a key is never sent as its own
  // path but covered by a bounded wildcard (docs/invalidation-paths.md), so nothing fails.
  it('covers them with bounded wildcards within the wildcard budget, never sends a ~', async () => {
    const { cloudfront, deps } = setup();
    cloudfront.refuses = (path) => path.includes('~');
    const input = batch(50, '~');
    const tilde = new Set(input.filter((m) => m.request.key.includes('~')).map((m) => m.id));
    expect(tilde.size).toBe(50);

    const result = await invalidateBatch(deps, input);

    const sent = new Set(cloudfront.invalidations.flatMap((i) => i.paths));
    expect([...sent].some((p) => p.includes('~'))).toBe(false);
    // Every batch-mate goes at once; the wildcards beyond the in-flight budget wait their turn.
    for (const m of input) if (!tilde.has(m.id)) expect(sent.has(`/${m.request.key}`)).toBe(true);
    for (const [id, reason] of result.deferred) {
      expect(tilde.has(id)).toBe(true);
      expect(reason).not.toMatch(/rejected|refuse/);
    }
    expect(sent.size - (1000 - 50)).toBe(50 - result.deferred.size);
    expect(result.supersets).toHaveLength(50);
  });

  it('ends with every key covered over redeliveries and none in the DLQ', async () => {
    const { clock, cloudfront, deps } = setup();
    cloudfront.refuses = (path) => path.includes('~');
    const messages: QueueMessage[] = batch(50, '~').map((m) => ({
      ...m,
      visibleAt: clock.now,
      receives: 0,
    }));
    const run = await runQueue(
      clock,
      messages,
      async (b) => new Set((await invalidateBatch(deps, b)).deferred.keys()),
    );
    expect(run.left).toBe(0);
    expect(run.dlq).toEqual([]);
    const sent = new Set(cloudfront.invalidations.flatMap((i) => i.paths));
    for (const m of messages) {
      const key = m.request.key;
      const want = key.includes('~') ? `/${key.slice(0, key.indexOf('~'))}*` : `/${key}`;
      expect(sent.has(want)).toBe(true);
    }
  });
});

describe.each([['a character CloudFront is not known to refuse', '@']])(
  'many paths with %s in one batch of 1 000',
  (_name, mark) => {
    it('fails only their messages, with the reason, and invalidates every batch-mate at once', async () => {
      const { cloudfront, deps } = setup();
      cloudfront.refuses = (path) => path.includes(mark);
      const input = batch(50, mark);
      const bad = input.filter((m) => m.request.key.includes(mark)).map((m) => m.id);
      expect(bad).toHaveLength(50);

      const result = await invalidateBatch(deps, input);

      expect([...result.deferred.keys()].sort()).toEqual([...bad].sort());
      for (const id of bad) expect(result.deferred.get(id)).toMatch(/rejected|refuse/);
      const sent = new Set(cloudfront.invalidations.flatMap((i) => i.paths));
      for (const m of input)
        if (!bad.includes(m.id)) expect(sent.has(`/${m.request.key}`)).toBe(true);
      expect(cloudfront.calls).toBeLessThanOrEqual(MAX_CREATE_CALLS);
    });

    it('never sends a correct batch-mate to the DLQ over redeliveries', async () => {
      const { clock, cloudfront, deps } = setup();
      cloudfront.refuses = (path) => path.includes(mark);
      const messages: QueueMessage[] = batch(200, mark).map((m) => ({
        ...m,
        visibleAt: clock.now,
        receives: 0,
      }));
      const run = await runQueue(
        clock,
        messages,
        async (b) => new Set((await invalidateBatch(deps, b)).deferred.keys()),
      );
      expect(run.left).toBe(0);
      const good = run.dlq.filter((m) => !m.request.key.includes(mark));
      expect(good.map((m) => m.request.key).slice(0, 5)).toEqual([]);
      expect(run.dlq).toHaveLength(200);
    });
  },
);
