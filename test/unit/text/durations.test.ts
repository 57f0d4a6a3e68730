import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatRoughDuration,
  formatSeconds,
  formatStepTime,
  formatStopwatch,
  formatTime,
  formatWholeDuration,
} from '../../../shared/text/durations.js';

describe('durations', () => {
  it.each([
    [0, '0 s'],
    [90, '90 s'],
    [600, '600 s (10 min)'],
    [3600, '3,600 s (1 h)'],
    [86_400, '86,400 s (1 d)'],
    [604_800, '604,800 s (7 d)'],
    [31_536_000, '31,536,000 s (1 y)'],
  ])('formatSeconds(%s) is %s', (value, text) => expect(formatSeconds(value)).toBe(text));

  it.each([
    [90, '90 s'],
    [900, '15 min'],
    [3600, '1 h'],
    [86_400, '1 d'],
    [604_800, '7 d'],
  ])('formatWholeDuration(%s) is %s', (value, text) =>
    expect(formatWholeDuration(value)).toBe(text),
  );

  it.each([
    [12_000, '12 s'],
    [372_000, '6 min 12 s'],
    [2_700_000, '45 min'],
    [3_900_000, '1 h 5 min'],
    [7_200_000, '2 h'],
  ])('formatDuration(%i ms) is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [15 * 60_000, '15 min'],
    [119 * 60_000, '119 min'],
    [24 * 3_600_000, '24 h'],
    [7 * 86_400_000, '7 days'],
  ])('formatRoughDuration(%i ms) is %s', (ms, text) => expect(formatRoughDuration(ms)).toBe(text));

  it.each([
    [850, '850 ms'],
    [1_234, '1.2 s'],
  ])('formatStepTime(%i) is %s', (ms, text) => expect(formatStepTime(ms)).toBe(text));

  it.each([
    [900, '0.9s'],
    [75_000, '1m15s'],
    [600_000, '10m00s'],
  ])('formatStopwatch(%i) is %s', (ms, text) => expect(formatStopwatch(ms)).toBe(text));

  it('writes a moment to the minute, in UTC', () => {
    expect(formatTime('2025-06-01T08:15:42Z')).toBe('2025-06-01 08:15 UTC');
    expect(formatTime(new Date('2025-06-01T23:59:00Z'))).toBe('2025-06-01 23:59 UTC');
  });
});
