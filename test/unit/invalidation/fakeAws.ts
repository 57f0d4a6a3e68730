/**
 * In-memory AWS for the invalidate core, driven by one clock: a bucket whose objects carry
 * LastModified, a CloudFront distribution with the in-flight quotas, CallerReference idempotency,
 * invalidations that complete after a while and paths it refuses, and an SQS queue with the
 * deployed batch size, batching window, visibility timeout and receive limit. Installed through
 * aws-sdk-client-mock (the emulator has no in-flight quota, no idempotency and no clock to drive).
 * Over 300 lines: the three fakes share one clock and are read together.
 */
import { forgetHeld } from '../../../functions/invalidate/hold.js';
import { DEFAULT_ERROR_CACHING_TTL } from '../../../shared/catalogue.js';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  type CreateInvalidationCommandInput,
} from '@aws-sdk/client-cloudfront';
import { ListObjectsV2Command, S3Client, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { BucketOrigin } from '../../../shared/distributions.js';
import { isWildcardPath } from '../../../shared/keys.js';
import type {
  InvalidateCoreDeps,
  ParsedRequest,
} from '../../../functions/invalidate/invalidate.js';
import { loadInvalidateConfig } from '../../../functions/invalidate/config.js';
import type { InvalidationRequest } from '../../../shared/invalidation/request.js';

export const BUCKET = 'example-content';
export const DISTRIBUTION = 'E2EXAMPLE12345';
export const T0 = Date.parse('2026-12-01T00:00:00.000Z');

export class Clock {
  now = T0;
}

export function serviceError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** A bucket: key → the times it was written (ms); a listing shows what exists at the clock. */
export class FakeBucket {
  private readonly writes = new Map<string, number[]>();
  listCalls = 0;
  private sorted: string[] | undefined;

  constructor(private readonly clock?: Clock) {}

  /** Writes `key` at `at` (which may lie ahead of the clock: a write still to come). */
  put(key: string, at: number): void {
    const times = this.writes.get(key);
    if (!times) {
      this.sorted = undefined;
      this.writes.set(key, [at]);
    } else {
      times.push(at);
      times.sort((a, b) => a - b);
    }
  }

  /** LastModified of `key` at the clock, or undefined when it does not exist yet. */
  lastModified(key: string): number | undefined {
    const now = this.clock?.now ?? Infinity;
    const times = this.writes.get(key) ?? [];
    let last: number | undefined;
    for (const t of times) if (t <= now) last = t;
    return last;
  }

  list(input: ListObjectsV2CommandInput) {
    this.listCalls += 1;
    this.sorted ??= [...this.writes.keys()].sort();
    const keys = this.sorted;
    const prefix = input.Prefix ?? '';
    const after = input.ContinuationToken ?? input.StartAfter ?? '';
    let lo = 0;
    let hi = keys.length;
    const from = after > prefix ? after : prefix;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < from || (keys[mid]! === after && after !== '')) lo = mid + 1;
      else hi = mid;
    }
    const max = input.MaxKeys ?? 1000;
    const contents: Array<{ Key: string; LastModified: Date }> = [];
    let i = lo;
    for (; i < keys.length && keys[i]!.startsWith(prefix) && contents.length < max; i += 1) {
      const modified = this.lastModified(keys[i]!);
      if (modified !== undefined)
        contents.push({ Key: keys[i]!, LastModified: new Date(modified) });
    }
    const truncated = i < keys.length && keys[i]!.startsWith(prefix);
    return {
      Contents: contents,
      KeyCount: contents.length,
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: keys[i - 1]! } : {}),
    };
  }
}

export interface FakeInvalidation {
  readonly id: string;
  readonly ref: string;
  readonly paths: readonly string[];
  readonly createTime: number;
}

/** One distribution's invalidations, as CloudFront keeps them. */
export class FakeCloudFront {
  readonly invalidations: FakeInvalidation[] = [];
  /** CreateInvalidation calls, accepted or not. */
  calls = 0;
  /** Paths CloudFront refuses (InvalidArgument for the whole call). */
  refuses: (path: string) => boolean = () => false;
  maxInFlight = { files: 0, wildcards: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly completeAfterMs = 25_000,
  ) {}

  inProgress(i: FakeInvalidation): boolean {
    return this.clock.now < i.createTime + this.completeAfterMs;
  }

  inFlight() {
    const paths = this.invalidations.filter((i) => this.inProgress(i)).flatMap((i) => i.paths);
    const wildcards = paths.filter(isWildcardPath).length;
    return { files: paths.length - wildcards, wildcards };
  }

  /** Paths billed: every path of every invalidation created. */
  billed(): number {
    return this.invalidations.reduce((n, i) => n + i.paths.length, 0);
  }

  /** Whether an invalidation created at or after `since` covers `path`. */
  covered(path: string, since: number): boolean {
    return this.invalidations.some(
      (i) =>
        i.createTime >= since &&
        i.paths.some((p) => p === path || (isWildcardPath(p) && path.startsWith(p.slice(0, -1)))),
    );
  }

  create(input: CreateInvalidationCommandInput) {
    this.calls += 1;
    const batch = input.InvalidationBatch!;
    const paths = batch.Paths!.Items!;
    const same = this.invalidations.find((i) => i.ref === batch.CallerReference);
    if (same) {
      if (JSON.stringify(same.paths) !== JSON.stringify(paths))
        throw serviceError('InvalidationBatchAlreadyExists');
      return { Invalidation: { Id: same.id, Status: 'InProgress' } };
    }
    if (paths.some((p) => this.refuses(p))) throw serviceError('InvalidArgument');
    const now = this.inFlight();
    const wildcards = now.wildcards + paths.filter(isWildcardPath).length;
    const files = now.files + paths.length - paths.filter(isWildcardPath).length;
    if (files > 3000 || wildcards > 15) throw serviceError('TooManyInvalidationsInProgress');
    this.maxInFlight = {
      files: Math.max(this.maxInFlight.files, files),
      wildcards: Math.max(this.maxInFlight.wildcards, wildcards),
    };
    const invalidation = {
      id: `I${this.invalidations.length + 1}`,
      ref: batch.CallerReference!,
      paths: [...paths],
      createTime: this.clock.now,
    };
    this.invalidations.push(invalidation);
    return { Invalidation: { Id: invalidation.id, Status: 'InProgress' } };
  }

  status(i: FakeInvalidation): string {
    return this.inProgress(i) ? 'InProgress' : 'Completed';
  }
}

const ORIGIN: BucketOrigin = {
  distributionId: DISTRIBUTION,
  arn: `arn:aws:cloudfront::123456789012:distribution/${DISTRIBUTION}`,
  domainName: 'd111111abcdef8.cloudfront.net',
  originId: 's3',
  originPath: '',
  routes: [{ pathPattern: '*', targetOriginId: 's3' }],
  groupIds: [],
  missingObjectErrorTtl: DEFAULT_ERROR_CACHING_TTL,
};

/** Installs the fakes behind the SDK clients; returns the invalidate core's deps. */
export function installFakes(
  clock: Clock,
  bucket: FakeBucket,
  cloudfront: FakeCloudFront,
  env: Record<string, string> = {},
): InvalidateCoreDeps & { restore: () => void } {
  forgetHeld(); // a new function instance: no burst remembered
  const cf = mockClient(CloudFrontClient);
  const s3 = mockClient(S3Client);
  s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => bucket.list(input));
  cf.on(ListInvalidationsCommand).callsFake(() => {
    const items = [...cloudfront.invalidations].reverse();
    return {
      InvalidationList: {
        Quantity: items.length,
        IsTruncated: false,
        Items: items.map((i) => ({
          Id: i.id,
          CreateTime: new Date(i.createTime),
          Status: cloudfront.status(i),
        })),
      },
    };
  });
  cf.on(GetInvalidationCommand).callsFake((input: { Id: string }) => {
    const i = cloudfront.invalidations.find((x) => x.id === input.Id)!;
    return {
      Invalidation: {
        Id: i.id,
        Status: cloudfront.status(i),
        CreateTime: new Date(i.createTime),
        InvalidationBatch: {
          CallerReference: i.ref,
          Paths: { Quantity: i.paths.length, Items: [...i.paths] },
        },
      },
    };
  });
  cf.on(CreateInvalidationCommand).callsFake((input: CreateInvalidationCommandInput) =>
    cloudfront.create(input),
  );
  return {
    cloudfront: new CloudFrontClient({ region: 'us-east-1', maxAttempts: 1 }),
    s3: new S3Client({ region: 'us-east-1' }),
    config: loadInvalidateConfig({ DISCOVERY_CACHE_SECONDS: '0', ...env }),
    findOrigins: () => Promise.resolve([ORIGIN]),
    now: () => clock.now,
    restore: () => {
      cf.restore();
      s3.restore();
    },
  };
}

/** An overwrite's request, as ingest sends it, for a key written at `at`. */
export function overwrite(key: string, at: number, version = `v${at}`): InvalidationRequest {
  return {
    v: 1,
    bucket: BUCKET,
    key,
    versionId: version,
    eventTime: new Date(at).toISOString(),
    reason: 'overwrite',
  };
}

export interface QueueMessage {
  readonly id: string;
  readonly request: InvalidationRequest;
  visibleAt: number;
  receives: number;
}

export interface QueueRun {
  readonly invocations: number;
  /** Messages that reached the receive limit (the DLQ). */
  readonly dlq: readonly QueueMessage[];
  /** Messages still waiting when the run stopped. */
  readonly left: number;
}

/**
 * SQS in front of the invalidate function at the deployed settings: a batch is taken when
 * `batchSize` messages are visible or the oldest has waited `windowMs`; a failed message comes
 * back after `visibilityMs`; after `maxReceives` receives it goes to the DLQ. One invocation at a
 * time, each taking `invocationMs` of the clock.
 */
export async function runQueue(
  clock: Clock,
  messages: QueueMessage[],
  /** Failed ids; as a map, with the seconds after which each comes back (else `visibilityMs`). */
  process: (
    batch: ParsedRequest[],
  ) => Promise<ReadonlySet<string> | ReadonlyMap<string, number | undefined>>,
  options: {
    batchSize?: number;
    windowMs?: number;
    visibilityMs?: number;
    maxReceives?: number;
    invocationMs?: number;
    maxInvocations?: number;
  } = {},
): Promise<QueueRun> {
  const batchSize = options.batchSize ?? 1000;
  const windowMs = options.windowMs ?? 60_000;
  const visibilityMs = options.visibilityMs ?? 1_020_000;
  const maxReceives = options.maxReceives ?? 10;
  const invocationMs = options.invocationMs ?? 2_000;
  let queue = [...messages].sort((a, b) => a.visibleAt - b.visibleAt);
  const dlq: QueueMessage[] = [];
  let invocations = 0;
  while (queue.length && invocations < (options.maxInvocations ?? 10_000)) {
    const oldest = queue[0]!.visibleAt;
    if (oldest > clock.now) clock.now = oldest;
    let visible = 0;
    while (visible < queue.length && queue[visible]!.visibleAt <= clock.now) visible += 1;
    if (visible < batchSize && clock.now < oldest + windowMs && visible < queue.length) {
      // Wait for the batch to fill, or for the window to end.
      const fillAt = queue[Math.min(batchSize, queue.length) - 1]!.visibleAt;
      clock.now = Math.min(fillAt, oldest + windowMs);
      continue;
    }
    const batch = queue.slice(0, Math.min(batchSize, visible));
    invocations += 1;
    for (const m of batch) m.receives += 1;
    const failed = await process(
      batch.map((m) => ({ id: m.id, request: m.request, receiveCount: m.receives })),
    );
    clock.now += invocationMs;
    const rest = queue.slice(batch.length);
    for (const m of batch) {
      if (!failed.has(m.id)) continue;
      if (m.receives >= maxReceives) dlq.push(m);
      else {
        const after = failed instanceof Map ? failed.get(m.id) : undefined;
        m.visibleAt = clock.now + (after === undefined ? visibilityMs : after * 1000);
        rest.push(m);
      }
    }
    queue = rest.sort((a, b) => a.visibleAt - b.visibleAt);
  }
  return { invocations, dlq, left: queue.length };
}
