import { describe, expect, it } from 'vitest';
import {
  CALLER_REFERENCE_PREFIX,
  DEFAULT_ERROR_CACHING_TTL,
  MANAGED_CACHE_POLICIES,
  MANAGED_POLICY_IDS,
  MANAGED_TAG_KEYS,
  MANAGED_TAG_PREFIX,
  OBJECT_TAG_KEYS,
  SNS_TOPIC_ARN,
} from '../../shared/catalogue.js';

describe('catalogue', () => {
  it('pins the managed policy ids CloudFront documents (the same in every account)', () => {
    expect(MANAGED_POLICY_IDS.cache.cachingOptimized).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6');
    expect(MANAGED_POLICY_IDS.cache.cachingDisabled).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(MANAGED_POLICY_IDS.cache.cachingOptimizedForUncompressedObjects).toBe(
      'b2884449-e4de-46a7-ac36-70bc7f1ddd6d',
    );
    expect(MANAGED_POLICY_IDS.originRequest.corsS3Origin).toBe(
      '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf',
    );
  });

  it('describes every managed cache policy id, with the TTLs CloudFront gives it', () => {
    expect([...MANAGED_CACHE_POLICIES.keys()].sort()).toEqual(
      Object.values(MANAGED_POLICY_IDS.cache).sort(),
    );
    const optimized = MANAGED_CACHE_POLICIES.get(MANAGED_POLICY_IDS.cache.cachingOptimized)!;
    expect(optimized).toMatchObject({
      Name: 'Managed-CachingOptimized',
      MinTTL: 1,
      DefaultTTL: 86_400,
      MaxTTL: 31_536_000,
    });
    expect(optimized.ParametersInCacheKeyAndForwardedToOrigin?.EnableAcceptEncodingGzip).toBe(true);
    const disabled = MANAGED_CACHE_POLICIES.get(MANAGED_POLICY_IDS.cache.cachingDisabled)!;
    expect([disabled.MinTTL, disabled.DefaultTTL, disabled.MaxTTL]).toEqual([0, 0, 0]);
    const amplify = MANAGED_CACHE_POLICIES.get(MANAGED_POLICY_IDS.cache.amplify)!;
    expect(amplify.ParametersInCacheKeyAndForwardedToOrigin?.HeadersConfig).toEqual({
      HeaderBehavior: 'whitelist',
      Headers: { Quantity: 3, Items: ['Authorization', 'CloudFront-Viewer-Country', 'Host'] },
    });
  });

  it('keeps every distribution tag key under the reserved prefix and object tags apart', () => {
    for (const key of Object.values(MANAGED_TAG_KEYS))
      expect(key.startsWith(MANAGED_TAG_PREFIX)).toBe(true);
    expect(Object.values(MANAGED_TAG_KEYS)).toEqual([
      'cdn-pipeline:managed',
      'cdn-pipeline:bucket',
      'cdn-pipeline:name',
      'cdn-pipeline:stage',
    ]);
    expect(Object.values(OBJECT_TAG_KEYS)).toEqual([
      'cdn:class',
      'cdn:cache',
      'cdn:ttl',
      'cdn:path',
    ]);
    expect(CALLER_REFERENCE_PREFIX).toBe('cdnp-');
    expect(DEFAULT_ERROR_CACHING_TTL).toBe(10);
  });

  it.each([
    ['arn:aws:sns:eu-west-1:123456789012:alerts', true],
    ['arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts.fifo', true],
    ['arn:aws:sqs:eu-west-1:123456789012:alerts', false],
    ['arn:aws:sns:eu-west-1:12345:alerts', false],
    ['alerts', false],
  ])('SNS_TOPIC_ARN matches %s: %s', (arn, ok) => expect(SNS_TOPIC_ARN.test(arn)).toBe(ok));
});
