/** Ingest's pick of the env schema: the overwrite-detection variables, their defaults and errors. */
import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../../../functions/ingest/config.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/requests';

describe('loadIngestConfig', () => {
  it('defaults: versioning reused 5 min, new keys never invalidated, threshold 120 s', () => {
    expect(loadIngestConfig({ INVALIDATION_QUEUE_URL: QUEUE })).toMatchObject({
      invalidateOn: 'overwrites',
      versioningCacheSeconds: 300,
      invalidateNewKeys: 'never',
      newKeyErrorTtlSeconds: 120,
      recordConcurrency: 10,
    });
  });

  it.each([
    ['VERSIONING_CACHE_SECONDS', '3601'],
    ['VERSIONING_CACHE_SECONDS', 'soon'],
    ['INVALIDATE_NEW_KEYS', 'sometimes'],
    ['NEW_KEY_ERROR_TTL_SECONDS', '-1'],
    ['INGEST_CONCURRENCY', '0'],
    ['INGEST_CONCURRENCY', '2.5'],
  ])('names %s when it is %s', (variable, value) => {
    expect(() => loadIngestConfig({ INVALIDATION_QUEUE_URL: QUEUE, [variable]: value })).toThrow(
      new RegExp(`${variable}.*got "${value}"`),
    );
  });
});
