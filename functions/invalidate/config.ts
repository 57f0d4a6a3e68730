/**
 * Invalidate's config: its pick of the one env schema (shared/env.ts), mapped to a frozen object
 * and parsed once per function instance. Defaults live in the schema only.
 */
import { ENV_SCHEMA, parseEnv, type Env } from '../../shared/env.js';

const invalidateEnv = ENV_SCHEMA.pick({
  DISTRIBUTION_IDS: true,
  MAX_INFLIGHT_PATHS: true,
  MAX_INFLIGHT_WILDCARDS: true,
  COLLAPSE_MIN_SIBLINGS: true,
  WILDCARD_MAX_UNCHANGED: true,
  HOLD_MAX_SECONDS: true,
  DISCOVERY_CACHE_SECONDS: true,
  INVALIDATION_LEDGER_TABLE: true,
});

export interface InvalidateConfig {
  /** Explicit distribution ids; when set, discovery by origin is skipped. */
  readonly distributionIds: readonly string[] | undefined;
  readonly maxInflightPaths: number;
  readonly maxInflightWildcards: number;
  readonly collapseMinSiblings: number;
  readonly wildcardMaxUnchanged: number;
  /** How long after its event a request may be held for a cheaper plan (hold.ts); 0: never. */
  readonly holdMaxMs: number;
  readonly discoveryCacheMs: number;
  /** The shared in-flight budget's table; undefined: this invocation's view alone. */
  readonly ledgerTable: string | undefined;
}

export function loadInvalidateConfig(env: Env = process.env): InvalidateConfig {
  const raw = parseEnv(invalidateEnv, env);
  return Object.freeze({
    distributionIds: raw.DISTRIBUTION_IDS.length ? Object.freeze(raw.DISTRIBUTION_IDS) : undefined,
    maxInflightPaths: raw.MAX_INFLIGHT_PATHS,
    maxInflightWildcards: raw.MAX_INFLIGHT_WILDCARDS,
    collapseMinSiblings: raw.COLLAPSE_MIN_SIBLINGS,
    wildcardMaxUnchanged: raw.WILDCARD_MAX_UNCHANGED,
    holdMaxMs: raw.HOLD_MAX_SECONDS * 1000,
    discoveryCacheMs: raw.DISCOVERY_CACHE_SECONDS * 1000,
    ledgerTable: raw.INVALIDATION_LEDGER_TABLE,
  });
}
