import { describe, expect, it } from 'vitest';
import { planInvalidation, type PlanInput } from '../../../shared/invalidation/plan.js';
import { planWithTags, type TaggedObject } from '../../../shared/invalidation/tags.js';

const DEFAULTS = {
  inFlight: { files: 0, wildcards: 0 },
  limits: { maxFiles: 2800, maxWildcards: 13 },
  collapse: { minSiblings: 20, maxUnchanged: 100 },
} as const;

/** One request per key `k`, ids `r0`…; each object in its own folder (no wildcard helps). */
function scattered(n: number, from = 0): PlanInput['requests'] {
  return Array.from({ length: n }, (_, i) => ({
    id: `r${from + i}`,
    path: `/d${from + i}/seg-${from + i}.ts`,
  }));
}

function tagged(
  ids: readonly string[],
  tags: readonly string[],
  members?: Record<string, number>,
): Map<string, TaggedObject> {
  return new Map(
    ids.map((id) => [id, { object: `b/${id}`, tags, ...(members ? { members } : {}) }]),
  );
}

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `r${from + i}`);

describe('planWithTags', () => {
  it('is the path plan, unchanged, without tagged requests', () => {
    const input = { ...DEFAULTS, requests: scattered(5) };
    const plan = planWithTags(input, { tagged: new Map() });
    expect({ ...plan, tags: undefined, taggedBy: undefined }).toEqual({
      ...planInvalidation(input),
      tags: undefined,
      taggedBy: undefined,
    });
  });

  it('sends one #tag for changed objects whose tag has no unchanged member left beyond the limit', () => {
    const plan = planWithTags(
      { ...DEFAULTS, requests: scattered(5) },
      { tagged: tagged(ids(5), ['Ladder:7'], { 'ladder:7': 5 }) },
    );
    expect(plan.paths).toEqual(['#ladder:7']);
    expect(plan.accepted).toEqual(ids(5));
    expect(plan.deferred).toEqual([]);
    expect(plan.tags).toEqual([{ item: '#ladder:7', covers: 5, unchanged: 0 }]);
    expect(plan.taggedBy.get('r3')).toBe('#ladder:7');
  });

  it('counts the tag members that did not change as unchanged, bounded like a wildcard', () => {
    const input = { ...DEFAULTS, requests: scattered(25) };
    const within = planWithTags(input, { tagged: tagged(ids(25), ['t'], { t: 125 }) });
    expect(within.paths).toEqual(['#t']);
    expect(within.tags[0]!.unchanged).toBe(100);
    const over = planWithTags(input, { tagged: tagged(ids(25), ['t'], { t: 126 }) });
    expect(over.paths).toEqual(planInvalidation(input).paths);
  });

  it('evicts unchanged members only for as many changed ones as a folder needs to collapse', () => {
    // 19 changed of 20 members: one unchanged evicted for 19 paths saved, below minSiblings (20).
    const input = { ...DEFAULTS, requests: scattered(19) };
    expect(planWithTags(input, { tagged: tagged(ids(19), ['t'], { t: 20 }) }).paths).toHaveLength(
      19,
    );
    // Every member changed: exact, used from two paths on.
    expect(planWithTags(input, { tagged: tagged(ids(19), ['t'], { t: 19 }) }).paths).toEqual([
      '#t',
    ]);
  });

  it('never uses a tag whose size is unknown, or declared smaller than its changed members', () => {
    const input = { ...DEFAULTS, requests: scattered(5) };
    expect(planWithTags(input, { tagged: tagged(ids(5), ['t']) }).paths).toHaveLength(5);
    expect(planWithTags(input, { tagged: tagged(ids(5), ['t'], { t: 4 }) }).paths).toHaveLength(5);
  });

  it('counts members changed in earlier calls of the burst as changed, not unchanged', () => {
    const input = { ...DEFAULTS, requests: scattered(3) };
    const tags = tagged(ids(3), ['t'], { t: 6 });
    expect(planWithTags(input, { tagged: tags }).paths).toHaveLength(3);
    const plan = planWithTags(input, {
      tagged: tags,
      // b/r0 is this call's own: not counted twice.
      changedElsewhere: (tag) => (tag === 't' ? ['b/x', 'b/y', 'b/z', 'b/r0'] : []),
    });
    expect(plan.paths).toEqual(['#t']);
    expect(plan.tags[0]!.unchanged).toBe(0);
  });

  it('keeps one path as a path (a tag item would bill the same)', () => {
    const plan = planWithTags(
      { ...DEFAULTS, requests: scattered(1) },
      { tagged: tagged(ids(1), ['t'], { t: 1 }) },
    );
    expect(plan.paths).toEqual(['/d0/seg-0.ts']);
  });

  it('counts a tag against the wildcard pool too: no wildcard room, no tag', () => {
    const plan = planWithTags(
      { ...DEFAULTS, inFlight: { files: 0, wildcards: 13 }, requests: scattered(5) },
      { tagged: tagged(ids(5), ['t'], { t: 5 }) },
    );
    expect(plan.paths).toHaveLength(5);
    expect(plan.tags).toEqual([]);
  });

  it('counts a tag against the file pool: it fits when it frees paths, not beyond', () => {
    // 3 files of room: the path plan sends 3 and defers 3; the tag takes all 6 in one item.
    const input = {
      ...DEFAULTS,
      limits: { maxFiles: 3, maxWildcards: 13 },
      requests: scattered(6),
    };
    expect(planInvalidation(input).deferred).toHaveLength(3);
    const plan = planWithTags(input, { tagged: tagged(ids(6), ['t'], { t: 6 }) });
    expect(plan.paths).toEqual(['#t']);
    expect(plan.accepted).toEqual(ids(6));
    // No file room at all: a tag cannot be sent either.
    const full = planWithTags(
      { ...input, inFlight: { files: 3, wildcards: 0 } },
      { tagged: tagged(ids(6), ['t'], { t: 6 }) },
    );
    expect(full.paths).toEqual([]);
  });

  it('keeps a path another, untagged request needs, and counts each object once', () => {
    const requests = [...scattered(4), { id: 'old', path: '/d0/seg-0.ts' }];
    const plan = planWithTags(
      { ...DEFAULTS, requests },
      // r0 and r1 name the same object; 'old' came from an ingest that sent no tags.
      {
        tagged: new Map([
          ['r0', { object: 'b/x', tags: ['t'], members: { t: 3 } }],
          ['r1', { object: 'b/x', tags: ['t'], members: { t: 3 } }],
          ['r2', { object: 'b/y', tags: ['t'] }],
          ['r3', { object: 'b/z', tags: ['t'] }],
        ]),
      },
    );
    expect(plan.paths).toEqual(['#t', '/d0/seg-0.ts']);
    expect(plan.tags).toEqual([{ item: '#t', covers: 4, unchanged: 0 }]);
    expect(plan.accepted).toEqual(['r0', 'r1', 'r2', 'r3', 'old']);
  });

  it('leaves what a wildcard already covers to the wildcard', () => {
    // 25 files of one folder collapse to /hls/a/*; the tag would add nothing there.
    const requests = Array.from({ length: 25 }, (_, i) => ({
      id: `r${i}`,
      path: `/hls/a/s${i}.ts`,
    }));
    const plan = planWithTags(
      { ...DEFAULTS, requests, objectsUnder: new Map([['/hls/a/', 25]]) },
      { tagged: tagged(ids(25), ['a'], { a: 25 }) },
    );
    expect(plan.paths).toEqual(['/hls/a/*']);
    expect(plan.tags).toEqual([]);
  });

  it('picks the tag that saves the most paths first, and several tags when they fit', () => {
    const requests = scattered(7);
    const map = new Map<string, TaggedObject>([
      ...tagged(ids(4), ['big', 'all'], { big: 4, all: 7 }),
      ...tagged(ids(3, 4), ['small', 'all'], { small: 3, all: 7 }),
    ]);
    expect(planWithTags({ ...DEFAULTS, requests }, { tagged: map }).paths).toEqual(['#all']);
    const twoTags = new Map<string, TaggedObject>([
      ...tagged(ids(4), ['big'], { big: 4 }),
      ...tagged(ids(3, 4), ['small'], { small: 3 }),
    ]);
    expect(planWithTags({ ...DEFAULTS, requests }, { tagged: twoTags }).paths).toEqual([
      '#big',
      '#small',
    ]);
  });
});
