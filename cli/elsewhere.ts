/**
 * The second half of every "nothing found" answer: where the command looked, and what it found
 * elsewhere, with the flag that gets there ("no managed distributions for stage dev in AWS
 * us-east-1; 1 for stage local on the emulator at http://127.0.0.1:4566: add --local").
 * Elsewhere is the target's other stages and, for a deployed target, the emulator of npm start
 * when one answers; a local target never looks at a real account. Best effort: a lookup that
 * fails adds nothing.
 */
import { otherContext, type CliContext } from './context.js';
import { listManagedDistributions, ofStage, type ManagedDistribution } from './managed.js';

/** Buckets named in a hint, at most. */
const MAX_BUCKETS = 3;

/** Some managed distributions found away from where the command looked. */
export interface Sighting {
  readonly count: number;
  /** `stage local`, `no stage tag`. */
  readonly stage: string;
  /** Empty: the same target. */
  readonly where: string;
  /** The flags that look there: `--stage local`, `--local`. */
  readonly add: string;
}

/** `1 for stage local on the emulator at …: add --local; 2 for stage prod: add --stage prod`. */
export function sightingsText(sightings: readonly Sighting[]): string {
  return sightings
    .map((s) => `${s.count} for ${s.stage}${s.where ? ` on ${s.where}` : ''}: add ${s.add}`)
    .join('; ');
}

function byStage(list: readonly ManagedDistribution[]): Map<string | undefined, number> {
  const counts = new Map<string | undefined, number>();
  for (const d of list) counts.set(d.stage, (counts.get(d.stage) ?? 0) + 1);
  return counts;
}

async function listed(ctx: CliContext): Promise<ManagedDistribution[] | undefined> {
  try {
    return await listManagedDistributions((await ctx.clients()).cloudfront);
  } catch {
    return undefined;
  }
}

/**
 * Managed distributions (those `match` accepts) that the command's stage did not see: the
 * target's other stages, then the emulator's (deployed targets only). `seen` is the target's
 * list when the command read it already.
 */
export async function managedElsewhere(
  ctx: CliContext,
  match: (d: ManagedDistribution) => boolean = () => true,
  seen?: readonly ManagedDistribution[],
): Promise<Sighting[]> {
  const sightings: Sighting[] = [];
  const here = (seen ?? (await listed(ctx)) ?? []).filter(
    (d) => match(d) && !ofStage(d, ctx.target.stage),
  );
  for (const [stage, count] of byStage(here)) {
    sightings.push({ count, stage: `stage ${stage}`, where: '', add: `--stage ${stage}` });
  }
  const other = await otherContext(ctx);
  const there = other ? ((await listed(other)) ?? []).filter(match) : [];
  for (const [stage, count] of byStage(there)) {
    const add = stage === undefined || stage === 'local' ? '--local' : `--local --stage ${stage}`;
    sightings.push({
      count,
      stage: stage === undefined ? 'no stage tag' : `stage ${stage}`,
      where: other!.where,
      add,
    });
  }
  return sightings;
}

/** `no managed distributions for stage dev in AWS us-east-1; 1 for stage local …: add --local`. */
export async function noManagedDistributions(
  ctx: CliContext,
  seen?: readonly ManagedDistribution[],
  what = 'no managed distributions',
): Promise<string> {
  const { stage } = ctx.target;
  const found = sightingsText(await managedElsewhere(ctx, undefined, seen));
  return `${what} for stage ${stage} in ${ctx.where}; ${found || 'none for any other stage'}`;
}

/**
 * What a bucket nothing serves has elsewhere: the buckets the target's managed distributions
 * serve (a typo shows), and the emulator's distributions for this bucket.
 */
export async function bucketElsewhere(ctx: CliContext, bucket: string): Promise<string> {
  const here = (await listed(ctx)) ?? [];
  const others = [...new Set(here.map((d) => d.bucket).filter((b) => b && b !== bucket))];
  const parts: string[] = [];
  if (others.length) {
    const shown = others.slice(0, MAX_BUCKETS).map((b) => `s3://${b}`);
    const more = others.length > MAX_BUCKETS ? ` and ${others.length - MAX_BUCKETS} more` : '';
    parts.push(`managed distributions there serve ${shown.join(', ')}${more}`);
  }
  const there = (await managedElsewhere(ctx, (d) => d.bucket === bucket, [])).filter(
    (s) => s.where,
  );
  if (there.length) parts.push(sightingsText(there));
  return `looked in ${ctx.where}; ${parts.join('; ') || 'no managed distribution anywhere'}`;
}
