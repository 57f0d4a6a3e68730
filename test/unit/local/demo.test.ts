/** The demo's small parts: Zipf picks, the edge's counts by class, sample versions, its flags. */
import { describe, expect, it } from 'vitest';
import { edgeCountsByClass, edgeCountsOverall } from '../../../local/demoCounts.js';
import { parseDemoArgs } from '../../../local/demoOptions.js';
import { DEMO_SAMPLES, sampleBody, versionOf } from '../../../local/demoSamples.js';
import { zipfSampler } from '../../../local/demoZipf.js';
import type { TalliedPath } from '../../../local/edge/edgeTally.js';
import { edgeTally } from '../../../local/edge/edgeTally.js';
import { prng } from '../../../local/prng.js';
import { classify } from '../../../shared/contentClasses.js';

describe('zipfSampler', () => {
  it('picks rank r about in proportion to 1/r', () => {
    const pick = zipfSampler(10, 1, prng(7));
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[pick()]! += 1;
    const h = [...Array(10).keys()].reduce((n, r) => n + 1 / (r + 1), 0);
    counts.forEach((c, r) => expect(c / 100_000).toBeCloseTo(1 / (r + 1) / h, 2));
  });

  it('throws a RangeError naming n or s for a bad input', () => {
    expect(() => zipfSampler(0, 1, Math.random)).toThrow(/^n: /);
    expect(() => zipfSampler(3, -1, Math.random)).toThrow(/^s: /);
  });
});

describe('edgeCountsByClass', () => {
  const tally = (): TalliedPath[] => {
    const t = edgeTally();
    t.count('E1', '/videos/launch%20film.mp4', 'Miss', 100);
    t.count('E1', '/videos/launch%20film.mp4', 'Hit', 100);
    t.count('E1', '/images/a.png', 'RefreshHit', 10);
    t.count('E1', '/images/a.png', 'Error', 5);
    t.count('E2', '/docs/a.pdf', 'Hit', 1);
    t.count('E1', '/bad%zz.bin', 'Miss', 1);
    return t.entries();
  };

  it('groups the edge counts of a distribution by content class', () => {
    expect(edgeCountsByClass(tally(), { distributionId: 'E1' })).toEqual({
      image: { requests: 2, hits: 1, misses: 0, errors: 1, bytes: 15, hitRate: 100 },
      other: { requests: 1, hits: 0, misses: 1, errors: 0, bytes: 1, hitRate: 0 },
      video: { requests: 2, hits: 1, misses: 1, errors: 0, bytes: 200, hitRate: 50 },
    });
  });

  it('sums a distribution (or all) with the hit rate over cacheable requests', () => {
    expect(edgeCountsOverall(tally(), 'E1')).toEqual({
      requests: 5,
      hits: 2,
      misses: 2,
      errors: 1,
      bytes: 216,
      hitRate: 50,
    });
    expect(edgeCountsOverall(tally()).requests).toBe(6);
    expect(edgeCountsOverall([]).hitRate).toBeUndefined();
  });
});

describe('the samples', () => {
  it('cover every content class and carry their version', () => {
    const classes = new Set(DEMO_SAMPLES.map((s) => classify(s.key).contentClass));
    expect([...classes].sort()).toEqual(['document', 'image', 'other', 'streaming', 'video']);
    for (const s of DEMO_SAMPLES) {
      const body = sampleBody(s, 3);
      expect(body.length).toBe(s.bytes);
      expect(versionOf(body)).toBe(3);
    }
    expect(versionOf(Buffer.from('<html>'))).toBeUndefined();
  });
});

describe('parseDemoArgs', () => {
  it('reads the flags and their defaults', () => {
    expect(parseDemoArgs([], { CDN_PIPELINE_OUTBOX_DIR: '/tmp/o' })).toEqual({
      durationSeconds: 60,
      rate: 40,
      seed: 1,
      edgePort: 0,
      json: false,
      outboxDir: '/tmp/o',
    });
    expect(parseDemoArgs(['--duration', '10', '--json'], {})).toMatchObject({
      durationSeconds: 10,
      json: true,
    });
    expect(parseDemoArgs(['--help'], {})).toBeUndefined();
  });

  it.each([
    [['--duration', '0'], '--duration: must be a whole number 1-3600'],
    [['--rate', 'fast'], '--rate: must be a whole number'],
    [['--nope'], "Unknown option '--nope'"],
  ])('throws a UsageError naming the flag for %j', (argv, message) => {
    expect(() => parseDemoArgs(argv, {})).toThrow(message);
  });
});
