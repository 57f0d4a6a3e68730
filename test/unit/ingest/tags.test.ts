import { describe, expect, it } from 'vitest';
import { classify } from '../../../shared/contentClasses.js';
import { cdnTags, isValidTagValue, mergeTags, type Tag } from '../../../functions/ingest/tags.js';

const video = classify('v.mp4');
const tags = (n: number, prefix = 'owner'): Tag[] =>
  Array.from({ length: n }, (_, i) => ({ Key: `${prefix}-${i}`, Value: String(i) }));

describe('cdnTags', () => {
  it('returns class, cache class, ttl and path', () => {
    expect(cdnTags(video, '/videos/clip final.mp4')).toEqual([
      { Key: 'cdn:class', Value: 'video' },
      { Key: 'cdn:cache', Value: 'video' },
      { Key: 'cdn:ttl', Value: '604800' },
      { Key: 'cdn:path', Value: '/videos/clip final.mp4' },
    ]);
  });

  it.each([['/what?.mp4'], ['/100%.mp4'], [`/${'a'.repeat(300)}`]])(
    'leaves out cdn:path when %s does not fit S3 tag rules',
    (path) => {
      expect(cdnTags(video, path).map((t) => t.Key)).not.toContain('cdn:path');
    },
  );

  it('accepts unicode letters in tag values', () => {
    expect(isValidTagValue('/vidéos/ünï.mp4')).toBe(true);
  });
});

describe('mergeTags', () => {
  const ours = cdnTags(video, '/v.mp4');

  it('adds ours to the owner tags and reports a change', () => {
    const merged = mergeTags(tags(2), ours);
    expect(merged.tagSet).toHaveLength(6);
    expect(merged.changed).toBe(true);
    expect(merged.dropped).toEqual([]);
  });

  it('replaces earlier values of our own keys and keeps the owner tags', () => {
    const existing = [...tags(1), { Key: 'cdn:class', Value: 'image' }];
    const merged = mergeTags(existing, ours);
    expect(merged.tagSet.filter((t) => t.Key === 'cdn:class')).toEqual([
      { Key: 'cdn:class', Value: 'video' },
    ]);
    expect(merged.tagSet).toContainEqual({ Key: 'owner-0', Value: '0' });
  });

  it('reports no change when the object already carries the same tags', () => {
    expect(mergeTags([...tags(3), ...ours], ours).changed).toBe(false);
  });

  it('never exceeds 10 tags and never drops an owner tag', () => {
    const merged = mergeTags(tags(8), ours);
    expect(merged.tagSet).toHaveLength(10);
    expect(merged.tagSet.slice(0, 8)).toEqual(tags(8));
    expect(merged.dropped).toEqual(['cdn:ttl', 'cdn:path']);
  });

  it('writes nothing of ours when the owner already uses all 10', () => {
    const merged = mergeTags(tags(10), ours);
    expect(merged.tagSet).toEqual(tags(10));
    expect(merged.changed).toBe(false);
    expect(merged.dropped).toHaveLength(4);
  });
});
