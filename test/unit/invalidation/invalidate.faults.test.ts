/**
 * Faults the emulator cannot produce (quotas, throttling, in-flight invalidations, CallerReference
 * idempotency), injected with aws-sdk-client-mock against a small CloudFront model.
 */
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  type CreateInvalidationCommandInput,
} from '@aws-sdk/client-cloudfront';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInvalidateHandler } from '../../../functions/invalidate/handler.js';
import { MAX_CREATE_CALLS } from '../../../functions/invalidate/invalidate.js';
import { forgetLearned } from '../../../functions/invalidate/bisect.js';
import type { InvalidateReport } from '../../../functions/invalidate/types.js';
import { loadInvalidateConfig } from '../../../functions/invalidate/config.js';
import type { InvalidationRequest } from '../../../shared/invalidation/request.js';
import { isWildcardPath } from '../../../shared/keys.js';
import { sqsRecord } from '../../helpers/factories.js';
import { prng } from '../../helpers/prng.js';

const BUCKET = 'example-content';
const cf = mockClient(CloudFrontClient);
const s3 = mockClient(S3Client);

function serviceError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

interface FakeInvalidation {
  id: string;
  ref: string;
  paths: string[];
  /** Completes after this many more CreateInvalidation/handler rounds. */
  remaining: number;
}

/**
 * CloudFront as far as invalidation goes: distributions E1 (root origin) and E2 (origin path
 * /prod); in-flight quotas 3 000 files / 15 wildcards; CallerReference idempotency.
 */
class FakeCloudFront {
  readonly invalidations = new Map<string, FakeInvalidation[]>([
    ['E1', []],
    ['E2', []],
  ]);
  created = 0;
  /** Called before each CreateInvalidation; may throw an injected error. */
  fault: (input: CreateInvalidationCommandInput) => void = () => {};
  maxSeen = { files: 0, wildcards: 0 };
  /** DefaultRootObject of both distributions (read at install). */
  rootObject = '';
  /** 404 ErrorCachingMinTTL (s) per distribution (read at install); absent: CloudFront's 10 s. */
  notFoundTtl: Partial<Record<string, number>> = {};

  inFlight(id: string) {
    const active = this.invalidations.get(id)!.filter((i) => i.remaining > 0);
    const paths = active.flatMap((i) => i.paths);
    return {
      files: paths.filter((p) => !isWildcardPath(p)).length,
      wildcards: paths.filter(isWildcardPath).length,
    };
  }

  tick(): void {
    for (const list of this.invalidations.values())
      for (const i of list) i.remaining = Math.max(0, i.remaining - 1);
  }

  install(): void {
    const distribution = (id: string, originPath: string) => ({
      Id: id,
      ARN: `arn:aws:cloudfront::123456789012:distribution/${id}`,
      DomainName: `${id.toLowerCase()}.cloudfront.net`,
      Status: 'Deployed',
      Enabled: true,
      Origins: {
        Quantity: 1,
        Items: [
          { Id: 's3', DomainName: `${BUCKET}.s3.us-east-1.amazonaws.com`, OriginPath: originPath },
        ],
      },
      DefaultCacheBehavior: { TargetOriginId: 's3' },
      ...(this.rootObject ? { DefaultRootObject: this.rootObject } : {}),
      ...(this.notFoundTtl[id] !== undefined
        ? {
            CustomErrorResponses: {
              Quantity: 1,
              Items: [{ ErrorCode: 404, ErrorCachingMinTTL: this.notFoundTtl[id] }],
            },
          }
        : {}),
    });
    cf.on(ListDistributionsCommand).resolves({
      DistributionList: {
        Marker: '',
        MaxItems: 100,
        Quantity: 2,
        IsTruncated: false,
        Items: [distribution('E1', ''), distribution('E2', '/prod')] as never,
      },
    });
    const byId = { E1: distribution('E1', ''), E2: distribution('E2', '/prod') };
    cf.on(GetDistributionCommand).callsFake((input: { Id: 'E1' | 'E2' }) => {
      const { Id, ARN, DomainName, Status, ...config } = byId[input.Id];
      return { Distribution: { Id, ARN, DomainName, Status, DistributionConfig: config } };
    });
    cf.on(ListInvalidationsCommand).callsFake((input: { DistributionId: string }) => {
      const list = this.invalidations.get(input.DistributionId)!;
      return {
        InvalidationList: {
          Quantity: list.length,
          IsTruncated: false,
          Items: [...list].reverse().map((i) => ({
            Id: i.id,
            CreateTime: new Date(),
            Status: i.remaining > 0 ? 'InProgress' : 'Completed',
          })),
        },
      };
    });
    cf.on(GetInvalidationCommand).callsFake((input: { DistributionId: string; Id: string }) => {
      const i = this.invalidations.get(input.DistributionId)!.find((x) => x.id === input.Id)!;
      return {
        Invalidation: {
          Id: i.id,
          Status: i.remaining > 0 ? 'InProgress' : 'Completed',
          InvalidationBatch: {
            CallerReference: i.ref,
            Paths: { Quantity: i.paths.length, Items: i.paths },
          },
        },
      };
    });
    cf.on(CreateInvalidationCommand).callsFake((input: CreateInvalidationCommandInput) => {
      this.fault(input);
      const id = input.DistributionId!;
      const batch = input.InvalidationBatch!;
      const paths = batch.Paths!.Items!;
      const list = this.invalidations.get(id)!;
      const same = list.find((i) => i.ref === batch.CallerReference);
      if (same) {
        if (JSON.stringify(same.paths) !== JSON.stringify(paths))
          throw serviceError('InvalidationBatchAlreadyExists');
        return { Invalidation: { Id: same.id, Status: 'InProgress' } };
      }
      const now = this.inFlight(id);
      const files = now.files + paths.filter((p) => !isWildcardPath(p)).length;
      const wildcards = now.wildcards + paths.filter(isWildcardPath).length;
      if (files > 3000 || wildcards > 15) throw serviceError('TooManyInvalidationsInProgress');
      this.maxSeen = {
        files: Math.max(this.maxSeen.files, files),
        wildcards: Math.max(this.maxSeen.wildcards, wildcards),
      };
      this.created += 1;
      const invalidation = {
        id: `I${this.created}`,
        ref: batch.CallerReference!,
        paths: [...paths],
        remaining: 2,
      };
      list.push(invalidation);
      return { Invalidation: { Id: invalidation.id, Status: 'InProgress' } };
    });
  }
}

let fake: FakeCloudFront;
let reports: InvalidateReport[];

beforeEach(() => {
  forgetLearned(); // each case is a fresh instance: nothing learned from earlier rejections
  cf.reset();
  s3.reset();
  fake = new FakeCloudFront();
  fake.install();
  // Every folder holds many unchanged objects unless a test says otherwise: no free wildcards.
  s3.on(ListObjectsV2Command).resolves({ KeyCount: 1000, IsTruncated: true, Contents: [] });
  reports = [];
});
afterEach(() => {
  cf.reset();
  s3.reset();
});

function handler(env: Record<string, string> = {}) {
  return createInvalidateHandler(
    {
      clients: {
        cloudfront: new CloudFrontClient({ region: 'us-east-1', maxAttempts: 1 }),
        s3: new S3Client({ region: 'us-east-1' }),
      },
      config: loadInvalidateConfig({ DISCOVERY_CACHE_SECONDS: '0', ...env }),
    },
    (r) => reports.push(r),
  );
}

function request(key: string, version = 'v1', eventTime?: string): string {
  const body: InvalidationRequest = {
    v: 1,
    bucket: BUCKET,
    key,
    versionId: version,
    ...(eventTime ? { eventTime } : {}),
    reason: 'overwrite',
  };
  return JSON.stringify(body);
}

function event(keys: readonly string[], eventTime?: string) {
  return { Records: keys.map((k) => sqsRecord(request(k, 'v1', eventTime))) };
}

function failedIds(response: { batchItemFailures: Array<{ itemIdentifier: string }> }): string[] {
  return response.batchItemFailures.map((f) => f.itemIdentifier).sort();
}

describe('invalidate under faults', () => {
  it.each([
    ['TooManyInvalidationsInProgress', 400],
    ['Throttling', 400],
    ['ServiceUnavailable', 503],
  ])(
    'reports every affected message as failed when CloudFront answers %s',
    async (name, status) => {
      fake.fault = () => {
        throw serviceError(name, status);
      };
      const e = event(['a.png', 'b.png']);
      const response = await handler()(e);
      expect(failedIds(response)).toEqual(e.Records.map((r) => r.messageId).sort());
      expect(reports[0]!.deferred[0]!.reason).toContain(name);
    },
  );

  it('fails only the messages whose distribution failed', async () => {
    fake.fault = (input) => {
      if (input.DistributionId === 'E2') throw serviceError('TooManyInvalidationsInProgress');
    };
    const e = event(['root.png', 'prod/live.png']);
    const response = await handler()(e);
    // root.png is served by E1 only; prod/live.png by E1 (/prod/live.png) and E2 (/live.png).
    expect(failedIds(response)).toEqual([e.Records[1]!.messageId]);
    expect(reports[0]!.invalidations.map((i) => [i.distributionId, i.paths])).toEqual([
      ['E1', ['/prod/live.png', '/root.png']],
    ]);
  });

  it('counts paths already in flight and defers what would exceed the budget', async () => {
    fake.invalidations.get('E1')!.push({
      id: 'HUMAN',
      ref: 'by-hand',
      paths: Array.from({ length: 2790 }, (_, i) => `/old/${i}`),
      remaining: 5,
    });
    const keys = Array.from({ length: 30 }, (_, i) => `sparse-${i}/f.png`);
    const e = event(keys);
    const response = await handler()(e);
    const created = reports[0]!.invalidations.find((i) => i.distributionId === 'E1')!;
    expect(created.paths).toHaveLength(10);
    expect(failedIds(response)).toHaveLength(20);
    expect(fake.inFlight('E1').files).toBe(2800);
  });

  it('uses no wildcard when 13 are already in flight', async () => {
    fake.invalidations.get('E1')!.push({
      id: 'W',
      ref: 'w',
      paths: Array.from({ length: 13 }, (_, i) => `/w${i}/*`),
      remaining: 5,
    });
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false, Contents: [] });
    const keys = Array.from({ length: 40 }, (_, i) => `dense/f-${i}.png`);
    const response = await handler({ COLLAPSE_MIN_SIBLINGS: '20' })(event(keys));
    expect(response.batchItemFailures).toEqual([]);
    const e1 = reports[0]!.invalidations.find((i) => i.distributionId === 'E1')!;
    expect(e1.wildcards).toBe(0);
    expect(e1.paths).toHaveLength(40);
  });

  it('creates no second invalidation when a batch comes back while its own is in progress', async () => {
    // The function crashed after CreateInvalidation: SQS redelivers the same 2 000 requests while
    // the invalidation they produced still counts against the in-flight quota.
    const keys = Array.from({ length: 2000 }, (_, i) => `sparse-${i}/f.png`);
    const e = event(keys);
    const h = handler();
    expect((await h(e)).batchItemFailures).toEqual([]);
    expect(fake.created).toBe(1);
    const again = await h(e);
    expect(again.batchItemFailures).toEqual([]);
    expect(fake.created).toBe(1);
    expect(reports[1]!.invalidations[0]!.invalidationId).toBe(
      reports[0]!.invalidations[0]!.invalidationId,
    );
  });

  it('creates one invalidation for a redelivered batch (same CallerReference)', async () => {
    const e = event(['x.png', 'y.png']);
    const h = handler();
    await h(e);
    await h(e);
    expect(fake.created).toBe(1); // x.png and y.png lie outside /prod: E1 serves them, E2 does not
    expect(reports[0]!.invalidations.map((i) => i.invalidationId)).toEqual(
      reports[1]!.invalidations.map((i) => i.invalidationId),
    );
  });
});

describe('CloudFront rejects part of the input', () => {
  // Zero-padded so the sorted paths are in key order: /k-00.png … /k-15.png.
  const keys = Array.from({ length: 16 }, (_, i) => `k-${String(i).padStart(2, '0')}.png`);
  const creates = () => cf.commandCalls(CreateInvalidationCommand).length;
  const rejectPath = (bad: string) => (input: CreateInvalidationCommandInput) => {
    if (input.InvalidationBatch!.Paths!.Items!.includes(bad)) throw serviceError('InvalidArgument');
  };
  const acceptedPaths = () => fake.invalidations.get('E1')!.flatMap((i) => i.paths);

  it.each([0, 5, 11, 15])(
    'bisects around one rejected path (k-%i) and accepts the other 15 requests',
    async (bad) => {
      const badPath = `/${keys[bad]!}`;
      fake.fault = rejectPath(badPath);
      const e = event(keys);
      const response = await handler()(e);
      expect(failedIds(response)).toEqual([e.Records[bad]!.messageId]);
      expect(creates()).toBeLessThanOrEqual(2 * Math.log2(16) + 1);
      const accepted = acceptedPaths();
      expect(accepted.sort()).toEqual(keys.map((k) => `/${k}`).filter((p) => p !== badPath));
      expect(new Set(accepted).size).toBe(accepted.length);
      const report = reports[0]!;
      expect(report.invalidations.flatMap((i) => i.paths).sort()).toEqual(accepted);
      expect(report.invalidations.reduce((n, i) => n + i.requests, 0)).toBe(15);
      expect(report.deferred).toHaveLength(1);
      expect(report.deferred[0]!.reason).toContain(badPath);
      expect(report.deferred[0]!.reason).toContain('InvalidArgument');
    },
  );

  it('gives every sub-call its own deterministic CallerReference', async () => {
    fake.fault = rejectPath('/k-03.png');
    // Requests carry their event time, as ingest's do: a warm instance that learned /k-03.png is
    // refused no longer bisects the same way, and recognises the invalidations it already made.
    const e = event(keys, new Date(Date.now() - 60_000).toISOString());
    const h = handler();
    await h(e);
    const refs = fake.invalidations.get('E1')!.map((i) => i.ref);
    expect(new Set(refs).size).toBe(refs.length);
    // The same batch again (a redelivery): the same calls, so no new invalidation.
    const created = fake.created;
    await h(e);
    expect(fake.created).toBe(created);
  });

  it('defers a request when one of its several paths is rejected', async () => {
    fake.rootObject = 'index.html';
    fake.install();
    fake.fault = rejectPath('/');
    const e = event(['index.html', 'about.html', 'logo.png']);
    const response = await handler()(e);
    expect(failedIds(response)).toEqual([e.Records[0]!.messageId]);
    // /index.html itself went through, but the request also needs / and stays deferred.
    expect(acceptedPaths().sort()).toEqual(['/about.html', '/index.html', '/logo.png']);
    expect(reports[0]!.deferred[0]!.reason).toContain('rejected path /:');
  });

  it('names the path when a single-path call is rejected', async () => {
    fake.fault = () => {
      throw serviceError('InvalidArgument');
    };
    const e = event(['only.png']);
    const response = await handler()(e);
    expect(failedIds(response)).toEqual([e.Records[0]!.messageId]);
    expect(creates()).toBe(1);
    expect(reports[0]!.deferred[0]!.reason).toContain('/only.png');
  });

  it('defers everything after at most the call cap when every call is rejected', async () => {
    fake.fault = () => {
      throw serviceError('BatchTooLarge');
    };
    const e = event(keys);
    const response = await handler()(e);
    expect(failedIds(response)).toEqual(e.Records.map((r) => r.messageId).sort());
    expect(creates()).toBeLessThanOrEqual(MAX_CREATE_CALLS);
    expect(fake.created).toBe(0);
    expect(reports[0]!.invalidations).toEqual([]);
  });

  it('does not bisect an error about the distribution rather than the paths', async () => {
    fake.fault = () => {
      throw serviceError('AccessDenied', 403);
    };
    const e = event(keys);
    const response = await handler()(e);
    expect(failedIds(response)).toHaveLength(16);
    expect(creates()).toBe(1);
  });

  it('stops bisecting on a throttle and defers the rest, counting nothing twice', async () => {
    let calls = 0;
    const reject = rejectPath('/k-11.png');
    fake.fault = (input) => {
      calls += 1;
      // Call 1 (all 16) rejected, call 2 (k-00…k-07) accepted, call 3 (k-08…k-11) rejected,
      // call 4 throttled: k-08…k-15 wait for the next delivery.
      if (calls === 4) throw serviceError('Throttling');
      reject(input);
    };
    const e = event(keys);
    const h = handler();
    const response = await h(e);
    const failed = failedIds(response);
    expect(failed).toEqual(
      e.Records.slice(8)
        .map((r) => r.messageId)
        .sort(),
    );
    expect(creates()).toBe(4);
    const first = reports[0]!;
    expect(first.invalidations).toHaveLength(1);
    expect(first.invalidations[0]!.paths).toEqual(keys.slice(0, 8).map((k) => `/${k}`));
    expect(first.invalidations[0]!.requests).toBe(8);
    expect(first.deferred.map((d) => d.messageId).sort()).toEqual(failed);
    expect(first.deferred.every((d) => d.reason.includes('Throttling'))).toBe(true);

    // SQS brings the 8 back: only k-11 stays failed, and no path is invalidated twice.
    const again = await h({ Records: e.Records.filter((r) => failed.includes(r.messageId)) });
    expect(failedIds(again)).toEqual([e.Records[11]!.messageId]);
    const accepted = acceptedPaths();
    expect(accepted).toHaveLength(15);
    expect(new Set(accepted).size).toBe(15);
    expect(reports[1]!.deferred[0]!.reason).toContain('/k-11.png');
  });
});

describe('new keys whose missing-object error may be cached', () => {
  it('invalidates a new key only where the 403/404 is cached longer than it asks', async () => {
    fake.notFoundTtl = { E2: 3600 };
    fake.install();
    const body: InvalidationRequest = {
      v: 1,
      bucket: BUCKET,
      key: 'prod/new.png',
      versionId: 'v1',
      reason: 'new-object',
      ifErrorCachedOver: 120,
    };
    const e = { Records: [sqsRecord(JSON.stringify(body))] };
    const response = await handler()(e);
    expect(failedIds(response)).toEqual([]);
    // E1 caches the error 10 s (the default): nothing sent there; E2 caches it an hour.
    expect(reports[0]!.invalidations.map((i) => [i.distributionId, i.paths])).toEqual([
      ['E2', ['/new.png']],
    ]);
    expect(reports[0]!.unserved).toBe(0);
  });
});

describe('keys CloudFront cannot name exactly', () => {
  it('sends a bounded wildcard for a `~` key and fails only a key that would need `/*`', async () => {
    const e = event(['static/runtime~main.js', '*banner.png', 'ok.png']);
    const response = await handler()(e);
    // Only the root `*` key fails (it ends in the DLQ with its reason); nothing sends `/*`.
    expect(failedIds(response)).toEqual([e.Records[1]!.messageId]);
    const e1 = reports[0]!.invalidations.find((i) => i.distributionId === 'E1')!;
    expect(e1.paths).toEqual(['/ok.png', '/static/runtime*']);
    const sent = reports[0]!.invalidations.flatMap((i) => i.paths);
    expect(sent).not.toContain('/*');
    expect(sent.some((p) => p.includes('~'))).toBe(false);
    expect(reports[0]!.deferred.map((d) => d.reason).join('\n')).toContain(
      'key cannot be invalidated',
    );
  });
});

describe('invariants under random faults', () => {
  it.each([1, 2, 3, 4, 5])(
    'never loses freshness and never exceeds the quotas (seed %i)',
    async (seed) => {
      const random = prng(seed);
      fake.fault = () => {
        const r = random();
        if (r < 0.15) throw serviceError('Throttling');
        if (r < 0.25) throw serviceError('ServiceUnavailable', 503);
      };
      // Some folders are cheap to collapse, others are not.
      s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) =>
        input.Prefix?.includes('cheap')
          ? { KeyCount: 3, IsTruncated: false }
          : { KeyCount: 1000, IsTruncated: true },
      );
      const keys: string[] = [];
      for (let i = 0; i < 1500; i += 1) {
        const folder =
          random() < 0.5
            ? `cheap-${Math.floor(random() * 20)}`
            : `dear-${Math.floor(random() * 400)}`;
        keys.push(`${random() < 0.3 ? 'prod/' : ''}${folder}/obj-${i}.png`);
      }
      // SQS: failed messages come back in a later round, in batches of up to 1 000.
      let queue = event(keys).Records;
      const h = handler({
        MAX_INFLIGHT_PATHS: '600',
        COLLAPSE_MIN_SIBLINGS: '5',
        WILDCARD_MAX_UNCHANGED: '10',
      });
      for (let round = 0; round < 60 && queue.length; round += 1) {
        const batch = queue.slice(0, 1000);
        const response = await h({ Records: batch });
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        queue = [...queue.slice(1000), ...batch.filter((r) => failed.has(r.messageId))];
        fake.tick();
      }
      expect(queue).toHaveLength(0);
      // Every key is covered, on every distribution that serves it, by an accepted invalidation.
      const accepted = (id: string) => fake.invalidations.get(id)!.flatMap((i) => i.paths);
      const covered = (paths: string[], path: string) =>
        paths.some((p) => p === path || (isWildcardPath(p) && path.startsWith(p.slice(0, -1))));
      for (const key of keys) {
        expect(covered(accepted('E1'), `/${key}`)).toBe(true);
        if (key.startsWith('prod/')) expect(covered(accepted('E2'), `/${key.slice(5)}`)).toBe(true);
      }
      expect(fake.maxSeen.files).toBeLessThanOrEqual(600);
      expect(fake.maxSeen.wildcards).toBeLessThanOrEqual(13);
    },
  );
});
