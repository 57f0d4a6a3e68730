/**
 * The in-flight budget an invoker of this feature shares with every other (the function's
 * instances, the CLI): built from the invalidate config when it names the ledger table.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../../shared/errors.js';
import {
  createInvalidationBudget,
  type InvalidationBudget,
} from '../../shared/invalidation/ledgerStore.js';
import { logger } from '../../shared/observability.js';
import type { InvalidateConfig } from './config.js';

/** The shared budget, or undefined when no ledger table is configured (this invoker alone). */
export function budgetFor(
  config: Pick<InvalidateConfig, 'ledgerTable' | 'maxInflightPaths' | 'maxInflightWildcards'>,
  dynamodb: DynamoDBClient | undefined,
  holder: string,
): InvalidationBudget | undefined {
  if (!config.ledgerTable) return undefined;
  if (!dynamodb)
    throw new ConfigError('INVALIDATION_LEDGER_TABLE', 'is set but no DynamoDB client was given');
  return createInvalidationBudget({
    dynamodb,
    table: config.ledgerTable,
    ceilings: { files: config.maxInflightPaths, wildcards: config.maxInflightWildcards },
    holder,
    warn: (message, detail) => logger.warn(message, detail),
  });
}
