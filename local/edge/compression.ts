/**
 * LOCAL ONLY (the local edge). CloudFront's edge compression (CloudFront DG, "Serve compressed
 * files"): on a behaviour with `Compress: true` whose cache policy puts gzip/Brotli in the cache
 * key, a response of a listed content type, 1 000 to 10 000 000 bytes, with no Content-Encoding
 * of its own, is compressed to the coding the viewer accepts (Brotli first).
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const COMPRESSIBLE_MIN_BYTES = 1_000;
export const COMPRESSIBLE_MAX_BYTES = 10_000_000;

/** The content types CloudFront compresses (DG, "File types that CloudFront compresses"). */
export const COMPRESSIBLE_TYPES: ReadonlySet<string> = new Set([
  'application/dash+xml',
  'application/eot',
  'application/font',
  'application/font-sfnt',
  'application/javascript',
  'application/json',
  'application/opentype',
  'application/otf',
  'application/pdf',
  'application/pkcs7-mime',
  'application/protobuf',
  'application/rss+xml',
  'application/truetype',
  'application/ttf',
  'application/vnd.apple.mpegurl',
  'application/vnd.mapbox-vector-tile',
  'application/vnd.ms-fontobject',
  'application/wasm',
  'application/x-font-opentype',
  'application/x-font-truetype',
  'application/x-font-ttf',
  'application/x-httpd-cgi',
  'application/x-javascript',
  'application/x-mpegurl',
  'application/x-opentype',
  'application/x-otf',
  'application/x-perl',
  'application/x-ttf',
  'application/xhtml+xml',
  'application/xml',
  'font/eot',
  'font/opentype',
  'font/otf',
  'font/ttf',
  'image/svg+xml',
  'text/css',
  'text/csv',
  'text/html',
  'text/javascript',
  'text/js',
  'text/plain',
  'text/richtext',
  'text/tab-separated-values',
  'text/x-component',
  'text/x-java-source',
  'text/x-script',
  'text/xml',
  'vnd.apple.mpegurl',
]);

/** Whether CloudFront would compress a body of this type and size (no coding of its own). */
export function isCompressible(
  contentType: string | undefined,
  size: number,
  contentEncoding: string | undefined,
): boolean {
  if (contentEncoding && contentEncoding !== 'identity') return false;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return (
    COMPRESSIBLE_TYPES.has(type) && size >= COMPRESSIBLE_MIN_BYTES && size <= COMPRESSIBLE_MAX_BYTES
  );
}

export function compress(body: Buffer, coding: 'br' | 'gzip'): Buffer {
  return coding === 'br'
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
    : gzipSync(body);
}
