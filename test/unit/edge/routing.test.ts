/** Which distribution and behaviour serve a request (local/edge/routing.ts). */
import { describe, expect, it } from 'vitest';
import type { EdgeBehaviour, EdgeDistribution } from '../../../local/edge/edgeDistributions.js';
import { routeDistribution, selectBehaviour } from '../../../local/edge/routing.js';

const behaviour = (pathPattern: string): EdgeBehaviour => ({
  pathPattern,
  targetOriginId: 's3',
  compress: false,
  allowedMethods: ['GET', 'HEAD'],
  cachedMethods: ['GET', 'HEAD'],
  cachePolicy: { Name: pathPattern, MinTTL: 0 },
});

const distribution = (
  id: string,
  patterns: string[],
  aliases: string[] = [],
): EdgeDistribution => ({
  id,
  domainName: `${id.toLowerCase()}.cloudfront.net`,
  aliases,
  enabled: true,
  behaviours: [...patterns.map(behaviour), behaviour('*')],
  origins: new Map(),
  errorCachingMinTtl: new Map(),
  errorPages: new Map(),
  missingObjectStatus: 403,
  additionalMetrics: false,
});

describe('selectBehaviour', () => {
  const d = distribution('E1', ['/videos/*.mp4', '*.mp4', 'images/??.png', '*.PNG']);
  it.each([
    ['/videos/a.mp4', '/videos/*.mp4'],
    ['/videos/sub/deep/a.mp4', '/videos/*.mp4'],
    ['/other/a.mp4', '*.mp4'],
    ['/images/ab.png', 'images/??.png'],
    ['/images/abc.png', '*'],
    ['/a.png', '*'], // case-sensitive: *.PNG does not match .png
    ['/A.PNG', '*.PNG'],
    ['/', '*'],
  ])('%s → %s (first match in order, default last)', (path, pattern) => {
    expect(selectBehaviour(d, path).pathPattern).toBe(pattern);
  });
});

describe('routeDistribution', () => {
  const one = distribution('E1', []);
  const two = distribution('E2', [], ['cdn.example.com']);
  const route = (ds: EdgeDistribution[], host: string | undefined, path: string, def?: string) => {
    const r = routeDistribution(ds, host, path, def);
    return r.kind === 'distribution' ? `${r.distribution.id} ${r.path}` : 'unknown';
  };

  it('names the distribution by its domain or an alias, any case, any port', () => {
    expect(route([one, two], 'e1.cloudfront.net', '/a')).toBe('E1 /a');
    expect(route([one, two], 'CDN.example.com:4580', '/a')).toBe('E2 /a');
  });

  it('strips a /_edge/<id>/ prefix', () => {
    expect(route([one, two], '127.0.0.1:4580', '/_edge/E2/videos/a.mp4')).toBe('E2 /videos/a.mp4');
    expect(route([one, two], '127.0.0.1:4580', '/_edge/E9/videos/a.mp4')).toBe('unknown');
  });

  it('serves a loopback host the default distribution, or the only one', () => {
    expect(route([one], '127.0.0.1:4580', '/a')).toBe('E1 /a');
    expect(route([one], 'localhost', '/a')).toBe('E1 /a');
    expect(route([one, two], '127.0.0.1:4580', '/a')).toBe('unknown');
    expect(route([one, two], '127.0.0.1:4580', '/a', 'E2')).toBe('E2 /a');
  });

  it('refuses a host no distribution has', () => {
    expect(route([one], 'www.example.com', '/a')).toBe('unknown');
    expect(route([one], undefined, '/a')).toBe('unknown');
  });
});
