/**
 * The fault proxy (local/faultProxy.ts) for tests: a CloudFront client pointed at it, and the
 * freshness figures of a run read from its ledger (keys covered by an accepted invalidation, lost,
 * covered more than once).
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { FaultProxy } from '../../local/faultProxy.js';
import { TEST_CREDENTIALS } from './emulator.js';

/** A CloudFront client through the proxy; `maxAttempts` as the SDK takes it (default 1: no retries). */
export function cloudfrontVia(
  proxy: Pick<FaultProxy, 'endpoint'>,
  maxAttempts = 1,
): CloudFrontClient {
  return new CloudFrontClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { ...TEST_CREDENTIALS },
    maxAttempts,
  });
}

/** Whether an invalidation of `sent` covers `path` (exact, or a `prefix*` wildcard). */
function covered(sent: readonly string[], path: string): boolean {
  return sent.some((p) => p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))));
}

export interface Freshness {
  readonly covered: number;
  readonly lost: readonly string[];
  /** Paths covered by more than one accepted invalidation. */
  readonly duplicated: readonly string[];
}

/** Of `paths` on one distribution: how many an accepted invalidation covers, and how many times. */
export function freshness(
  proxy: FaultProxy,
  distributionId: string,
  paths: readonly string[],
): Freshness {
  const accepted = proxy.ledger.all().filter((i) => i.distributionId === distributionId);
  const lost: string[] = [];
  const duplicated: string[] = [];
  let n = 0;
  for (const path of paths) {
    const times = accepted.filter((i) => covered(i.paths, path)).length;
    if (times === 0) lost.push(path);
    else n += 1;
    if (times > 1) duplicated.push(path);
  }
  return { covered: n, lost, duplicated };
}

/** Calls per operation and outcome, e.g. `{ 'CreateInvalidation Throttling': 3 }`. */
export function callFigures(proxy: FaultProxy): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const r of proxy.log) {
    const key = `${r.operation} ${r.fault ?? r.code ?? r.status ?? r.outcome}`;
    figures[key] = (figures[key] ?? 0) + 1;
  }
  return figures;
}
