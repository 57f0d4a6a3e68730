/** Checks every plain-text mail shares: a phone's width and 7-bit ASCII. */
import { expect } from 'vitest';
import { MAX_LINE_WIDTH } from '../../shared/text/layout.js';

/** Every line fits 72 columns, except a URL standing alone on its line. */
export function expectPhoneWidth(body: string): void {
  for (const line of body.split('\n')) {
    if (/^https:\/\/\S+$/.test(line)) continue;
    expect(line.length, JSON.stringify(line)).toBeLessThanOrEqual(MAX_LINE_WIDTH);
  }
}

export const isAscii = (s: string): boolean => /^[\x20-\x7e\n]*$/.test(s);
