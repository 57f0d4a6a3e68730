/** The request message's cache-tag fields, as invalidate parses them (bad tag → the field named). */
import { describe, expect, it } from 'vitest';
import { parseRequestBody } from '../../../functions/invalidate/parseRequest.js';

const base = { v: 1, bucket: 'example-content', key: 'hls/a/seg-1.ts', reason: 'overwrite' };
const body = (extra: Record<string, unknown>) => JSON.stringify({ ...base, ...extra });

describe('parseRequestBody: cache tags', () => {
  it('accepts tags and declared member counts', () => {
    const parsed = parseRequestBody(
      body({ cacheTags: ['ladder:7', 'Title-7'], cacheTagMembers: { 'ladder:7': 501 } }),
    );
    expect(parsed.error).toBeUndefined();
    expect(parsed.request?.cacheTags).toEqual(['ladder:7', 'Title-7']);
    expect(parsed.request?.cacheTagMembers).toEqual({ 'ladder:7': 501 });
  });

  it('still accepts a message without tags (an older ingest)', () => {
    expect(parseRequestBody(body({})).request?.cacheTags).toBeUndefined();
  });

  it.each([
    [{ cacheTags: ['ok', 'has space'] }, 'cacheTags[1]', /printable ASCII 33–126/],
    [{ cacheTags: ['a,b'] }, 'cacheTags[0]', /comma/],
    [{ cacheTags: ['video:*'] }, 'cacheTags[0]', /wildcards/],
    [{ cacheTags: ['x'.repeat(257)] }, 'cacheTags[0]', /at most 256/],
    [{ cacheTags: [''] }, 'cacheTags[0]', /is empty/],
    [{ cacheTags: 'ladder:7' }, 'cacheTags', /must be an array/],
    [{ cacheTagMembers: { t: 0 } }, 'cacheTagMembers.t', /must be >= 1/],
  ])('refuses %j naming %s', (extra, field, message) => {
    const parsed = parseRequestBody(body(extra));
    expect(parsed.request).toBeUndefined();
    expect(parsed.field).toBe(field);
    expect(parsed.error).toMatch(message);
    expect(parsed.error!.startsWith(`${field}: `)).toBe(true);
  });

  it('refuses more than 50 tags (CloudFront keeps 50 an object)', () => {
    const tags = Array.from({ length: 51 }, (_, i) => `t${i}`);
    expect(parseRequestBody(body({ cacheTags: tags })).field).toBe('cacheTags');
  });
});
