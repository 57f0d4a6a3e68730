/**
 * Idempotency through the real invalidate handler and the fault proxy's CallerReference ledger
 * (the emulator has none): a crash after CreateInvalidation before the acknowledgement, an
 * answer lost on the wire, and duplicate deliveries of one upload each end with one
 * invalidation, the path in it once.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../local/faultProxy.js';
import { parseFaultScript } from '../../local/faultProxyScript.js';
import { buildPipelineHandlers, type SqsHandler } from '../../local/handlers.js';
import { provisionedStack, type LocalResources } from '../../local/pipeline.js';
import { createClients } from '../../shared/clients.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import { logger } from '../../shared/observability.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';
import { sqsRecord } from '../helpers/factories.js';
import { freshness } from '../helpers/faultProxy.js';

let emu: TestEmulator;
let res: LocalResources;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
  res = await provisionedStack(emu.clients, { stage: 'idem' });
  logger.setLogLevel('SILENT');
}, 60_000);
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await emu?.stop();
});

/** A proxy with this script and the invalidate handler (npm start's) through it. */
async function through(
  faults: unknown,
  options: { maxAttempts?: number } = {},
): Promise<{ proxy: FaultProxy; invalidate: SqsHandler }> {
  const proxy = await startFaultProxy({
    upstream: emu.endpoint,
    script: parseFaultScript({ completeAfterMs: 60_000, faults }),
  });
  proxies.push(proxy);
  const clients = createClients({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { ...TEST_CREDENTIALS },
    ...(options.maxAttempts ? { cloudfrontMaxAttempts: options.maxAttempts } : {}),
  });
  const { invalidate } = buildPipelineHandlers(clients, res, { DISCOVERY_CACHE_SECONDS: '0' });
  return { proxy, invalidate };
}

async function uploads(prefix: string, n: number): Promise<InvalidationRequest[]> {
  const requests: InvalidationRequest[] = [];
  for (let i = 0; i < n; i++) {
    const key = `${prefix}/file-${i}.txt`;
    const out = await emu.clients.s3.send(
      new PutObjectCommand({ Bucket: res.bucket, Key: key, Body: key }),
    );
    requests.push({
      v: 1,
      bucket: res.bucket,
      key,
      versionId: out.VersionId!,
      reason: 'overwrite',
    });
  }
  return requests;
}

/** The same messages again, as SQS redelivers them (same ids, receive count + 1). */
function redelivered(event: SQSEvent): SQSEvent {
  return {
    Records: event.Records.map((r) => ({
      ...r,
      attributes: {
        ...r.attributes,
        ApproximateReceiveCount: String(Number(r.attributes.ApproximateReceiveCount) + 1),
      },
    })),
  };
}

const eventOf = (requests: readonly InvalidationRequest[]): SQSEvent => ({
  Records: requests.map((r): SQSRecord => sqsRecord(JSON.stringify(r))),
});
const creates = (proxy: FaultProxy) =>
  proxy.log.filter((r) => r.operation === 'CreateInvalidation');

describe('no second invalidation', () => {
  it('after a crash between CreateInvalidation and the acknowledgement', async () => {
    const { proxy, invalidate } = await through({});
    const requests = await uploads('crash', 12);
    const event = eventOf(requests);
    // The first invocation's answer never reaches SQS (the function crashed): all come back.
    await invalidate(event);
    expect(proxy.ledger.all()).toHaveLength(1);
    const again = await invalidate(redelivered(event));
    expect(again.batchItemFailures).toEqual([]);
    expect(proxy.ledger.all()).toHaveLength(1);
    expect(creates(proxy).map((r) => r.created)).toEqual([true, false]);
    const fresh = freshness(
      proxy,
      res.distribution.id,
      requests.map((r) => `/${r.key}`),
    );
    expect(fresh).toEqual({ covered: 12, lost: [], duplicated: [] });
  }, 60_000);

  it('when the answer to CreateInvalidation is lost and the batch comes back through SQS', async () => {
    // One attempt: the lost answer fails the call, the handler defers the batch.
    const { proxy, invalidate } = await through(
      { CreateInvalidation: [{ call: 1, fault: 'reset-after' }] },
      { maxAttempts: 1 },
    );
    const requests = await uploads('lost', 8);
    const event = eventOf(requests);
    const first = await invalidate(event);
    expect(first.batchItemFailures).toHaveLength(8);
    const again = await invalidate(redelivered(event));
    expect(again.batchItemFailures).toEqual([]);
    expect(proxy.ledger.all()).toHaveLength(1);
    expect(creates(proxy).map((r) => [r.outcome, r.created])).toEqual([
      ['reset', true],
      ['answered', false],
    ]);
  }, 60_000);

  it('for duplicate deliveries of one upload: one path, once, in one batch or in two', async () => {
    const { proxy, invalidate } = await through({});
    const [request] = await uploads('dup', 1);
    const twice = eventOf([request!, request!]);
    expect((await invalidate(twice)).batchItemFailures).toEqual([]);
    expect(proxy.ledger.all().map((i) => i.paths)).toEqual([['/dup/file-0.txt']]);
    // Later, a third delivery (another message id): the same invalidation, in flight or not.
    await invalidate(eventOf([request!]));
    proxy.ledger.completeAll();
    await invalidate(eventOf([request!]));
    expect(proxy.ledger.all()).toHaveLength(1);
    expect(creates(proxy).map((r) => r.created)).toEqual([true, false, false]);
  }, 60_000);
});
