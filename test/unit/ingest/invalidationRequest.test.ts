/** The request message's new-key condition, as invalidate must apply it per distribution. */
import { describe, expect, it } from 'vitest';
import {
  appliesToDistribution,
  invalidationRequestSchema,
  missingObjectErrorTtl,
  type InvalidationRequest,
} from '../../../shared/invalidation/request.js';

const overwrite: InvalidationRequest = {
  v: 1,
  bucket: 'example-content',
  key: 'a.png',
  reason: 'overwrite',
};
const newKey: InvalidationRequest = { ...overwrite, reason: 'new-object', ifErrorCachedOver: 120 };
const errors = (...items: Array<[number, number]>) => ({
  CustomErrorResponses: {
    Items: items.map(([ErrorCode, ErrorCachingMinTTL]) => ({ ErrorCode, ErrorCachingMinTTL })),
  },
});

describe('missingObjectErrorTtl', () => {
  it("is CloudFront's 10 s when the distribution sets nothing", () => {
    expect(missingObjectErrorTtl({})).toBe(10);
  });
  it('is the longer of 403 (S3 through OAC without ListBucket) and 404', () => {
    expect(missingObjectErrorTtl(errors([404, 300]))).toBe(300);
    expect(missingObjectErrorTtl(errors([403, 86_400], [404, 60]))).toBe(86_400);
    expect(missingObjectErrorTtl(errors([500, 999_999]))).toBe(10);
  });
});

describe('appliesToDistribution', () => {
  it('applies an ordinary request everywhere', () => {
    expect(appliesToDistribution(overwrite, 0)).toBe(true);
  });
  it('applies a new-key request only where the error outlives the threshold', () => {
    expect(appliesToDistribution(newKey, 10)).toBe(false);
    expect(appliesToDistribution(newKey, 120)).toBe(false);
    expect(appliesToDistribution(newKey, 121)).toBe(true);
  });
});

describe('the request schema', () => {
  it('still accepts a message from an older ingest (no new fields)', () => {
    expect(invalidationRequestSchema.parse(overwrite)).toEqual(overwrite);
  });
  it('names the field when the condition is not a whole number of seconds', () => {
    const result = invalidationRequestSchema.safeParse({ ...newKey, ifErrorCachedOver: -1 });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['ifErrorCachedOver']);
  });
});
