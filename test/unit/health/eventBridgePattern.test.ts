/** The pattern reading behind the EventBridge route of the object-created check. */
import { describe, expect, it } from 'vitest';
import { matchObjectCreated } from '../../../functions/health/eventBridgeRoute.js';

const base = { source: ['aws.s3'], 'detail-type': ['Object Created'] };

describe('matchObjectCreated', () => {
  it('matches the pattern the stack writes, for a listed bucket', () => {
    const pattern = { ...base, detail: { bucket: { name: ['a', 'charts.example.com'] } } };
    expect(matchObjectCreated(pattern, 'charts.example.com')).toEqual({ kind: 'all' });
  });

  it('names the field that leaves the bucket out', () => {
    const pattern = { ...base, detail: { bucket: { name: ['other'] } } };
    expect(matchObjectCreated(pattern, 'charts')).toEqual({
      kind: 'none',
      why: 'its detail.bucket.name leaves out charts',
    });
    expect(matchObjectCreated({ ...base, 'detail-type': ['Object Deleted'] }, 'charts')).toEqual({
      kind: 'none',
      why: 'its detail-type leaves out Object Created',
    });
  });

  it('takes absent fields as matching anything, and a bucket-name prefix matcher', () => {
    expect(matchObjectCreated({}, 'charts')).toEqual({ kind: 'all' });
    expect(
      matchObjectCreated(
        { ...base, detail: { bucket: { name: [{ prefix: 'chart' }] } } },
        'charts',
      ),
    ).toEqual({ kind: 'all' });
  });

  it('reports key prefixes, an empty prefix covering every key', () => {
    const keyed = (key: unknown) => ({
      ...base,
      detail: { bucket: { name: ['c'] }, object: { key } },
    });
    expect(matchObjectCreated(keyed([{ prefix: 'a/' }, { prefix: 'b/' }]), 'c')).toEqual({
      kind: 'prefixes',
      prefixes: ['a/', 'b/'],
    });
    expect(matchObjectCreated(keyed([{ prefix: '' }]), 'c')).toEqual({ kind: 'all' });
  });

  it('does not guess at operators it does not read', () => {
    const pattern = { ...base, detail: { bucket: { name: [{ 'anything-but': 'x' }] } } };
    expect(matchObjectCreated(pattern, 'charts')).toEqual({ kind: 'unknown' });
  });
});
