/**
 * The real invalidate handler (functions/invalidate/handler.ts, its bare handler as npm start
 * builds it) with its clients pointed at the fault proxy, in front of the emulator with npm
 * start's stage and distribution. Real uploads (a versioned bucket, so every upload has its
 * version id), one invalidation request per upload as ingest sends it for an overwrite; what the
 * handler reports as failed comes back as SQS would redeliver it (same message id, receive count
 * + 1). For each fault kind: every overwritten key ends covered by an invalidation the ledger
 * accepted, none twice, no message reaches the queue's maxReceiveCount (the DLQ), and the
 * ledger's most in flight never passes the configured ceilings.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../local/faultProxy.js';
import { parseFaultScript } from '../../local/faultProxyScript.js';
import { buildPipelineHandlers } from '../../local/handlers.js';
import { provisionedStack, type LocalResources } from '../../local/pipeline.js';
import { LOCAL_QUEUE_SETTINGS } from '../../local/queues.js';
import { createClients } from '../../shared/clients.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import { logger } from '../../shared/observability.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';
import { sqsRecord } from '../helpers/factories.js';
import { callFigures, freshness } from '../helpers/faultProxy.js';

let emu: TestEmulator;
let res: LocalResources;

beforeAll(async () => {
  emu = await startTestEmulator();
  res = await provisionedStack(emu.clients, { stage: 'faults' });
  logger.setLogLevel('SILENT');
}, 60_000);
afterAll(() => emu?.stop());

/** The ceilings the handler is configured with, far below CloudFront's 3 000 / 15. */
const CEILINGS = { files: 25, wildcards: 2 } as const;
const ENV = {
  DISCOVERY_CACHE_SECONDS: '0',
  MAX_INFLIGHT_PATHS: String(CEILINGS.files),
  MAX_INFLIGHT_WILDCARDS: String(CEILINGS.wildcards),
  COLLAPSE_MIN_SIBLINGS: '5',
  // The one unchanged object at the top of each scenario keeps it from collapsing into one `*`.
  WILDCARD_MAX_UNCHANGED: '0',
  // No shared ledger here: it holds a sent reservation for VISIBLE_AFTER_MS (10 s) after the
  // send, longer than this scenario's compressed time (invalidations complete in 400 ms, ten
  // receives in 5 s). The ledger under faults is faultProxyConcurrency.test.ts's scenario.
  INVALIDATION_LEDGER_TABLE: '',
} as const;
/** Invalidations stay InProgress this long: the quota frees up while requests wait. */
const COMPLETE_AFTER_MS = 400;
/** SQS's visibility timeout, shortened: a failed message comes back after this. */
const REDELIVER_AFTER_MS = 500;
const MAX_RECEIVES = LOCAL_QUEUE_SETTINGS.invalidationRequests.maxReceiveCount;
const UPLOAD_CONCURRENCY = 8;

/** Uploads every key (a versioned bucket: each upload its own version) and one unchanged object. */
async function upload(prefix: string, keys: readonly string[]): Promise<InvalidationRequest[]> {
  const requests: InvalidationRequest[] = [];
  const put = (Key: string) =>
    emu.clients.s3.send(new PutObjectCommand({ Bucket: res.bucket, Key, Body: Key }));
  await put(`${prefix}/unchanged.txt`);
  for (let i = 0; i < keys.length; i += UPLOAD_CONCURRENCY) {
    const chunk = keys.slice(i, i + UPLOAD_CONCURRENCY);
    const outs = await Promise.all(chunk.map(put));
    chunk.forEach((key, j) =>
      requests.push({
        v: 1,
        bucket: res.bucket,
        key,
        versionId: outs[j]!.VersionId!,
        etag: outs[j]!.ETag!.replace(/"/g, ''),
        reason: 'overwrite',
      }),
    );
  }
  return requests;
}

/** 6 dense folders of 6 (each collapses to a wildcard) and 60 files in folders of their own. */
function keysFor(prefix: string): string[] {
  const dense = Array.from({ length: 6 }, (_, f) =>
    Array.from({ length: 6 }, (_, i) => `${prefix}/dense${f}/frame-${i}.png`),
  ).flat();
  const sparse = Array.from({ length: 60 }, (_, i) => `${prefix}/sparse${i}/page.html`);
  return [...dense, ...sparse];
}

interface Delivery {
  readonly record: SQSRecord;
  receives: number;
}

/** Feeds the handler until every message succeeded, redelivering failures as SQS does. */
async function drain(
  handler: (event: SQSEvent) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>,
  requests: readonly InvalidationRequest[],
): Promise<{ invocations: number; maxReceives: number; redeliveries: number }> {
  let pending: Delivery[] = requests.map((r) => ({
    record: sqsRecord(JSON.stringify(r)),
    receives: 0,
  }));
  let invocations = 0;
  let maxReceives = 0;
  let redeliveries = 0;
  while (pending.length && maxReceives < MAX_RECEIVES) {
    for (const d of pending) d.receives += 1;
    maxReceives = Math.max(maxReceives, ...pending.map((d) => d.receives));
    invocations += 1;
    const out = await handler({
      Records: pending.map((d) => ({
        ...d.record,
        attributes: { ...d.record.attributes, ApproximateReceiveCount: String(d.receives) },
      })),
    });
    const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
    pending = pending.filter((d) => failed.has(d.record.messageId));
    redeliveries += pending.length;
    if (pending.length) await new Promise((r) => setTimeout(r, REDELIVER_AFTER_MS));
  }
  return { invocations, maxReceives, redeliveries };
}

const SCENARIOS = [
  ['Throttling', { '*': [{ probability: 0.25, fault: 'Throttling' }] }],
  [
    'TooManyInvalidationsInProgress',
    // A batch makes few CreateInvalidation calls: every second one, so that some are refused.
    { CreateInvalidation: [{ every: 2, fault: 'TooManyInvalidationsInProgress' }] },
  ],
  ['503', { '*': [{ probability: 0.25, fault: '503' }] }],
  ['reset', { '*': [{ probability: 0.25, fault: 'reset' }] }],
  ['latency', { '*': [{ probability: 0.25, fault: 'latency', ms: 200 }] }],
] as const;

/** The figures of each scenario (the README quotes them): CDN_PIPELINE_FAULT_FIGURES=1 prints them. */
const figures: Array<Record<string, unknown>> = [];
afterAll(() => {
  if (process.env.CDN_PIPELINE_FAULT_FIGURES && figures.length)
    console.info(JSON.stringify(figures, null, 1));
});

describe.each(SCENARIOS)('with %s faults', (kind, faults) => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy({
      upstream: emu.endpoint,
      script: parseFaultScript({ seed: 2026, completeAfterMs: COMPLETE_AFTER_MS, faults }),
    });
  });
  afterAll(() => proxy?.stop());

  it('covers every overwritten key with an accepted invalidation, once, within the ceilings', async () => {
    const clients = createClients({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: { ...TEST_CREDENTIALS },
    });
    const handlers = buildPipelineHandlers(clients, res, { ...ENV });
    const keys = keysFor(`k-${kind}`);
    const requests = await upload(`k-${kind}`, keys);

    const run = await drain(handlers.invalidate, requests);

    const fresh = freshness(
      proxy,
      res.distribution.id,
      keys.map((k) => `/${k}`),
    );
    const peak = proxy.maxInFlight(res.distribution.id);
    const injected = proxy.log.filter((r) => r.fault === kind).length;
    figures.push({
      fault: kind,
      keys: keys.length,
      covered: fresh.covered,
      lost: fresh.lost.length,
      duplicated: fresh.duplicated.length,
      cloudfrontCalls: proxy.log.length,
      injected,
      accepted: proxy.ledger.all().length,
      invocations: run.invocations,
      redeliveries: run.redeliveries,
      maxReceives: run.maxReceives,
      maxInFlight: peak,
      calls: callFigures(proxy),
    });
    expect(fresh.lost).toEqual([]);
    expect(fresh.duplicated).toEqual([]);
    expect(injected).toBeGreaterThan(0);
    expect(run.maxReceives).toBeLessThan(MAX_RECEIVES);
    expect(peak.files + peak.tags).toBeLessThanOrEqual(CEILINGS.files);
    expect(peak.wildcards).toBeLessThanOrEqual(CEILINGS.wildcards);
    // The ceilings were reached: the quota, not luck, kept the ledger under them.
    expect(run.invocations).toBeGreaterThan(1);
  }, 120_000);
});
