/**
 * The per-class parts of the report, pure: when a class is judged, the class's TTL read from its
 * behaviour, and a recommendation that cites the class with its numbers.
 */
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTENT_CLASSES } from '../../../shared/contentClasses.js';
import { observeClass } from '../../../functions/report/classAlarms.js';
import { summarizeClass } from '../../../functions/report/classMetrics.js';
import {
  classRecommendations,
  classTable,
  classTtl,
} from '../../../functions/report/classReport.js';

const video = (hits: number, misses: number) =>
  summarizeClass('E1EXAMPLE', 'video', {
    Requests: hits + misses + 10,
    Hits: hits,
    Misses: misses,
    Errors: 10,
    Bytes: 5e9,
  });
const thresholds = { hitRateMin: 80, classHitRateMin: { video: 90 } };

/** `*.mp4` on a legacy behaviour with a 1-hour default TTL; the default behaviour 1 day. */
const CONFIG = {
  DefaultCacheBehavior: { ForwardedValues: {}, MinTTL: 0, DefaultTTL: 86_400, MaxTTL: 31_536_000 },
  CacheBehaviors: {
    Quantity: 1,
    Items: [
      { PathPattern: '*.mp4', ForwardedValues: {}, MinTTL: 0, DefaultTTL: 3600, MaxTTL: 86_400 },
    ],
  },
} as unknown as DistributionConfig;

describe('observeClass', () => {
  it('judges a class on its hits + misses, against its own threshold', () => {
    expect(observeClass(video(610, 390), 90, 500)).toEqual({ breaching: true, value: 61 });
    expect(observeClass(video(960, 40), 90, 500)).toEqual({ breaching: false, value: 96 });
  });

  it('judges nothing on light traffic or without logs', () => {
    expect(observeClass(video(61, 39), 90, 500)).toMatchObject({
      breaching: undefined,
      reason: 'low-traffic',
    });
    expect(observeClass(undefined, 90, 500)).toMatchObject({
      breaching: undefined,
      reason: 'no-data',
    });
  });
});

describe('class TTL and recommendation', () => {
  it("reads the class's own behaviour, else the default one", () => {
    expect(classTtl('video', DEFAULT_CONTENT_CLASSES, CONFIG, undefined)).toBe(3600);
    expect(classTtl('image', DEFAULT_CONTENT_CLASSES, CONFIG, undefined)).toBe(86_400);
    expect(classTtl('video', DEFAULT_CONTENT_CLASSES, undefined, undefined)).toBeUndefined();
  });

  it('cites the class, its hit rate, its threshold and its TTL', () => {
    const [rec, ...more] = classRecommendations({
      classes: [video(610, 390), video(960, 40)],
      thresholds,
      rules: DEFAULT_CONTENT_CLASSES,
      config: CONFIG,
    });
    expect(more).toEqual([]);
    expect(rec).toMatchObject({
      id: 'class-hit-rate:video',
      title: 'video: 61.0% hits, TTL 1 h',
      evidence: expect.stringContaining('(threshold 90%) over 1,000 cacheable of 1,010 requests'),
      expectedEffect: expect.stringContaining('A default TTL of 1 h'),
    });
  });

  it('marks a class below its minimum in the table', () => {
    const lines = classTable([video(610, 390)], thresholds);
    expect(lines[2]).toMatch(/^ {2}video\s+1\.01k\s+61\.0%!\s+90%\s+0\.99%\s+5 GB$/);
    expect(lines.at(-1)).toContain('below the class minimum');
  });
});
