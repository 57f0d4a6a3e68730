import { invalidateBatch } from '../functions/invalidate/invalidate.js';
import { createClients } from '../shared/clients.js';
import { loadInvalidateConfig } from '../shared/config.js';
import { cachedOriginFinder } from '../shared/distributions.js';
import { table } from './format.js';

/**
 * Invalidates keys now, through the same planner the pipeline uses: same path mapping, same
 * in-flight accounting and wildcard rules. Reads the standard AWS variables and the
 * invalidate function's settings (MAX_INFLIGHT_PATHS, …) from the environment.
 */
export async function invalidateCommand(
  keys: readonly string[],
  options: { bucket: string; distribution?: string[]; json?: boolean },
): Promise<number> {
  const clients = createClients();
  const config = loadInvalidateConfig(process.env);
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
  if (options.json) {
    console.log(
      JSON.stringify({ invalidations: created, deferred, unserved: result.unserved }, null, 2),
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
      console.log(`No enabled distribution serves bucket ${options.bucket}.`);
    for (const d of deferred) console.log(`deferred  ${d.key}: ${d.reason}`);
  }
  return deferred.length ? 3 : 0;
}
