/**
 * `cdn-pipeline invalidate`: invalidates keys now, through the same planner the pipeline uses:
 * same path mapping, same in-flight accounting and wildcard rules. The invalidate function's
 * settings (MAX_INFLIGHT_PATHS, …) come from the environment; the target from the same flags
 * as every command (`--local` is the emulator, never a real account). It reserves what it sends
 * in the same in-flight budget as the function (the stage's invalidation ledger table, or
 * INVALIDATION_LEDGER_TABLE), so the two never exceed the ceilings together.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { invalidateBatch } from '../functions/invalidate/invalidate.js';
import type { TargetFlags } from '../local/target.js';
import { budgetFor } from '../functions/invalidate/budget.js';
import { loadInvalidateConfig } from '../functions/invalidate/config.js';
import { localResourceNames } from '../local/resources.js';
import { cachedOriginFinder } from '../shared/distributions.js';
import { cliContext, type Outcome } from './context.js';
import { bucketElsewhere } from './elsewhere.js';
import { table } from './format.js';

export interface InvalidateFlags extends TargetFlags {
  readonly bucket: string;
  readonly distribution?: string[];
  readonly json?: boolean;
}

/** The stage's ledger table, as serverless.yml and the local bootstrap name it. */
function ledgerTableOf(stage: string): string {
  return localResourceNames(stage).invalidationLedgerTable;
}

/**
 * Whether the table exists: a stack deployed before the ledger has none. Any other answer (no
 * permission to describe it, say) counts as present: the ledger's own reads then tell, and work
 * they cannot account for is deferred, never sent blind.
 */
async function tableExists(dynamodb: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (error) {
    return (error as { name?: string })?.name !== 'ResourceNotFoundException';
  }
}

export async function invalidateCommand(
  keys: readonly string[],
  options: InvalidateFlags,
): Promise<Outcome> {
  const ctx = cliContext(options);
  const env = loadInvalidateConfig(ctx.env);
  const config = { ...env, ledgerTable: env.ledgerTable ?? ledgerTableOf(ctx.target.stage) };
  const clients = await ctx.clients();
  const shared = await tableExists(clients.dynamodb, config.ledgerTable);
  const budget = shared ? budgetFor(config, clients.dynamodb, 'cli') : undefined;
  const ids = options.distribution ?? config.distributionIds;
  const findOrigins = cachedOriginFinder(clients.cloudfront, { ...(ids ? { ids } : {}), ttlMs: 0 });
  const eventTime = new Date().toISOString();
  const result = await invalidateBatch(
    {
      cloudfront: clients.cloudfront,
      s3: clients.s3,
      config,
      findOrigins,
      ...(budget ? { budget } : {}),
    },
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
          ledger: { table: config.ledgerTable, shared },
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
    if (!shared)
      console.log(
        `note: no table ${config.ledgerTable}: the in-flight budget was not shared with the stack's function (a stack deployed before the ledger; deploy it again)`,
      );
  }
  return deferred.length ? 'partial' : 'ok';
}
