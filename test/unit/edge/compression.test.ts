/** Which responses CloudFront compresses (local/edge/compression.ts). */
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { compress, isCompressible } from '../../../local/edge/compression.js';

it.each([
  ['text/css', 5_000, undefined, true],
  ['text/html; charset=utf-8', 5_000, undefined, true],
  ['application/json', 999, undefined, false], // under 1 000 bytes
  ['application/json', 10_000_001, undefined, false], // over 10 MB
  ['video/mp4', 5_000, undefined, false], // not a listed type
  ['image/svg+xml', 5_000, 'gzip', false], // already encoded
  [undefined, 5_000, undefined, false],
])('%s, %i bytes, encoding %s: %s', (type, size, encoding, expected) => {
  expect(isCompressible(type, size, encoding)).toBe(expected);
});

it('compresses to gzip and Brotli that decompress to the original', () => {
  const body = Buffer.from('a'.repeat(5_000));
  expect(gunzipSync(compress(body, 'gzip')).equals(body)).toBe(true);
  expect(brotliDecompressSync(compress(body, 'br')).equals(body)).toBe(true);
});
