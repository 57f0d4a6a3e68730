/**
 * One content-class definition, read by ingest (classification and tags), provisioning (the
 * spec's cache behaviours) and the report (which extensions are long-lived or compressible).
 * These fail when a class or an extension is added for one reader only.
 */
import { describe, expect, it } from 'vitest';
import { behaviourPlan } from '../../functions/provision/policies.js';
import {
  CACHE_CLASSES,
  classify,
  COMPRESSIBLE_EXTENSIONS,
  CONTENT_CLASS_NAME,
  DEFAULT_CONTENT_CLASSES,
  LONG_LIVED_EXTENSIONS,
  parseContentClasses,
  PRECOMPRESSED_EXTENSIONS,
} from '../../shared/contentClasses.js';
import { parseDistributionSpec } from '../../shared/distributionSpec.js';

const spec = parseDistributionSpec({ bucket: 'my-content' });
const builtIn = DEFAULT_CONTENT_CLASSES.flatMap((rule) =>
  rule.extensions.map((ext) => [rule.name, ext, rule.cacheClass] as const),
);

describe('one content-class definition', () => {
  it.each(builtIn)(
    'serves %s objects (%s) with the TTL ingest tags them with',
    (name, ext, cacheClass) => {
      const tagged = classify(`objects/file${ext}`);
      expect(tagged).toEqual({
        contentClass: name,
        cacheClass,
        ttlSeconds: CACHE_CLASSES[cacheClass].ttlSeconds,
      });
      const served = spec.contentClasses.find((c) => c.extensions.includes(ext));
      if (cacheClass === 'default') {
        expect(served).toBeUndefined();
        expect(spec.defaultBehavior.defaultTtl).toBe(tagged.ttlSeconds);
      } else {
        expect(served?.name).toBe(name);
        expect(served?.defaultTtl).toBe(tagged.ttlSeconds);
      }
    },
  );

  it('builds a cache behaviour for exactly the built-in classes with a cache class of their own', () => {
    const own = DEFAULT_CONTENT_CLASSES.filter((rule) => rule.cacheClass !== 'default');
    expect(spec.contentClasses.map((c) => c.name)).toEqual(own.map((rule) => rule.name));
    const patterns = behaviourPlan(spec).behaviours.map((b) => b.pathPattern);
    expect(patterns).toEqual(own.flatMap((rule) => rule.extensions.map((ext) => `*${ext}`)));
  });

  it('reads the built-in classes back when CONTENT_CLASSES spells them out', () => {
    expect(parseContentClasses(JSON.stringify(DEFAULT_CONTENT_CLASSES))).toEqual(
      DEFAULT_CONTENT_CLASSES,
    );
  });

  it('rejects a class name the same way in CONTENT_CLASSES and in a spec', () => {
    expect(() => parseContentClasses('[{"name":"Video","extensions":[".mp4"]}]')).toThrow(
      CONTENT_CLASS_NAME.rule,
    );
    expect(() =>
      parseDistributionSpec({
        bucket: 'my-content',
        contentClasses: { Video: { extensions: ['.mp4'] } },
      }),
    ).toThrow(CONTENT_CLASS_NAME.rule);
  });

  it('lets the report judge every extension of a long-lived class as long-lived', () => {
    for (const [name, ext, cacheClass] of builtIn) {
      if (cacheClass === 'video' || name === 'image') {
        expect(LONG_LIVED_EXTENSIONS.has(ext), `${name} ${ext}`).toBe(true);
      }
      if (cacheClass === 'streaming') {
        expect(LONG_LIVED_EXTENSIONS.has(ext), `${name} ${ext}`).toBe(false);
      }
    }
  });

  it('never calls an extension both already compressed and compressible', () => {
    for (const ext of COMPRESSIBLE_EXTENSIONS) {
      expect(PRECOMPRESSED_EXTENSIONS.has(ext), ext).toBe(false);
    }
  });
});
