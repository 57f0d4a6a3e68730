import { describe, expect, it } from 'vitest';
import { callerReference } from '../../../shared/invalidation/callerReference.js';

const DIST = 'E2EXAMPLE12345';
const PATHS = ['/renders/r1/*', '/reports/a%20b.pdf'];
const IDS = ['content/renders/r1/f.png@v1', 'content/reports/a b.pdf#etag1@2026-11-22T00:00:00Z'];

describe('callerReference', () => {
  it('returns cdnp- and 40 lower-case hex characters', () => {
    expect(callerReference(DIST, PATHS, IDS)).toMatch(/^cdnp-[0-9a-f]{40}$/);
  });

  it('returns the same reference when paths and identities come in another order or repeat', () => {
    const reference = callerReference(DIST, PATHS, IDS);
    expect(callerReference(DIST, [...PATHS].reverse(), [...IDS].reverse())).toBe(reference);
    expect(callerReference(DIST, [...PATHS, PATHS[0]!], [IDS[1]!, ...IDS])).toBe(reference);
  });

  describe.each([
    { name: 'the distribution differs', dist: 'E2OTHER', paths: PATHS, ids: IDS },
    { name: 'a path differs', dist: DIST, paths: ['/renders/r1/*', '/reports/a b.pdf'], ids: IDS },
    { name: 'a path is missing', dist: DIST, paths: PATHS.slice(1), ids: IDS },
    {
      name: 'an identity differs (later overwrite)',
      dist: DIST,
      paths: PATHS,
      ids: [IDS[0]!, 'x@v2'],
    },
    { name: 'an identity is added', dist: DIST, paths: PATHS, ids: [...IDS, 'content/x@v9'] },
    {
      name: 'a path moves to the identities',
      dist: DIST,
      paths: [PATHS[0]!],
      ids: [...IDS, PATHS[1]!],
    },
  ])('when $name', ({ dist, paths, ids }) => {
    it('returns another reference', () => {
      expect(callerReference(dist, paths, ids)).not.toBe(callerReference(DIST, PATHS, IDS));
    });
  });

  it.each([
    { a: [['/a,/b'], []], b: [['/a', '/b'], []] },
    { a: [['/a'], ['b']], b: [['/a', 'b'], []] },
    { a: [['/a"', '/b'], []], b: [['/a', '"/b'], []] },
  ] as const)(
    'returns different references when the encoding could be ambiguous ($a)',
    ({ a, b }) => {
      expect(callerReference(DIST, a[0], a[1])).not.toBe(callerReference(DIST, b[0], b[1]));
    },
  );
});
