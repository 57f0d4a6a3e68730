/**
 * `cdn-pipeline invalidate`: invalidates keys now, through the same planner the pipeline uses:
 * same path mapping, same in-flight accounting and wildcard rules. The invalidate function's
 * settings (MAX_INFLIGHT_PATHS, …) come from the environment; the target from the same flags
 * as every command (`--local` is the emulator, never a real account).
 */
import { invalidateBatch } from '../functions/invalidate/invalidate.js';
import type { TargetFlags } from '../local/target.js';
import { loadInvalidateConfig } from '../functions/invalidate/config.js';
import { cachedOriginFinder } from '../shared/distributions.js';
import { cliContext, type Outcome } from './context.js';
import { bucketElsewhere } from './elsewhere.js';
import { table } from './format.js';

export interface InvalidateFlags extends TargetFlags {
  readonly bucket: string;
  readonly distribution?: string[];
  readonly json?: boolean;
}

export async function invalidateCommand(
  keys: readonly string[],
  options: InvalidateFlags,
): Promise<Outcome> {
  const ctx = cliContext(options);
  const config = loadInvalidateConfig(ctx.env);
  const clients = await ctx.clients();
  const ids = options.distribution ?? config.distributionIds;
  const findOrigins = cachedOriginFinder(clients.cloudfront, { ...(ids ? { ids } : {}), ttlMs: 0 });
  const eventTime = new Date().toISOString();
  const result = await invalidateBatch(
    { cloudfront: clients.cloudfront, s3: clients.s3, config, findOrigins },
    [...new Set(keys)].map((key) => ({
      id: key,
      request: { v: 1 as const, bucket: options.bucket, key, eventTime, reason: 'manual' },
    })),
  );
  const created = result.distributions.flatMap((d) => d.invalidations);
  const deferred = [...result.deferred].map(([key, reason]) => ({ key, reason }));
  const unserved = result.distributions.length === 0 && deferred.length === 0;
  const hint = unserved ? await bucketElsewhere(ctx, options.bucket) : undefined;
  if (options.json) {
    console.log(
      JSON.stringify(
        {
          invalidations: created,
          deferred,
          unserved: result.unserved,
          ...(hint ? { hint } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    if (created.length) {
      console.log(
        table(
          ['distribution', 'invalidation', 'paths', 'wildcards', 'first path'],
          created.map((c) => [
            c.distributionId,
            c.invalidationId,
            String(c.paths.length),
            String(c.wildcards),
            c.paths[0] ?? '',
          ]),
        ),
      );
    }
    if (result.distributions.length === 0)
      console.log(
        `No enabled distribution serves bucket ${options.bucket}.${hint ? ` (${hint})` : ''}`,
      );
    for (const d of deferred) console.log(`deferred  ${d.key}: ${d.reason}`);
  }
  return deferred.length ? 'partial' : 'ok';
}
