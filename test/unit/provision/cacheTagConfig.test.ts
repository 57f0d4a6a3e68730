/** The spec's `cacheTagHeader` → the distribution's CacheTagConfig, and the exact diff when it changes. */
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { adoptedConfig } from '../../../functions/provision/adoptConfig.js';
import {
  configDiff,
  mergeForUpdate,
  specCallerReference,
  toDistributionConfig,
  type DistributionRefs,
} from '../../../functions/provision/distributionConfig.js';
import { cachePolicyConfigs } from '../../../functions/provision/policies.js';
import { parseDistributionSpec, type DistributionSpec } from '../../../shared/distributionSpec.js';
import { InvalidInputError } from '../../../shared/errors.js';

const spec = (extra: Record<string, unknown> = {}) =>
  parseDistributionSpec({ bucket: 'my-content', ...extra });
const refsFor = (s: DistributionSpec): DistributionRefs => ({
  callerReference: specCallerReference(s),
  originAccessControlId: 'E2OACID',
  cachePolicyIds: Object.fromEntries(cachePolicyConfigs(s).map((p) => [p.name, `id-${p.name}`])),
  responseHeadersPolicyId: 'rhp-id',
});
const build = (extra: Record<string, unknown> = {}) => {
  const s = spec(extra);
  return toDistributionConfig(s, refsFor(s));
};

describe('cacheTagHeader', () => {
  it('is off by default: no CacheTagConfig', () => {
    expect(spec().cacheTagHeader).toBeUndefined();
    expect(build().CacheTagConfig).toBeUndefined();
  });

  it('becomes CacheTagConfig.HeaderName, lower-cased (S3 origins: x-amz-meta-cache-tag)', () => {
    expect(build({ cacheTagHeader: 'X-Amz-Meta-Cache-Tag' }).CacheTagConfig).toEqual({
      HeaderName: 'x-amz-meta-cache-tag',
    });
  });

  it.each([['x amz'], [''], ['x-amz-meta-cache-tag:'], [42]])(
    'refuses %j naming the field',
    (value) => {
      expect(() => spec({ cacheTagHeader: value })).toThrow(InvalidInputError);
      try {
        spec({ cacheTagHeader: value });
      } catch (error) {
        expect((error as InvalidInputError).field).toBe('cacheTagHeader');
      }
    },
  );

  it('diffs exactly: nothing on a re-run, CacheTagConfig alone when it is turned on or off', () => {
    const on = build({ cacheTagHeader: 'x-amz-meta-cache-tag' });
    const off = build();
    // CloudFront's answer has no CacheTagConfig when there is none.
    expect(configDiff(on, on)).toEqual([]);
    expect(configDiff(off, off)).toEqual([]);
    expect(configDiff(off, on)).toEqual(['CacheTagConfig']);
    expect(configDiff(on, off)).toEqual(['CacheTagConfig']);
    expect(configDiff(on, build({ cacheTagHeader: 'x-cache-tags' }))).toEqual(['CacheTagConfig']);
  });

  it('is removed by the update when turned off (an update replaces the whole config)', () => {
    const on = build({ cacheTagHeader: 'x-amz-meta-cache-tag' });
    const merged = mergeForUpdate(on, build());
    expect(merged.CacheTagConfig).toBeUndefined();
    expect(mergeForUpdate(build(), on).CacheTagConfig).toEqual({
      HeaderName: 'x-amz-meta-cache-tag',
    });
  });

  it('on adoption: set when the spec asks, the team’s own kept otherwise', () => {
    const team: DistributionConfig = {
      ...build(),
      CallerReference: 'team-ref',
      CacheTagConfig: { HeaderName: 'x-team-tags' },
    };
    const s = spec();
    expect(adoptedConfig(team, s, refsFor(s)).CacheTagConfig).toEqual({
      HeaderName: 'x-team-tags',
    });
    const asked = spec({ cacheTagHeader: 'x-amz-meta-cache-tag' });
    expect(adoptedConfig(team, asked, refsFor(asked)).CacheTagConfig).toEqual({
      HeaderName: 'x-amz-meta-cache-tag',
    });
  });
});
