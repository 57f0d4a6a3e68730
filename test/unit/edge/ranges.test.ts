/** Range headers (local/edge/ranges.ts). */
import { expect, it } from 'vitest';
import { parseRange } from '../../../local/edge/ranges.js';

it.each([
  [undefined, 100, { kind: 'whole' }],
  ['bytes=0-9', 100, { kind: 'partial', start: 0, end: 9 }],
  ['bytes=90-', 100, { kind: 'partial', start: 90, end: 99 }],
  ['bytes=90-500', 100, { kind: 'partial', start: 90, end: 99 }],
  ['bytes=-10', 100, { kind: 'partial', start: 90, end: 99 }],
  ['bytes=-500', 100, { kind: 'partial', start: 0, end: 99 }],
  ['bytes=100-', 100, { kind: 'unsatisfiable' }],
  ['bytes=-0', 100, { kind: 'unsatisfiable' }],
  ['bytes=0-', 0, { kind: 'unsatisfiable' }],
  ['bytes=9-1', 100, { kind: 'whole' }], // invalid: ignored
  ['items=0-9', 100, { kind: 'whole' }],
  ['bytes=0-1,5-6', 100, { kind: 'whole' }], // several ranges: served whole
  ['bytes=abc', 100, { kind: 'whole' }],
] as const)('Range %s of %i bytes → %o', (header, size, expected) => {
  expect(parseRange(header, size)).toEqual(expected);
});
