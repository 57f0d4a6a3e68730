/**
 * Invalidation planning for ONE distribution and ONE CreateInvalidation call: dedupe the
 * requested paths, drop what a wildcard already covers, collapse dense folders into `folder/*`,
 * and stay inside the in-flight quotas (file paths and wildcard paths are counted separately).
 * Whatever does not fit is deferred: its requests go back to SQS and come again later.
 *
 * Pure: no I/O, no clock, no randomness; the same input always gives the same plan.
 * About 370 lines: the five planning steps share one folder tree and read in order.
 */
import { InvalidInputError } from '../errors.js';
import {
  isWildcard,
  compare,
  buildTree,
  coveredBy,
  budget,
  deeper,
  narrower,
  denser,
  pick,
  best,
  type Folder,
  type Wildcard,
} from './folderTree.js';

/** One path one request needs invalidated; `id` is the request's id (an SQS message id). */
export interface PathRequest {
  readonly id: string;
  /** Encoded CloudFront path with a leading `/`; a trailing `*` makes it a wildcard. */
  readonly path: string;
}

export interface PlanInput {
  /** Oldest first. The same path may appear under several ids, and one id under several paths. */
  readonly requests: readonly PathRequest[];
  /** Paths of this distribution's invalidations still InProgress. */
  readonly inFlight: { readonly files: number; readonly wildcards: number };
  /** Ceilings on paths in flight, in-flight included (CloudFront's quotas are 3 000 / 15). */
  readonly limits: { readonly maxFiles: number; readonly maxWildcards: number };
  /**
   * `minSiblings`: a folder becomes `folder/*` when at least this many of its files (at any
   * depth) are requested (values below 2 count as 2). `maxUnchanged`: but only if it would also
   * evict at most this many objects that did not change, where `objectsUnder` tells.
   */
  readonly collapse: { readonly minSiblings: number; readonly maxUnchanged: number };
  /** Known number of objects under a folder path such as '/videos/2024/' (from a bucket listing). */
  readonly objectsUnder?: ReadonlyMap<string, number>;
  /**
   * Objects under a folder path that are not part of the change being invalidated (not requested,
   * last modified before the burst began), at least this many. When given, it is the whole truth
   * and `objectsUnder` is not read: a folder it does not name was not counted, so it is never
   * collapsed (it could evict any number of unchanged objects).
   */
  readonly unchangedUnder?: ReadonlyMap<string, number>;
  /**
   * Requests that may wait for a cheaper plan rather than go out as file paths now; absent:
   * nothing waits. A dense folder (≥ `minSiblings` open files) that no wildcard can take in this
   * call but soon may holds the paths under it of the requests `mayWait` allows: a folder whose
   * unchanged objects exceed `maxUnchanged` while a burst is still rewriting it (`rewriting`:
   * the caller's projection says its unchanged count falls below the limit in time), or one that
   * qualifies when no wildcard room is left (in-flight wildcards complete within a minute).
   */
  readonly hold?: {
    readonly mayWait: (id: string, why: HoldReason) => boolean;
    readonly rewriting: ReadonlySet<string>;
    /**
     * Folders of a burst in progress (requests under them were held recently): dense whatever
     * this call holds of them — a few of a burst's files are the burst, not a trickle.
     */
    readonly bursts?: ReadonlySet<string>;
  };
}

/** Why a request waits: its folder is still being rewritten, or no wildcard room is left. */
export type HoldReason = 'burst' | 'wildcards';

export interface Plan {
  /** The call's paths: sorted, distinct, none covered by a wildcard in the list. */
  readonly paths: readonly string[];
  /** How many of `paths` are file paths / wildcard paths. */
  readonly files: number;
  readonly wildcards: number;
  /**
   * Request ids whose every path is covered by `paths`, in input order. Every distinct id is in
   * exactly one of `accepted` and `deferred`.
   */
  readonly accepted: readonly string[];
  /** Request ids to retry later (over budget, or a wildcard with no wildcard budget left). */
  readonly deferred: readonly string[];
  /** Folder wildcards the planner chose and how many requested file paths each covers. */
  readonly collapsed: ReadonlyArray<{ readonly wildcard: string; readonly covers: number }>;
  /** Of `deferred`, the ids held for a cheaper plan (`hold`), with the folder that holds them. */
  readonly held: ReadonlyArray<{
    readonly id: string;
    readonly folder: string;
    readonly why: HoldReason;
  }>;
}

function checkPath(path: string, position: number): void {
  const star = path.indexOf('*');
  if (!path.startsWith('/') || (star !== -1 && star !== path.length - 1)) {
    throw new InvalidInputError(
      `requests[${position}].path`,
      `not a CloudFront path (leading "/", "*" only last): ${path.slice(0, 80)}`,
    );
  }
}

/**
 * Folders ('/a/b/', never '/') holding at least `minSiblings` of the distinct file paths given
 * (wildcards ignored), sorted: the ones whose object count is worth listing before planning.
 */
export function wildcardCandidates(paths: readonly string[], minSiblings: number): string[] {
  return candidateFolders(paths, minSiblings)
    .map((f) => f.folder)
    .sort(compare);
}

/**
 * The same folders with how many of the distinct file paths each holds, the most first (then
 * deeper, then by path): the order in which listing them saves the most paths.
 */
export function candidateFolders(
  paths: readonly string[],
  minSiblings: number,
): Array<{ readonly folder: string; readonly requested: number }> {
  const distinct = [...new Set(paths.filter((p) => !isWildcard(p)))];
  const { all } = buildTree(distinct, distinct.keys(), () => true);
  return all
    .filter((f) => f.depth > 0 && f.requested >= Math.max(2, minSiblings))
    .sort((a, b) => b.requested - a.requested || b.depth - a.depth || compare(a.prefix, b.prefix))
    .map((f) => ({ folder: f.prefix, requested: f.requested }));
}

/**
 * Plans one CreateInvalidation call. In order:
 * 1. requested wildcards, oldest first, while the wildcard budget lasts (one that covers
 *    earlier ones replaces them); the others are deferred;
 * 2. collapse: the deepest folders with ≥ `minSiblings` uncovered files whose unchanged objects
 *    stay ≤ `maxUnchanged`; if they do not all fit, the densest win and a parent qualifying on
 *    the rest may replace several of them;
 * 3. hold (when `hold` is given): dense folders a wildcard cannot take yet but soon may keep
 *    the paths of the requests allowed to wait, outermost folder first;
 * 4. pressure (more files than the file budget): threshold down to 2 and walking up, while
 *    wildcard budget and `maxUnchanged` allow; `/*` only as a last resort and only when the
 *    object count under '/' is known and small enough;
 * 5. file paths for the remaining requests in input order until the file budget is full.
 */
export function planInvalidation(input: PlanInput): Plan {
  const { requests, collapse } = input;
  const objectsUnder = input.objectsUnder ?? new Map<string, number>();
  const fileBudget = budget(input.limits.maxFiles, input.inFlight.files);
  const wildcardBudget = budget(input.limits.maxWildcards, input.inFlight.wildcards);
  const minSiblings = Math.max(2, Math.floor(collapse.minSiblings));
  const bursts = input.hold?.bursts;
  /** Open files a folder needs to be collapsed or held: 1 in a known burst. */
  const threshold = (f: Folder): number => (bursts?.has(f.prefix) ? 1 : minSiblings);

  // Distinct paths, and for each id the distinct paths it needs, in first-seen order.
  const paths: string[] = [];
  const pathIndex = new Map<string, number>();
  const idPaths = new Map<string, number[]>();
  requests.forEach(({ id, path }, i) => {
    let index = pathIndex.get(path);
    if (index === undefined) {
      checkPath(path, i);
      index = paths.push(path) - 1;
      pathIndex.set(path, index);
    }
    const mine = idPaths.get(id);
    if (!mine) idPaths.set(id, [index]);
    else if (!mine.includes(index)) mine.push(index);
  });

  // 1. Requested wildcards, oldest first.
  let selected: Wildcard[] = [];
  for (const path of paths) {
    if (!isWildcard(path)) continue;
    const prefix = path.slice(0, -1);
    if (selected.some((w) => prefix.startsWith(w.prefix))) continue;
    const replaced = selected.filter((w) => w.prefix.startsWith(prefix)).length;
    if (1 - replaced > wildcardBudget - selected.length) continue;
    selected = selected.filter((w) => !w.prefix.startsWith(prefix));
    selected.push({ path, prefix });
  }
  const requestedPrefixes = selected.map((w) => w.prefix).sort(compare);
  const covered = paths.map((p) => !isWildcard(p) && coveredBy(requestedPrefixes, p));

  const fileIndices = [...paths.keys()].filter((i) => !isWildcard(paths[i]!));
  const { root, all } = buildTree(paths, fileIndices, (i) => !covered[i]);
  const counted = input.unchangedUnder;
  for (let i = all.length - 1; i >= 0; i -= 1) {
    const folder = all[i]!;
    let fromChildren = 0;
    for (const child of folder.children.values())
      if (Number.isFinite(child.unchanged) || !counted) fromChildren += child.unchanged;
    if (counted) {
      // Counted folders only; an uncounted child does not make a counted parent unknown.
      const known = counted.get(folder.prefix);
      folder.unchanged = known === undefined ? Infinity : Math.max(known, fromChildren);
      continue;
    }
    const known = objectsUnder.get(folder.prefix);
    folder.unchanged =
      known === undefined ? fromChildren : Math.max(known - folder.requested, fromChildren);
  }
  const allowed = (f: Folder): boolean => f.unchanged <= collapse.maxUnchanged;
  /** Counts a wildcard in (+1) or out (-1) of every folder that contains its prefix. */
  const count = (prefix: string, delta: number): void => {
    let node: Folder | undefined = root;
    node.below += delta;
    for (
      let from = 1, slash = prefix.indexOf('/', from);
      slash !== -1;
      slash = prefix.indexOf('/', from)
    ) {
      node = node.children.get(prefix.slice(from, slash));
      if (!node) return;
      node.below += delta;
      from = slash + 1;
    }
  };
  for (const w of selected) count(w.prefix, 1);
  const selectedUnder = (f: Folder): number => f.below;
  const affordable = (f: Folder): boolean =>
    1 - selectedUnder(f) <= wildcardBudget - selected.length;
  const select = (f: Folder): void => {
    const gain = f.open;
    for (let a = f.parent; a; a = a.parent) a.open -= gain;
    const stack = [f];
    for (let node = stack.pop(); node; node = stack.pop()) {
      node.open = 0;
      for (const index of node.files) covered[index] = true;
      for (const child of node.children.values()) if (child.open > 0) stack.push(child);
    }
    if (f.below > 0) {
      for (const w of selected) if (w.prefix.startsWith(f.prefix)) count(w.prefix, -1);
      selected = selected.filter((w) => !w.prefix.startsWith(f.prefix));
    }
    selected.push({ path: `${f.prefix}*`, prefix: f.prefix, folder: f });
    count(f.prefix, 1);
  };

  // 2. Collapse: deepest qualifying folders first; a parent qualifies on what its chosen
  //    descendants leave uncovered.
  const dense = all
    .filter((f) => f.depth > 0 && f.open >= threshold(f))
    .sort((a, b) => b.depth - a.depth || compare(a.prefix, b.prefix));
  for (const f of all) f.residual = f.open;
  const chosen = new Set<Folder>();
  for (const f of dense) {
    if (f.residual < threshold(f) || !allowed(f)) continue;
    chosen.add(f);
    const residual = f.residual;
    for (let a = f.parent; a; a = a.parent) a.residual -= residual;
  }
  const outermost = [...chosen]
    .filter((f) => {
      for (let a = f.parent; a; a = a.parent) if (chosen.has(a)) return false;
      return true;
    })
    .sort((a, b) => b.open - a.open || b.depth - a.depth || compare(a.prefix, b.prefix));
  for (const f of outermost) if (affordable(f)) select(f);
  // Those that did not fit leave their files to their parents: collapse there if they qualify.
  for (;;) {
    const next = best(dense, (f) => f.open >= threshold(f) && allowed(f) && affordable(f), deeper);
    if (!next) break;
    select(next);
  }

  // 3. Hold: what a wildcard cannot take yet but soon may waits, outermost folder first.
  const held: Array<{ folder: string; why: HoldReason } | undefined> = paths.map(() => undefined);
  if (input.hold) {
    const { mayWait, rewriting } = input.hold;
    const canWait = { burst: paths.map(() => true), wildcards: paths.map(() => true) };
    for (const [id, indices] of idPaths)
      for (const why of ['burst', 'wildcards'] as const)
        if (!mayWait(id, why)) for (const i of indices) canWait[why][i] = false;
    for (const f of all) {
      if (f.depth === 0 || f.open < threshold(f)) continue;
      const why: HoldReason | undefined = !allowed(f)
        ? rewriting.has(f.prefix)
          ? 'burst'
          : undefined
        : affordable(f) || input.limits.maxWildcards <= 0
          ? undefined
          : 'wildcards';
      if (why) holdUnder(f, { folder: f.prefix, why }, canWait[why], covered, held);
    }
  }

  // 4. Pressure: more open files than the file budget.
  let candidates = all.filter((f) => f.depth > 0 && f.open > 0 && allowed(f));
  while (root.open > fileBudget) {
    candidates = candidates.filter((f) => f.open > 0);
    const need = root.open - fileBudget;
    const free = wildcardBudget - selected.length;
    let finisher: Folder | undefined;
    let fresh: Folder | undefined;
    let merge: Folder | undefined;
    for (const f of candidates) {
      const under = selectedUnder(f);
      if (1 - under > free || (under === 0 && f.open < 2)) continue;
      if (f.open >= need) finisher = pick(finisher, f, narrower);
      else if (under === 0) fresh = pick(fresh, f, denser);
      else merge = pick(merge, f, denser);
    }
    const lastResort =
      (counted ?? objectsUnder).has('/') && allowed(root) && affordable(root) && root.open > 0
        ? root
        : undefined;
    const next = finisher ?? fresh ?? merge ?? lastResort;
    if (!next) break;
    select(next);
  }

  // 5. File paths, requests in input order, first fit.
  const wildcardPrefixes = selected.map((w) => w.prefix).sort(compare);
  paths.forEach((path, i) => {
    if (isWildcard(path)) covered[i] = coveredBy(wildcardPrefixes, path.slice(0, -1));
  });
  const sent: string[] = [];
  const isSent = paths.map(() => false);
  let room = fileBudget;
  for (const indices of idPaths.values()) {
    if (indices.some((i) => held[i] && !covered[i])) continue; // it waits: send none of it
    let needed = 0;
    for (const i of indices) {
      if (covered[i] || isSent[i]) continue;
      if (isWildcard(paths[i]!))
        needed = Infinity; // a wildcard with no room: only later
      else needed += 1;
    }
    if (needed === 0 || needed > room) continue;
    for (const i of indices) {
      if (covered[i] || isSent[i]) continue;
      isSent[i] = true;
      sent.push(paths[i]!);
    }
    room -= needed;
  }

  const accepted: string[] = [];
  const deferred: string[] = [];
  const heldIds: Array<Plan['held'][number]> = [];
  for (const [id, indices] of idPaths) {
    if (indices.every((i) => covered[i] || isSent[i])) {
      accepted.push(id);
      continue;
    }
    deferred.push(id);
    const by = indices.map((i) => (covered[i] ? undefined : held[i])).find((h) => h);
    if (by) heldIds.push({ id, ...by });
  }
  const planPaths = [...selected.map((w) => w.path), ...sent].sort(compare);
  const collapsed = selected
    .flatMap((w) => (w.folder ? [{ wildcard: w.path, covers: w.folder.requested }] : []))
    .sort((a, b) => compare(a.wildcard, b.wildcard));
  return {
    paths: planPaths,
    files: sent.length,
    wildcards: selected.length,
    accepted,
    deferred,
    collapsed,
    held: heldIds,
  };
}

/**
 * Holds the open file paths under `folder` that may wait, and takes them out of the open counts
 * of the folder and its ancestors (later steps plan only what is left).
 */
function holdUnder(
  folder: Folder,
  by: { readonly folder: string; readonly why: HoldReason },
  canWait: readonly boolean[],
  covered: readonly boolean[],
  held: Array<{ folder: string; why: HoldReason } | undefined>,
): void {
  const stack = [folder];
  for (let node = stack.pop(); node; node = stack.pop()) {
    for (const i of node.files) {
      if (covered[i] || held[i] || !canWait[i]) continue;
      held[i] = by;
      for (let a: Folder | undefined = node; a; a = a.parent) a.open -= 1;
    }
    for (const child of node.children.values()) if (child.open > 0) stack.push(child);
  }
}
