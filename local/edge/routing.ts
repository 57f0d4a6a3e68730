/**
 * LOCAL ONLY (the local edge). Which distribution a request is for, and which of its cache
 * behaviours serves the path.
 *
 * Distribution: the `Host` header names its CloudFront domain (`d111111abcdef8.cloudfront.net`) or
 * an alias; else a `/_edge/<distribution-id>/` path prefix names it (stripped before anything
 * else); else, for a request to the edge's own loopback address, the one distribution when there
 * is exactly one. Anything else is a host CloudFront does not know: 403.
 *
 * Behaviour: the first whose path pattern matches, in order, the default (`*`) last. Patterns use
 * CloudFront's `*` (any run of characters, `/` included) and `?` (one character), case-sensitive,
 * matched against the decoded path (shared/distributions.ts `matchesPathPattern`).
 */
import { matchesPathPattern } from '../../shared/distributions.js';
import type { EdgeBehaviour, EdgeDistribution } from './edgeDistributions.js';

export const EDGE_PREFIX = '/_edge/';

export type Routed =
  | {
      readonly kind: 'distribution';
      readonly distribution: EdgeDistribution;
      readonly path: string;
    }
  | { readonly kind: 'unknown'; readonly reason: string };

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

function hostName(host: string): string {
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** The distribution a request is for, and the path it asks of it. */
export function routeDistribution(
  distributions: readonly EdgeDistribution[],
  host: string | undefined,
  path: string,
  defaultId?: string,
): Routed {
  const name = hostName(host ?? '');
  const byHost = distributions.find(
    (d) => d.domainName.toLowerCase() === name || d.aliases.some((a) => a.toLowerCase() === name),
  );
  if (byHost) return { kind: 'distribution', distribution: byHost, path };
  if (path.startsWith(EDGE_PREFIX)) {
    const rest = path.slice(EDGE_PREFIX.length);
    const slash = rest.indexOf('/');
    const id = slash < 0 ? rest : rest.slice(0, slash);
    const named = distributions.find((d) => d.id === id);
    if (!named) return { kind: 'unknown', reason: `no distribution ${id}` };
    return { kind: 'distribution', distribution: named, path: slash < 0 ? '/' : rest.slice(slash) };
  }
  if (LOOPBACK_HOST.test(host ?? '')) {
    const fallback =
      distributions.find((d) => d.id === defaultId) ??
      (distributions.length === 1 ? distributions[0] : undefined);
    if (fallback) return { kind: 'distribution', distribution: fallback, path };
  }
  return {
    kind: 'unknown',
    reason:
      distributions.length > 1
        ? `host ${name || '(none)'} names no distribution; with ${distributions.length} distributions use Host: <domain> or ${EDGE_PREFIX}<id>/`
        : `host ${name || '(none)'} names no distribution`,
  };
}

/** The behaviour that serves a (decoded) path: the first match, the default last. */
export function selectBehaviour(
  distribution: EdgeDistribution,
  decodedPath: string,
): EdgeBehaviour {
  return (
    distribution.behaviours.find((b) => matchesPathPattern(b.pathPattern, decodedPath)) ??
    distribution.behaviours[distribution.behaviours.length - 1]!
  );
}
