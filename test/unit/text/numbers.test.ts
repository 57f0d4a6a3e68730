import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatChange,
  formatCount,
  formatInteger,
  formatMs,
  formatPercent,
  formatPercentSetting,
  formatUsd,
  plural,
} from '../../../shared/text/numbers.js';

describe('formatPercent', () => {
  it.each([
    [undefined, 'n/a'],
    [Number.NaN, 'n/a'],
    [61.234, '61.2%'],
    [62, '62.0%'],
    [0.254, '0.25%'],
    [0.25, '0.25%'],
    [0, '0.0%'],
    [100, '100.0%'],
  ])('formatPercent(%s) = %s', (v, s) => expect(formatPercent(v)).toBe(s));

  it.each([
    [80, '80%'],
    [0.5, '0.5%'],
    [0.125, '0.13%'],
  ])('formatPercentSetting(%s) = %s', (v, s) => expect(formatPercentSetting(v)).toBe(s));
});

describe('counts, bytes and money', () => {
  it.each([
    [950, '950'],
    [1234, '1.23k'],
    [12_345, '12.3k'],
    [1_234_567, '1.23M'],
    [4_560_000_000, '4.56G'],
    [undefined, 'n/a'],
  ])('formatCount(%s) = %s', (v, s) => expect(formatCount(v)).toBe(s));

  it.each([
    [1234.4, '1,234'],
    [50_000, '50,000'],
  ])('formatInteger(%s) = %s', (v, s) => expect(formatInteger(v)).toBe(s));

  it.each([
    [512, '512 B'],
    [1_500_000, '1.5 MB'],
    [2_500_000_000, '2.5 GB'],
    [12_345_678_901, '12.3 GB'],
    [undefined, 'n/a'],
  ])('formatBytes(%s) = %s', (v, s) => expect(formatBytes(v)).toBe(s));

  it('formats milliseconds, dollars and plurals', () => {
    expect(formatMs(240.4)).toBe('240 ms');
    expect(formatMs(undefined)).toBe('n/a');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(plural(1, 'check')).toBe('1 check');
    expect(plural(3, 'check')).toBe('3 checks');
  });

  it('formats changes of rates in points and of counts in percent', () => {
    expect(formatChange(2.2, 'rate')).toBe('+2.2 pt');
    expect(formatChange(-0.05, 'rate')).toBe('-0.05 pt');
    expect(formatChange(0.001, 'rate')).toBe('0.0 pt');
    expect(formatChange(0.122, 'count')).toBe('+12.2%');
    expect(formatChange(undefined, 'count')).toBe('n/a');
  });
});
