import { describe, expect, it } from 'vitest';
import { loadIngestConfig, loadInvalidateConfig } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';

const queue = 'https://sqs.us-east-1.amazonaws.com/123456789012/requests';

describe('loadIngestConfig', () => {
  it('returns defaults when only the queue is set', () => {
    const config = loadIngestConfig({ INVALIDATION_QUEUE_URL: queue });
    expect(config.invalidateOn).toBe('overwrites');
    expect(config.contentClasses.map((c) => c.name)).toEqual([
      'video',
      'streaming',
      'image',
      'document',
    ]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{}, /INVALIDATION_QUEUE_URL: .*\(not set\)/],
    [{ INVALIDATION_QUEUE_URL: 'nope' }, /INVALIDATION_QUEUE_URL: .*\(got "nope"\)/],
    [
      { INVALIDATION_QUEUE_URL: queue, INVALIDATE_ON: 'sometimes' },
      /INVALIDATE_ON: .*\(got "sometimes"\)/,
    ],
    [
      { INVALIDATION_QUEUE_URL: queue, CONTENT_CLASSES: '[{"name":"x"}]' },
      /CONTENT_CLASSES: \[0\]\.extensions/,
    ],
  ])('fails fast naming the variable for %j', (env, message) => {
    expect(() => loadIngestConfig(env)).toThrow(ConfigError);
    expect(() => loadIngestConfig(env)).toThrow(message);
  });
});

describe('loadInvalidateConfig', () => {
  it('returns the documented defaults', () => {
    expect(loadInvalidateConfig({})).toEqual({
      distributionIds: undefined,
      maxInflightPaths: 2800,
      maxInflightWildcards: 13,
      collapseMinSiblings: 20,
      wildcardMaxUnchanged: 100,
      discoveryCacheMs: 60_000,
    });
  });

  it('parses a distribution list and treats an empty one as unset', () => {
    expect(loadInvalidateConfig({ DISTRIBUTION_IDS: ' E1, E2 ,' }).distributionIds).toEqual([
      'E1',
      'E2',
    ]);
    expect(loadInvalidateConfig({ DISTRIBUTION_IDS: '' }).distributionIds).toBeUndefined();
  });

  it.each([
    [{ MAX_INFLIGHT_PATHS: '3001' }, /MAX_INFLIGHT_PATHS/],
    [{ MAX_INFLIGHT_WILDCARDS: '16' }, /MAX_INFLIGHT_WILDCARDS/],
    [{ COLLAPSE_MIN_SIBLINGS: 'many' }, /COLLAPSE_MIN_SIBLINGS: .*\(got "many"\)/],
  ])('rejects quotas CloudFront would refuse: %j', (env, message) => {
    expect(() => loadInvalidateConfig(env)).toThrow(message);
  });
});
