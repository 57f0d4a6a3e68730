import { describe, expect, it } from 'vitest';
import { classify, parseContentClasses } from '../../shared/contentClasses.js';

describe('classify', () => {
  it.each([
    ['videos/clip final.mp4', 'video', 'video', 604800],
    ['videos/CLIP.MOV', 'video', 'video', 604800],
    ['live/index.m3u8', 'streaming', 'streaming', 3600],
    ['live/seg-001.ts', 'streaming', 'streaming', 3600],
    ['charts/q3.png', 'image', 'default', 86400],
    ['charts/q3.avif', 'image', 'default', 86400],
    ['reports/q3.pdf', 'document', 'default', 86400],
    ['data/export.csv', 'document', 'default', 86400],
    ['README', 'other', 'default', 86400],
    ['.mp4', 'other', 'default', 86400],
    ['dir.mp4/file', 'other', 'default', 86400],
    ['archive.tar.gz', 'other', 'default', 86400],
  ])('classifies %s as %s (cache %s, %i s)', (key, contentClass, cacheClass, ttl) => {
    expect(classify(key)).toEqual({ contentClass, cacheClass, ttlSeconds: ttl });
  });

  it('uses configured rules', () => {
    const rules = parseContentClasses(
      '[{"name":"model","extensions":[".GLB"],"cacheClass":"video"}]',
    );
    expect(classify('a/b.glb', rules)).toEqual({
      contentClass: 'model',
      cacheClass: 'video',
      ttlSeconds: 604800,
    });
    expect(classify('a/b.mp4', rules).contentClass).toBe('other');
  });
});

describe('parseContentClasses', () => {
  it.each([
    ['not json', /not valid JSON/],
    ['{}', /expected array/],
    ['[]', /value: .*>=1|value: .*at least/i],
    ['[{"name":"Video","extensions":[".mp4"]}]', /^\[0\]\.name: must be lower-case/],
    ['[{"name":"v","extensions":["mp4"]}]', /^\[0\]\.extensions\[0\]: must look like ".mp4"/],
    ['[{"name":"v","extensions":[".mp4"],"cacheClass":"forever"}]', /^\[0\]\.cacheClass:/],
    [
      '[{"name":"a","extensions":[".x"]},{"name":"b","extensions":[".X"]}]',
      /\.x is claimed by both "a" and "b"/,
    ],
  ])('rejects %s with an error naming the element', (json, message) => {
    expect(() => parseContentClasses(json)).toThrow(message);
  });
});
