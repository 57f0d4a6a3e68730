/**
 * 5 000 overwrites over 100 prefixes, two invalidate invokers running at once (as two Lambda
 * instances on one queue do), through the fault proxy with 10 % throttling: every key ends
 * covered by an accepted invalidation, none twice, and the ledger's most in flight on the
 * distribution never passes the configured ceiling (MAX_INFLIGHT_PATHS), although each invoker
 * reads the in-flight count on its own. Wildcards are off (MAX_INFLIGHT_WILDCARDS=0), so every
 * key is a file path and the file ceiling is what is tested.
 */
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../local/faultProxy.js';
import { parseFaultScript } from '../../local/faultProxyScript.js';
import { buildPipelineHandlers } from '../../local/handlers.js';
import { LOCAL_POLLING, provisionedStack, type LocalResources } from '../../local/pipeline.js';
import { LOCAL_QUEUE_SETTINGS } from '../../local/queues.js';
import { createClients } from '../../shared/clients.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import { logger } from '../../shared/observability.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';
import { sqsRecord } from '../helpers/factories.js';
import { callFigures, freshness } from '../helpers/faultProxy.js';

const KEYS = 5000;
const PREFIXES = 100;
const INVOKERS = 2;
const CEILING = 2800;
const COMPLETE_AFTER_MS = 1500;
const REDELIVER_AFTER_MS = 2000;
const MAX_RECEIVES = LOCAL_QUEUE_SETTINGS.invalidationRequests.maxReceiveCount;

let emu: TestEmulator;
let res: LocalResources;
let proxy: FaultProxy;

beforeAll(async () => {
  emu = await startTestEmulator();
  res = await provisionedStack(emu.clients, { stage: 'concurrent' });
  proxy = await startFaultProxy({
    upstream: emu.endpoint,
    script: parseFaultScript({
      seed: 5000,
      completeAfterMs: COMPLETE_AFTER_MS,
      faults: { '*': [{ probability: 0.1, fault: 'Throttling' }] },
    }),
  });
  logger.setLogLevel('SILENT');
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await emu?.stop();
});

interface Message {
  readonly record: SQSRecord;
  receives: number;
  visibleAt: number;
}

it('keeps two concurrent invokers under the configured in-flight ceiling, losing nothing', async () => {
  const env = {
    DISCOVERY_CACHE_SECONDS: '0',
    MAX_INFLIGHT_PATHS: String(CEILING),
    MAX_INFLIGHT_WILDCARDS: '0',
  };
  const invokers = Array.from({ length: INVOKERS }, () =>
    buildPipelineHandlers(
      createClients({
        endpoint: proxy.endpoint,
        region: 'us-east-1',
        credentials: { ...TEST_CREDENTIALS },
      }),
      res,
      env,
    ),
  );
  const keys = Array.from(
    { length: KEYS },
    (_, i) => `load/p${i % PREFIXES}/object-${Math.floor(i / PREFIXES)}.bin`,
  );
  const queue: Message[] = keys.map((key, i) => {
    const request: InvalidationRequest = {
      v: 1,
      bucket: res.bucket,
      key,
      etag: `etag-${i}`,
      eventTime: '2026-12-01T00:00:00.000Z',
      reason: 'overwrite',
    };
    return { record: sqsRecord(JSON.stringify(request)), receives: 0, visibleAt: 0 };
  });
  let maxReceives = 0;
  let invocations = 0;
  const deadline = Date.now() + 150_000;

  /** One invoker: takes up to a batch of visible messages, returns the failed ones later. */
  const run = async (invoke: (typeof invokers)[number]) => {
    while (queue.length && Date.now() < deadline && maxReceives < MAX_RECEIVES) {
      const now = Date.now();
      const batch: Message[] = [];
      for (let i = 0; i < queue.length && batch.length < LOCAL_POLLING.invalidate.batchSize;) {
        if (queue[i]!.visibleAt <= now) batch.push(...queue.splice(i, 1));
        else i += 1;
      }
      if (!batch.length) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      for (const m of batch) m.receives += 1;
      maxReceives = Math.max(maxReceives, ...batch.map((m) => m.receives));
      invocations += 1;
      const out = await invoke.invalidate({ Records: batch.map((m) => m.record) });
      const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
      for (const m of batch)
        if (failed.has(m.record.messageId)) {
          m.visibleAt = Date.now() + REDELIVER_AFTER_MS;
          queue.push(m);
        }
    }
  };
  await Promise.all(invokers.map(run));

  const fresh = freshness(
    proxy,
    res.distribution.id,
    keys.map((k) => `/${k}`),
  );
  const peak = proxy.maxInFlight(res.distribution.id);
  if (process.env.CDN_PIPELINE_FAULT_FIGURES)
    console.info(
      JSON.stringify({
        keys: KEYS,
        covered: fresh.covered,
        lost: fresh.lost.length,
        duplicated: fresh.duplicated.length,
        invocations,
        maxReceives,
        accepted: proxy.ledger.all().length,
        peak,
        calls: callFigures(proxy),
      }),
    );
  expect(queue).toHaveLength(0);
  expect(fresh.lost).toEqual([]);
  expect(fresh.duplicated).toEqual([]);
  expect(maxReceives).toBeLessThan(MAX_RECEIVES);
  expect(peak.files).toBeLessThanOrEqual(CEILING);
}, 180_000);
