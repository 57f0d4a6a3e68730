/**
 * The fault proxy between the real SDK CloudFrontClient and the emulator: each fault kind
 * surfaces as the SDK error the invalidate function branches on (or is retried by the SDK), the
 * in-flight ledger refuses over-quota batches, CallerReference semantics hold both ways, and the
 * paths CloudFront refuses are refused. The emulator itself does none of this (DESIGN.md).
 * Over 300 lines: one table of the proxy's behaviours against one emulator.
 */
import type { CloudFrontServiceException } from '@aws-sdk/client-cloudfront';
import {
  BatchTooLarge,
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
  InvalidArgument,
  ListInvalidationsCommand,
  NoSuchDistribution,
  TooManyInvalidationsInProgress,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRejection, isThrottle } from '../../functions/invalidate/cloudfrontErrors.js';
import { startFaultProxy, type FaultProxy } from '../../local/faultProxy.js';
import { parseFaultScript, type FaultScript } from '../../local/faultProxyScript.js';
import { createTaggedDistribution } from '../helpers/distributions.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';
import { cloudfrontVia } from '../helpers/faultProxy.js';

let emu: TestEmulator;
let distributionId: string;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
  distributionId = await createTaggedDistribution(emu.clients.cloudfront, 'fault-proxy', {});
}, 60_000);
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});
afterAll(() => emu?.stop());

async function proxy(
  faults: unknown = {},
  ledger: Parameters<typeof startFaultProxy>[0]['ledger'] = {},
): Promise<FaultProxy> {
  const script: FaultScript = parseFaultScript(faults);
  const p = await startFaultProxy({ upstream: emu.endpoint, script, ledger });
  proxies.push(p);
  return p;
}

let refs = 0;
function create(cf: CloudFrontClient, paths: readonly string[], reference?: string, id?: string) {
  return cf.send(
    new CreateInvalidationCommand({
      DistributionId: id ?? distributionId,
      InvalidationBatch: {
        CallerReference: reference ?? `ref-${++refs}`,
        Paths: { Quantity: paths.length, Items: [...paths] },
      },
    }),
  );
}

/** The error a promise rejects with (the test fails when it resolves). */
async function failure(promise: Promise<unknown>): Promise<CloudFrontServiceException & Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as CloudFrontServiceException & Error,
  );
  if (!outcome) throw new Error('expected the call to fail, it succeeded');
  return outcome;
}

const files = (n: number, prefix = 'f') =>
  Array.from({ length: n }, (_, i) => `/${prefix}/${i}.png`);

describe('forwarding', () => {
  it('passes other CloudFront calls and other services through to the emulator', async () => {
    const p = await proxy();
    const out = await cloudfrontVia(p).send(new GetDistributionCommand({ Id: distributionId }));
    expect(out.Distribution?.Id).toBe(distributionId);
    const s3 = new S3Client({
      endpoint: p.endpoint,
      region: 'us-east-1',
      credentials: { ...TEST_CREDENTIALS },
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'through-the-proxy' }));
    const buckets = await emu.clients.s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toContain('through-the-proxy');
    expect(p.log.map((r) => [r.operation, r.outcome, r.status])).toEqual([
      ['GetDistribution', 'forwarded', 200],
    ]);
    expect(p.forwardedOther()).toBe(1);
  });

  it('answers invalidations InProgress, lists them newest first, Completed after the configured time', async () => {
    const p = await proxy({}, { completeAfterMs: 300 });
    const cf = cloudfrontVia(p);
    const first = await create(cf, ['/a.png', '/b/*']);
    const second = await create(cf, ['/c.png']);
    expect(first.Invalidation?.Status).toBe('InProgress');
    expect(first.Location).toContain(
      `/distribution/${distributionId}/invalidation/${first.Invalidation?.Id}`,
    );
    const got = await cf.send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: first.Invalidation!.Id! }),
    );
    expect(got.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/a.png', '/b/*']);
    const list = await cf.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
    expect(list.InvalidationList?.Items?.map((i) => i.Id)).toEqual([
      second.Invalidation?.Id,
      first.Invalidation?.Id,
    ]);
    expect(p.ledger.inFlight(distributionId)).toMatchObject({ files: 2, wildcards: 1 });
    await new Promise((r) => setTimeout(r, 350));
    const later = await cf.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
    expect(later.InvalidationList?.Items?.map((i) => i.Status)).toEqual(['Completed', 'Completed']);
    expect(p.maxInFlight(distributionId)).toMatchObject({
      files: 2,
      wildcards: 1,
      invalidations: 2,
    });
  });

  it('pages ListInvalidations by Marker', async () => {
    const p = await proxy();
    const cf = cloudfrontVia(p);
    for (let i = 0; i < 3; i++) await create(cf, [`/page/${i}`]);
    const one = await cf.send(
      new ListInvalidationsCommand({ DistributionId: distributionId, MaxItems: 2 }),
    );
    expect(one.InvalidationList).toMatchObject({ IsTruncated: true, Quantity: 2 });
    const two = await cf.send(
      new ListInvalidationsCommand({
        DistributionId: distributionId,
        MaxItems: 2,
        Marker: one.InvalidationList!.NextMarker!,
      }),
    );
    expect(two.InvalidationList).toMatchObject({ IsTruncated: false, Quantity: 1 });
  });

  it('answers NoSuchDistribution for a distribution the emulator does not have', async () => {
    const p = await proxy();
    const error = await failure(create(cloudfrontVia(p), ['/x'], undefined, 'E0000000000000'));
    expect(error).toBeInstanceOf(NoSuchDistribution);
    expect(error.$metadata.httpStatusCode).toBe(404);
  });
});

describe('faults, as the SDK surfaces them', () => {
  it('TooManyInvalidationsInProgress on call 2: the modelled error, 400, not retried by the SDK', async () => {
    const p = await proxy({
      CreateInvalidation: [{ call: 2, fault: 'TooManyInvalidationsInProgress' }],
    });
    const cf = cloudfrontVia(p, 3);
    await create(cf, ['/one']);
    const error = await failure(create(cf, ['/two']));
    expect(error).toBeInstanceOf(TooManyInvalidationsInProgress);
    expect(error.message).toBe(
      'Processing your request will cause you to exceed the maximum number of in-progress invalidations.',
    );
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    expect(isThrottle(error)).toBe(true);
    expect(p.ledger.all()).toHaveLength(1);
  });

  it('Throttling: Rate exceeded, retried by the SDK, surfaced when every attempt is throttled', async () => {
    const once = await proxy({ CreateInvalidation: [{ call: 1, fault: 'Throttling' }] });
    const ok = await create(cloudfrontVia(once, 2), ['/t']);
    expect(ok.$metadata.attempts).toBe(2);
    expect(once.log.map((r) => r.fault ?? r.status)).toEqual(['Throttling', 201]);

    const always = await proxy({ CreateInvalidation: [{ fault: 'Throttling' }] });
    const error = await failure(create(cloudfrontVia(always, 2), ['/t']));
    expect(error.name).toBe('Throttling');
    expect(error.message).toBe('Rate exceeded');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 2 });
    expect(isThrottle(error)).toBe(true);
    expect(always.ledger.all()).toHaveLength(0);
  });

  it('503 ServiceUnavailable, retried by the SDK, surfaced as a server fault (not a rejection)', async () => {
    const once = await proxy({ '*': [{ call: 1, fault: '503' }] });
    const ok = await create(cloudfrontVia(once, 2), ['/s']);
    expect(ok.$metadata.attempts).toBe(2);

    const always = await proxy({ '*': [{ fault: '503' }] });
    const error = await failure(create(cloudfrontVia(always, 2), ['/s']));
    expect(error.name).toBe('ServiceUnavailable');
    expect(error.$fault).toBe('server');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 503, attempts: 2 });
    expect(isRejection(error)).toBe(false);
    expect(isThrottle(error)).toBe(false);
  });

  it('a reset connection, retried by the SDK, surfaced as a network error (not a rejection)', async () => {
    const once = await proxy({ CreateInvalidation: [{ call: 1, fault: 'reset' }] });
    const ok = await create(cloudfrontVia(once, 2), ['/r']);
    expect(ok.$metadata.attempts).toBe(2);
    expect(once.log.map((r) => r.outcome)).toEqual(['reset', 'answered']);

    const always = await proxy({ CreateInvalidation: [{ fault: 'reset' }] });
    const error = (await failure(create(cloudfrontVia(always, 2), ['/r']))) as Error & {
      code?: string;
    };
    expect(error.code ?? error.message).toMatch(/ECONNRESET|socket hang up/);
    expect(isRejection(error)).toBe(false);
    expect(always.log.filter((r) => r.outcome === 'reset')).toHaveLength(2);
  });

  it('reset-after: the call is carried out and its answer lost; the SDK retry gets the same invalidation back', async () => {
    const p = await proxy({ CreateInvalidation: [{ call: 1, fault: 'reset-after' }] });
    const out = await create(cloudfrontVia(p, 2), ['/lost-answer.png'], 'lost-answer-ref');
    expect(out.$metadata.attempts).toBe(2);
    expect(p.ledger.all().map((i) => i.id)).toEqual([out.Invalidation?.Id]);
    expect(p.log.map((r) => [r.outcome, r.created])).toEqual([
      ['reset', true],
      ['answered', false],
    ]);
  });

  it('latency holds the call, then it proceeds', async () => {
    const p = await proxy({ ListInvalidations: [{ fault: 'latency', ms: 300 }] });
    const started = performance.now();
    await cloudfrontVia(p).send(new ListInvalidationsCommand({ DistributionId: distributionId }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(p.log[0]).toMatchObject({ fault: 'latency', outcome: 'answered', status: 200 });
  });

  it('every n-th call, and a seeded probability that replays with its seed', async () => {
    const run = async (seed: number) => {
      const p = await proxy({
        seed,
        faults: {
          CreateInvalidation: [{ every: 3, fault: 'Throttling' }],
          '*': [{ probability: 0.3, fault: '503' }],
        },
      });
      const cf = cloudfrontVia(p);
      for (let i = 0; i < 12; i++) await create(cf, [`/p/${seed}/${i}`]).catch(() => undefined);
      return p.log.map((r) => r.fault ?? '-').join(',');
    };
    const a = await run(42);
    expect(a.split(',').filter((_, i) => (i + 1) % 3 === 0)).toEqual(Array(4).fill('Throttling'));
    expect(a).toContain('503');
    expect(await run(42)).toBe(a);
  });
});

describe('the in-flight ledger', () => {
  it('refuses what would pass 3 000 file paths in flight, and takes it once earlier ones completed', async () => {
    const p = await proxy();
    const cf = cloudfrontVia(p);
    await create(cf, files(2900, 'a'));
    const error = await failure(create(cf, files(101, 'b')));
    expect(error).toBeInstanceOf(TooManyInvalidationsInProgress);
    await create(cf, files(100, 'b'));
    expect(p.maxInFlight(distributionId).files).toBe(3000);
    p.ledger.completeAll();
    await create(cf, files(101, 'b'));
  });

  it('refuses a 16th wildcard in flight (a pool of its own)', async () => {
    const p = await proxy();
    const cf = cloudfrontVia(p);
    await create(cf, [...Array.from({ length: 15 }, (_, i) => `/w${i}/*`), ...files(10)]);
    expect(await failure(create(cf, ['/w15/*']))).toBeInstanceOf(TooManyInvalidationsInProgress);
    await create(cf, ['/file-still-fits.png']);
    expect(p.maxInFlight(distributionId)).toMatchObject({ files: 11, wildcards: 15 });
  });

  it('counts #tag items against the file pool', async () => {
    const p = await proxy({}, { maxFilesInFlight: 2 });
    const cf = cloudfrontVia(p);
    await create(cf, ['#video:1', '/a.png']);
    expect(await failure(create(cf, ['#video:2']))).toBeInstanceOf(TooManyInvalidationsInProgress);
    expect(p.maxInFlight(distributionId)).toMatchObject({ files: 1, tags: 1 });
  });

  it('refuses one batch over 3 000 paths with BatchTooLarge (413)', async () => {
    const p = await proxy();
    const error = await failure(create(cloudfrontVia(p), files(3001)));
    expect(error).toBeInstanceOf(BatchTooLarge);
    expect(error.$metadata.httpStatusCode).toBe(413);
    expect(isRejection(error)).toBe(true);
  });
});

describe('CallerReference', () => {
  it('same reference, same batch: the existing invalidation, nothing new in flight', async () => {
    const p = await proxy();
    const cf = cloudfrontVia(p);
    const a = await create(cf, ['/x.png', '/y.png'], 'same-ref');
    const b = await create(cf, ['/x.png', '/y.png'], 'same-ref');
    expect(b.Invalidation?.Id).toBe(a.Invalidation?.Id);
    expect(p.ledger.all()).toHaveLength(1);
    expect(p.ledger.inFlight(distributionId).files).toBe(2);
    expect(p.log.map((r) => r.created)).toEqual([true, false]);
  });

  it('same reference, another batch: InvalidationBatchAlreadyExists', async () => {
    const p = await proxy();
    const cf = cloudfrontVia(p);
    await create(cf, ['/x.png'], 'taken-ref');
    const error = await failure(create(cf, ['/z.png'], 'taken-ref'));
    expect(error.name).toBe('InvalidationBatchAlreadyExists');
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(isRejection(error)).toBe(true);
    expect(p.ledger.all()).toHaveLength(1);
  });
});

describe('what CloudFront refuses', () => {
  it.each([
    ['a path without its leading /', 'no-slash.png'],
    ['a * that is not last', '/images/*.png'],
    ['a raw ~', '/~user/a.png'],
    ['a control character', '/a\u0001b'],
    ['a path over 4 000 characters', `/${'a'.repeat(4000)}`],
    ['a wildcard tag', '#video:*'],
    ['a tag with a comma', '#a,b'],
    ['a tag outside ASCII 33-126', '#vidéo'],
  ])('refuses %s with InvalidArgument', async (_, path) => {
    const p = await proxy();
    const error = await failure(create(cloudfrontVia(p), ['/fine.png', path]));
    expect(error).toBeInstanceOf(InvalidArgument);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(p.ledger.all()).toHaveLength(0);
  });

  it('takes what CloudFront takes: encoded characters, a trailing *, %2A, tags', async () => {
    const p = await proxy();
    const out = await create(cloudfrontVia(p), [
      '/my%20file.png',
      '/images/*',
      '/a%2A',
      '/%7Euser',
      '#video:1234',
    ]);
    expect(out.Invalidation?.Status).toBe('InProgress');
  });

  it('refuses a Quantity that does not match the items with InconsistentQuantities', async () => {
    const p = await proxy();
    const error = await failure(
      cloudfrontVia(p).send(
        new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: { CallerReference: 'q', Paths: { Quantity: 2, Items: ['/a'] } },
        }),
      ),
    );
    expect(error.name).toBe('InconsistentQuantities');
  });
});
