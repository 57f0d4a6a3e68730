/**
 * Invalidations taking effect at the local edge (local/edge/invalidationWatcher.ts) against the
 * emulator's CloudFront: those made before the watcher started are the baseline, a new one evicts
 * what it matches on its distribution only, and a failing poll is one line, not a crash.
 */
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EdgeCache, type CacheEntry } from '../../local/edge/EdgeCache.js';
import {
  cloudFrontSource,
  startInvalidationWatcher,
} from '../../local/edge/invalidationWatcher.js';
import { freePort } from '../../local/emulator.js';
import { createTaggedDistribution } from '../helpers/distributions.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let a: string;
let b: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  a = await createTaggedDistribution(emu.clients.cloudfront, 'edge-watch-a', {});
  b = await createTaggedDistribution(emu.clients.cloudfront, 'edge-watch-b', {});
}, 60_000);
afterAll(() => emu?.stop());

const entry = (distributionId: string, path: string): CacheEntry => ({
  distributionId,
  path,
  tags: new Set(),
  status: 200,
  headers: {},
  body: Buffer.from('x'),
  storedAt: 0,
  expiresAt: Number.MAX_SAFE_INTEGER,
});

const invalidate = (id: string, paths: string[]) =>
  emu.clients.cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: id,
      InvalidationBatch: {
        CallerReference: `${id}-${Date.now()}-${Math.random()}`,
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );

it('takes the existing invalidations as applied, then evicts what a new one matches', async () => {
  await invalidate(a, ['/img/*']);
  const cache = new EdgeCache();
  cache.set('1', entry(a, '/img/logo.png'));
  cache.set('2', entry(a, '/css/site.css'));
  cache.set('3', entry(b, '/img/logo.png'));
  const lines: string[] = [];
  const watcher = startInvalidationWatcher({
    source: cloudFrontSource(emu.clients.cloudfront),
    cache,
    distributionIds: () => [a, b],
    everyMs: 60_000,
    log: (l) => lines.push(l),
  });
  await watcher.poll();
  expect(cache.size).toBe(3); // the earlier /img/* predates everything cached
  await invalidate(a, ['/img/*']);
  await watcher.poll();
  expect(cache.get('1')).toBeUndefined();
  expect(cache.get('2')).toBeDefined();
  expect(cache.get('3')).toBeDefined(); // another distribution
  expect(watcher.stats()).toEqual({ invalidations: 1, evicted: 1 });
  expect(lines.join('\n')).toMatch(
    new RegExp(`invalidation \\w+ on ${a} \\(1 path\\(s\\)\\) evicted 1 cached object`),
  );
  await watcher.poll();
  expect(watcher.stats().invalidations).toBe(1); // each invalidation once
  await watcher.stop();
});

it('reports a failing poll once and keeps going', async () => {
  const dead = new CloudFrontClient({
    endpoint: `http://127.0.0.1:${await freePort()}`,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  const lines: string[] = [];
  const watcher = startInvalidationWatcher({
    source: cloudFrontSource(dead),
    cache: new EdgeCache(),
    distributionIds: () => [a],
    everyMs: 60_000,
    log: (l) => lines.push(l),
  });
  await watcher.poll();
  await watcher.poll();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^edge: reading invalidations failed: /);
  await watcher.stop();
});
