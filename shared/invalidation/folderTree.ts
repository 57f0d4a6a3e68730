/**
 * The folder tree the planner works on: one node per folder of the requested file paths, with
 * its counts (requested, still open, unchanged objects, wildcards below), and the orders in which
 * the planner prefers one folder to another. Pure helpers of `plan.ts`.
 */

/** A folder of the requested file paths, e.g. '/renders/2026/' (the root is '/'). */
export interface Folder {
  readonly prefix: string;
  readonly depth: number;
  readonly parent: Folder | undefined;
  readonly children: Map<string, Folder>;
  /** Indices of the distinct file paths directly in this folder. */
  readonly files: number[];
  /** Distinct requested file paths at any depth below. */
  requested: number;
  /** Of those, how many no wildcard of the plan covers yet. */
  open: number;
  /**
   * Lower bound of the unchanged objects `prefix*` would evict: 0 when nothing is known, Infinity
   * when counts are given but this folder was not counted.
   */
  unchanged: number;
  /** Wildcards of the plan inside this folder (their prefix starts with `prefix`). */
  below: number;
  /** Working value of the first collapse pass. */
  residual: number;
}

/** A wildcard in the plan: requested by someone, or a folder the planner collapsed. */
export interface Wildcard {
  readonly path: string;
  readonly prefix: string;
  readonly folder?: Folder;
}

export const isWildcard = (path: string): boolean => path.endsWith('*');
export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function newFolder(prefix: string, parent: Folder | undefined): Folder {
  const depth = parent ? parent.depth + 1 : 0;
  return {
    prefix,
    depth,
    parent,
    children: new Map(),
    files: [],
    requested: 0,
    open: 0,
    unchanged: 0,
    below: 0,
    residual: 0,
  };
}

/** Builds the folder tree of the given file paths; `all` lists parents before their children. */
export function buildTree(
  paths: readonly string[],
  indices: Iterable<number>,
  isOpen: (index: number) => boolean,
): { root: Folder; all: Folder[] } {
  const root = newFolder('/', undefined);
  const all = [root];
  for (const index of indices) {
    const path = paths[index]!;
    const open = isOpen(index) ? 1 : 0;
    let node = root;
    node.requested += 1;
    node.open += open;
    let from = 1;
    for (let slash = path.indexOf('/', from); slash !== -1; slash = path.indexOf('/', from)) {
      const segment = path.slice(from, slash);
      let child = node.children.get(segment);
      if (!child) {
        child = newFolder(`${node.prefix}${segment}/`, node);
        node.children.set(segment, child);
        all.push(child);
      }
      node = child;
      node.requested += 1;
      node.open += open;
      from = slash + 1;
    }
    node.files.push(index);
  }
  return { root, all };
}

/** True when some prefix in `sorted` (sorted, none a prefix of another) starts `value`. */
export function coveredBy(sorted: readonly string[], value: string): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best >= 0 && value.startsWith(sorted[best]!);
}

/** What is left of a limit once `used` is subtracted; never negative, 0 for nonsense. */
export function budget(limit: number, used: number): number {
  const left = Math.floor(limit - used);
  return Number.isFinite(left) && left > 0 ? left : 0;
}

export type Better = (a: Folder, b: Folder) => boolean;
/** Deeper first (smaller blast radius), then more files, then by path. */
export const deeper: Better = (a, b) =>
  a.depth !== b.depth
    ? a.depth > b.depth
    : a.open !== b.open
      ? a.open > b.open
      : a.prefix < b.prefix;
/** Deeper first, then fewer known unchanged objects, then by path. */
export const narrower: Better = (a, b) =>
  a.depth !== b.depth
    ? a.depth > b.depth
    : a.unchanged !== b.unchanged
      ? a.unchanged < b.unchanged
      : a.prefix < b.prefix;
/** More files first (more saved per wildcard), then deeper, then by path. */
export const denser: Better = (a, b) =>
  a.open !== b.open
    ? a.open > b.open
    : a.depth !== b.depth
      ? a.depth > b.depth
      : a.prefix < b.prefix;

export function pick(current: Folder | undefined, candidate: Folder, better: Better): Folder {
  return current === undefined || better(candidate, current) ? candidate : current;
}

export function best(
  folders: readonly Folder[],
  ok: (f: Folder) => boolean,
  better: Better,
): Folder | undefined {
  let found: Folder | undefined;
  for (const f of folders) if (ok(f)) found = pick(found, f, better);
  return found;
}
