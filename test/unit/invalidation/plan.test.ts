import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../shared/errors.js';
import {
  planInvalidation,
  wildcardCandidates,
  type PathRequest,
  type Plan,
  type PlanInput,
} from '../../../shared/invalidation/plan.js';
import { prng } from '../../helpers/prng.js';

const DEFAULTS = {
  inFlight: { files: 0, wildcards: 0 },
  limits: { maxFiles: 2800, maxWildcards: 13 },
  collapse: { minSiblings: 20, maxUnchanged: 100 },
} as const;

function plan(requests: readonly PathRequest[], overrides: Partial<PlanInput> = {}): Plan {
  return planInvalidation({ ...DEFAULTS, requests, ...overrides });
}

/** One request per path, ids `r0`, `r1`, … in input order. */
function reqs(paths: readonly string[]): PathRequest[] {
  return paths.map((path, i) => ({ id: `r${i}`, path }));
}

/** `/dir/f0.png` … `/dir/f{n-1}.png`. */
function files(dir: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${dir}f${i}.png`);
}

function covers(wildcardOrFile: string, path: string): boolean {
  return wildcardOrFile.endsWith('*')
    ? path.startsWith(wildcardOrFile.slice(0, -1))
    : wildcardOrFile === path;
}

describe('planInvalidation: dedupe and coverage', () => {
  it('returns one path for all ids when several ids request the same path', () => {
    const result = plan([
      { id: 'a', path: '/x.png' },
      { id: 'b', path: '/x.png' },
      { id: 'c', path: '/y.png' },
      { id: 'a', path: '/x.png' },
    ]);
    expect(result.paths).toEqual(['/x.png', '/y.png']);
    expect(result.files).toBe(2);
    expect(result.accepted).toEqual(['a', 'b', 'c']);
    expect(result.deferred).toEqual([]);
  });

  describe.each([
    {
      name: 'a requested wildcard covers files under it',
      paths: ['/a/1.png', '/a/*', '/b/1.png'],
      expected: ['/a/*', '/b/1.png'],
    },
    {
      name: 'a wildcard covers a nested wildcard',
      paths: ['/a/b/*', '/a/*', '/a/b/c.png'],
      expected: ['/a/*'],
    },
    {
      name: 'a key wildcard covers names that start with it',
      paths: ['/v/clip*', '/v/clip-final.mp4', '/v/clap.mp4'],
      expected: ['/v/clap.mp4', '/v/clip*'],
    },
    {
      name: 'paths differ only in case',
      paths: ['/A/*', '/a/x.png'],
      expected: ['/A/*', '/a/x.png'],
    },
  ])('when $name', ({ paths, expected }) => {
    it('returns only the paths no other covers, and accepts every id', () => {
      const result = plan(reqs(paths));
      expect(result.paths).toEqual(expected);
      expect(result.accepted).toHaveLength(paths.length);
      expect(result.collapsed).toEqual([]);
    });
  });

  it('throws InvalidInputError naming the request when a path is not a CloudFront path', () => {
    expect(() => plan(reqs(['/ok.png', 'relative.png']))).toThrow(InvalidInputError);
    expect(() => plan(reqs(['/ok.png', '/a*b']))).toThrow(/requests\[1\]\.path/);
  });

  it('returns an empty plan when nothing is requested', () => {
    expect(plan([])).toEqual({
      paths: [],
      files: 0,
      wildcards: 0,
      accepted: [],
      deferred: [],
      collapsed: [],
      held: [],
    });
  });
});

describe('planInvalidation: collapse', () => {
  it.each([
    { n: 19, collapsed: false },
    { n: 20, collapsed: true },
  ])('returns collapsed=$collapsed when $n siblings change at threshold 20', ({ n, collapsed }) => {
    const result = plan(reqs(files('/renders/r1/', n)));
    expect(result.paths).toEqual(collapsed ? ['/renders/r1/*'] : files('/renders/r1/', n).sort());
    expect(result.collapsed).toEqual(collapsed ? [{ wildcard: '/renders/r1/*', covers: n }] : []);
  });

  it('returns a wildcard when the files are spread deeper under one folder', () => {
    const paths = Array.from({ length: 25 }, (_, i) => `/u/${i}/avatar.png`);
    expect(plan(reqs(paths)).paths).toEqual(['/u/*']);
  });

  describe.each([
    { name: 'count unknown', objects: undefined, expected: ['/r/*'] },
    { name: 'unchanged within maxUnchanged', objects: 20 + 100, expected: ['/r/*'] },
    { name: 'unchanged above maxUnchanged', objects: 20 + 101, expected: null },
  ])('when $name', ({ objects, expected }) => {
    it('returns the wildcard only when the eviction is allowed', () => {
      const objectsUnder = objects === undefined ? undefined : new Map([['/r/', objects]]);
      const result = plan(reqs(files('/r/', 20)), objectsUnder ? { objectsUnder } : {});
      expect(result.paths).toEqual(expected ?? files('/r/', 20).sort());
    });
  });

  describe.each([
    { name: 'the folder is not counted', counts: [['/x/', 0]], expected: null },
    {
      name: 'its unchanged objects are within maxUnchanged',
      counts: [['/r/', 100]],
      expected: ['/r/*'],
    },
    { name: 'its unchanged objects exceed maxUnchanged', counts: [['/r/', 101]], expected: null },
  ] as const)('with unchanged counts, when $name', ({ counts, expected }) => {
    it('returns the wildcard only when the folder was counted and the eviction is allowed', () => {
      const unchangedUnder = new Map<string, number>(counts.map(([f, n]) => [f, n]));
      const result = plan(reqs(files('/r/', 20)), { unchangedUnder });
      expect(result.paths).toEqual(expected ?? files('/r/', 20).sort());
    });
  });

  it('returns a counted parent wildcard although a subfolder was not counted', () => {
    const paths = [...files('/a/b/', 10), ...files('/a/c/', 10)];
    const unchangedUnder = new Map([['/a/', 5]]);
    expect(plan(reqs(paths), { unchangedUnder }).paths).toEqual(['/a/*']);
  });

  it('returns no ancestor wildcard when a known subfolder alone exceeds maxUnchanged', () => {
    const paths = [...files('/a/b/', 10), ...files('/a/c/', 10)];
    const objectsUnder = new Map([['/a/b/', 500]]);
    expect(plan(reqs(paths), { objectsUnder }).wildcards).toBe(0);
  });

  it('returns the deepest folders when both a folder and its subfolders qualify', () => {
    const paths = [...files('/a/b/', 30), ...files('/a/c/', 30), '/a/loose.png'];
    const result = plan(reqs(paths));
    expect(result.paths).toEqual(['/a/b/*', '/a/c/*', '/a/loose.png']);
    expect(result.collapsed).toEqual([
      { wildcard: '/a/b/*', covers: 30 },
      { wildcard: '/a/c/*', covers: 30 },
    ]);
  });

  it('returns the parent when what its qualifying subfolders leave is itself dense', () => {
    const paths = [...files('/a/b/', 30), ...files('/a/', 20)];
    expect(plan(reqs(paths)).paths).toEqual(['/a/*']);
  });

  it('returns a collapsed wildcard in place of a requested one it covers', () => {
    const paths = ['/a/b/clip*', ...files('/a/b/', 20)];
    const result = plan(reqs(paths), { limits: { maxFiles: 2800, maxWildcards: 1 } });
    expect(result.paths).toEqual(['/a/b/*']);
    expect(result.accepted).toHaveLength(21);
  });

  it('returns never /* without pressure, even when everything is under the root', () => {
    const paths = Array.from({ length: 50 }, (_, i) => `/f${i}.png`);
    const result = plan(reqs(paths));
    expect(result.wildcards).toBe(0);
    expect(result.files).toBe(50);
  });

  it('returns the densest folders, then their parent, when more qualify than wildcards fit', () => {
    const paths = Array.from({ length: 5 }, (_, d) => files(`/p/d${d}/`, 20 + d)).flat();
    const oneSlot = plan(reqs(paths), {
      limits: { maxFiles: 2800, maxWildcards: 1 },
      objectsUnder: new Map([['/p/', 10_000]]),
    });
    expect(oneSlot.paths.filter((p) => p.endsWith('*'))).toEqual(['/p/d4/*']);
    expect(oneSlot.files).toBe(20 + 21 + 22 + 23);
    // Parent allowed: the leftovers make it dense, and one wildcard replaces them all.
    expect(plan(reqs(paths), { limits: { maxFiles: 2800, maxWildcards: 1 } }).paths).toEqual([
      '/p/*',
    ]);
  });
});

describe('planInvalidation: budget', () => {
  it.each([
    { inFlight: { files: 0, wildcards: 0 }, files: 2800 },
    { inFlight: { files: 2000, wildcards: 0 }, files: 800 },
    { inFlight: { files: 2800, wildcards: 0 }, files: 0 },
    { inFlight: { files: 3100, wildcards: 0 }, files: 0 },
  ])('returns $files files when $inFlight.files are in flight', ({ inFlight, files: n }) => {
    const paths = Array.from({ length: 3000 }, (_, i) => `/x${i}/r.pdf`);
    const result = plan(reqs(paths), {
      inFlight,
      limits: { maxFiles: 2800, maxWildcards: 0 },
    });
    expect(result.files).toBe(n);
    expect(result.accepted).toEqual(paths.slice(0, n).map((_, i) => `r${i}`));
    expect(result.deferred).toHaveLength(3000 - n);
  });

  it.each([
    { inFlight: { files: 0, wildcards: 0 }, sent: 13 },
    { inFlight: { files: 0, wildcards: 10 }, sent: 3 },
    { inFlight: { files: 0, wildcards: 13 }, sent: 0 },
    { inFlight: { files: 0, wildcards: 20 }, sent: 0 },
  ])(
    'returns $sent requested wildcards, oldest first, when $inFlight.wildcards are in flight',
    ({ inFlight, sent }) => {
      const paths = Array.from({ length: 20 }, (_, i) => `/live/${i}/*`);
      const result = plan(reqs(paths), { inFlight });
      expect(result.wildcards).toBe(sent);
      expect(result.accepted).toEqual(paths.slice(0, sent).map((_, i) => `r${i}`));
      expect(result.deferred).toHaveLength(20 - sent);
    },
  );

  it('returns files only, no wildcard, when the wildcard budget is 0', () => {
    const paths = [...files('/r/', 40), '/live/*'];
    const result = plan(reqs(paths), { limits: { maxFiles: 2800, maxWildcards: 0 } });
    expect(result.wildcards).toBe(0);
    expect(result.files).toBe(40);
    expect(result.deferred).toEqual(['r40']);
  });

  it('returns wildcards that cover everything when the file budget is 0 and wildcards are left', () => {
    const paths = [...files('/a/x/', 3), ...files('/b/y/', 2), ...files('/c/', 5)];
    const result = plan(reqs(paths), { inFlight: { files: 2800, wildcards: 0 } });
    expect(result.files).toBe(0);
    expect(result.paths).toEqual(['/a/x/*', '/b/y/*', '/c/*']);
    expect(result.deferred).toEqual([]);
  });

  it('returns the rest deferred when even wildcards cannot cover it under a zero file budget', () => {
    const paths = ['/lonely.png', ...files('/c/', 5)];
    const result = plan(reqs(paths), { inFlight: { files: 2800, wildcards: 0 } });
    expect(result.paths).toEqual(['/c/*']);
    expect(result.deferred).toEqual(['r0']);
  });

  it('returns folders collapsed below the threshold under pressure while wildcards last', () => {
    // 40 folders of 5 files each: nothing is dense enough at 20, 200 files for a budget of 100.
    const paths = Array.from({ length: 40 }, (_, d) => files(`/img/u${d}/`, 5)).flat();
    const limits = { maxFiles: 100, maxWildcards: 13 };
    const known = new Map([['/img/', 1_000_000]]);
    const blocked = plan(reqs(paths), { limits, objectsUnder: known });
    expect(blocked.wildcards).toBe(13);
    expect(blocked.files).toBe(100);
    expect(blocked.deferred).toHaveLength(200 - 13 * 5 - 100);
    // When the parent may go, one wildcard covers all of it.
    expect(plan(reqs(paths), { limits }).paths).toEqual(['/img/*']);
  });

  it('returns /* only as a last resort and only when the root count is known and small', () => {
    const paths = Array.from({ length: 30 }, (_, i) => `/f${i}.png`);
    const input = { inFlight: { files: 2790, wildcards: 0 } };
    expect(plan(reqs(paths), input).paths).toHaveLength(10);
    const small = new Map([['/', 100]]);
    expect(plan(reqs(paths), { ...input, objectsUnder: small }).paths).toEqual(['/*']);
    const large = new Map([['/', 1000]]);
    expect(plan(reqs(paths), { ...input, objectsUnder: large }).paths).toHaveLength(10);
  });

  it('returns requests deferred in input order when the file budget is full', () => {
    const paths = ['/z.pdf', '/y.pdf', '/x.pdf', '/y.pdf', '/w.pdf'];
    const result = plan(reqs(paths), { limits: { maxFiles: 2, maxWildcards: 0 } });
    expect(result.paths).toEqual(['/y.pdf', '/z.pdf']);
    expect(result.accepted).toEqual(['r0', 'r1', 'r3']);
    expect(result.deferred).toEqual(['r2', 'r4']);
  });

  it('returns an id deferred unless all of its paths fit', () => {
    const result = plan(
      [
        { id: 'a', path: '/1.html' },
        { id: 'b', path: '/2.html' },
        { id: 'b', path: '/2/' },
        { id: 'c', path: '/3.html' },
      ],
      { limits: { maxFiles: 2, maxWildcards: 0 } },
    );
    expect(result.accepted).toEqual(['a', 'c']);
    expect(result.deferred).toEqual(['b']);
    expect(result.paths).toEqual(['/1.html', '/3.html']);
  });
});

describe('planInvalidation: invariants on random input', () => {
  function randomInput(seed: number): PlanInput {
    const rand = prng(seed);
    const int = (n: number): number => Math.floor(rand() * n);
    const segment = (): string => ['a', 'b', 'c', 'B', 'dd', 'e%20f'][int(6)]!;
    const folders = Array.from({ length: 1 + int(12) }, () => {
      let folder = '/';
      for (let d = int(4); d > 0; d -= 1) folder += `${segment()}/`;
      return folder;
    });
    const count = int(600);
    const requests: PathRequest[] = [];
    for (let i = 0; i < count; i += 1) {
      const folder = folders[int(folders.length)]!;
      const r = rand();
      const path =
        r < 0.04 ? `${folder}*` : r < 0.07 ? `${folder}${segment()}*` : `${folder}${int(80)}.png`;
      requests.push({ id: `m${int(count)}`, path });
    }
    const objectsUnder = new Map<string, number>();
    for (const folder of folders) if (rand() < 0.3) objectsUnder.set(folder, int(300));
    if (rand() < 0.2) objectsUnder.set('/', int(300));
    return {
      requests,
      inFlight: { files: rand() < 0.3 ? 0 : int(3200), wildcards: rand() < 0.5 ? 0 : int(17) },
      limits: { maxFiles: rand() < 0.5 ? 3000 : 1 + int(300), maxWildcards: int(16) },
      collapse: { minSiblings: 2 + int(12), maxUnchanged: int(200) },
      objectsUnder,
    };
  }

  it('returns plans that respect every invariant for 300 seeded random inputs', () => {
    for (let seed = 1; seed <= 300; seed += 1) {
      const input = randomInput(seed);
      const result = planInvalidation(input);
      const context = `seed ${seed}`;
      const fileBudget = Math.max(0, input.limits.maxFiles - input.inFlight.files);
      const wildcardBudget = Math.max(0, input.limits.maxWildcards - input.inFlight.wildcards);

      const ids = new Set(input.requests.map((r) => r.id));
      expect([...result.accepted, ...result.deferred].sort(), context).toEqual([...ids].sort());
      expect(new Set(result.accepted).size, context).toBe(result.accepted.length);

      const accepted = new Set(result.accepted);
      for (const request of input.requests) {
        if (!accepted.has(request.id)) continue;
        expect(
          result.paths.some((p) => covers(p, request.path)),
          `${context}: ${request.path}`,
        ).toBe(true);
      }

      const wildcards = result.paths.filter((p) => p.endsWith('*'));
      expect(result.wildcards, context).toBe(wildcards.length);
      expect(result.files, context).toBe(result.paths.length - wildcards.length);
      expect(result.files, context).toBeLessThanOrEqual(fileBudget);
      expect(result.wildcards, context).toBeLessThanOrEqual(wildcardBudget);
      expect(input.inFlight.files + result.files <= 3000 || result.files === 0, context).toBe(true);
      expect(
        input.inFlight.wildcards + result.wildcards <= 15 || result.wildcards === 0,
        context,
      ).toBe(true);

      expect(result.paths, context).toEqual([...new Set(result.paths)].sort());
      for (const w of wildcards) {
        const prefix = w.slice(0, -1);
        const others = result.paths.filter((p) => p !== w && p.startsWith(prefix));
        expect(others, `${context}: ${w} covers`).toEqual([]);
      }
      for (const { wildcard } of result.collapsed) {
        expect(result.paths, context).toContain(wildcard);
      }
    }
  });

  it('returns the same plan for the same input', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      expect(planInvalidation(randomInput(seed))).toEqual(planInvalidation(randomInput(seed)));
    }
  });

  it('returns a plan for 10 000 requests in well under a second', () => {
    const requests = Array.from({ length: 10_000 }, (_, i) => ({
      id: `m${i}`,
      path: i % 2 ? `/renders/2026/11/r${i % 97}/frame-${i}.png` : `/reports/${i * 7919}.pdf`,
    }));
    const started = performance.now();
    const result = plan(requests, { objectsUnder: new Map([['/reports/', 1_000_000]]) });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.files + result.wildcards).toBeGreaterThan(0);
  });
});

describe('wildcardCandidates', () => {
  it('returns the folders holding at least minSiblings distinct files, never the root', () => {
    const paths = [...files('/a/b/', 3), '/a/c.png', '/a/c.png', '/d/e.png', '/w/*', '/x.png'];
    expect(wildcardCandidates(paths, 3)).toEqual(['/a/', '/a/b/']);
    expect(wildcardCandidates(paths, 5)).toEqual([]);
    expect(wildcardCandidates(paths, 1)).toEqual(['/a/', '/a/b/']);
  });
});

describe('planInvalidation: hold', () => {
  const counted = (entries: Array<[string, number]>) => ({ unchangedUnder: new Map(entries) });

  it('returns the paths of a folder still being rewritten as held, not as file paths', () => {
    const requests = reqs(files('/hls/a/', 50));
    const result = plan(requests, {
      ...counted([['/hls/a/', 400]]),
      hold: { mayWait: () => true, rewriting: new Set(['/hls/a/']) },
    });
    expect(result.paths).toEqual([]);
    expect(result.deferred).toHaveLength(50);
    expect(result.held).toHaveLength(50);
    expect(result.held[0]).toEqual({ id: 'r0', folder: '/hls/a/', why: 'burst' });
  });

  it('returns file paths for the same folder when it is not being rewritten', () => {
    const result = plan(reqs(files('/hls/a/', 50)), {
      ...counted([['/hls/a/', 400]]),
      hold: { mayWait: () => true, rewriting: new Set() },
    });
    expect(result.files).toBe(50);
    expect(result.held).toEqual([]);
  });

  it('returns file paths for the requests that may not wait, and holds the others', () => {
    const requests = reqs(files('/hls/a/', 50));
    const result = plan(requests, {
      ...counted([['/hls/a/', 400]]),
      hold: { mayWait: (id) => Number(id.slice(1)) >= 10, rewriting: new Set(['/hls/a/']) },
    });
    expect(result.accepted).toEqual(requests.slice(0, 10).map((r) => r.id));
    expect(result.paths).toEqual(files('/hls/a/', 10).sort());
    expect(result.held.map((h) => h.id)).toEqual(requests.slice(10).map((r) => r.id));
  });

  it('returns a folder that qualifies but finds no wildcard room as held for wildcards', () => {
    const result = plan(reqs([...files('/a/', 30), ...files('/b/', 30)]), {
      ...counted([
        ['/a/', 0],
        ['/b/', 0],
      ]),
      limits: { maxFiles: 2800, maxWildcards: 1 },
      hold: { mayWait: () => true, rewriting: new Set() },
    });
    expect(result.paths).toEqual(['/a/*']);
    expect(result.held).toHaveLength(30);
    expect(new Set(result.held.map((h) => `${h.folder} ${h.why}`))).toEqual(
      new Set(['/b/ wildcards']),
    );
  });

  it('returns no hold for a folder below the collapse threshold', () => {
    const result = plan(reqs(files('/a/', 5)), {
      ...counted([['/a/', 400]]),
      hold: { mayWait: () => true, rewriting: new Set(['/a/']) },
    });
    expect(result.files).toBe(5);
    expect(result.held).toEqual([]);
  });

  it('returns every id in exactly one of accepted and deferred, held ones among the deferred', () => {
    const random = prng(7);
    const paths = Array.from({ length: 400 }, (_, i) => `/d${Math.floor(random() * 6)}/f${i}.png`);
    const result = plan(reqs(paths), {
      ...counted([...Array.from({ length: 6 }, (_, d): [string, number] => [`/d${d}/`, 300])]),
      hold: {
        mayWait: (id) => Number(id.slice(1)) % 2 === 0,
        rewriting: new Set(['/d1/', '/d3/']),
      },
    });
    const ids = reqs(paths).map((r) => r.id);
    expect([...result.accepted, ...result.deferred].sort()).toEqual([...ids].sort());
    const deferred = new Set(result.deferred);
    for (const h of result.held) expect(deferred.has(h.id)).toBe(true);
    for (const h of result.held) expect(['/d1/', '/d3/']).toContain(h.folder);
  });
});
