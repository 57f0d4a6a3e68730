/**
 * AWS faked in memory for the benchmark, behind real SDK client objects (so the SDK's paginators
 * and the functions' `instanceof`-free code paths run unchanged; only `send` is replaced):
 *
 * - S3: one bucket's keys, ListObjectsV2 (Prefix, MaxKeys, ContinuationToken) from a sorted array;
 * - CloudFront: one distribution serving the bucket at its root; CreateInvalidation with an
 *   in-flight ledger (an invalidation completes `completionMs` after it was created, on the
 *   simulated clock), CloudFront's refusals (over 3 000 file paths or 15 wildcard paths in flight
 *   → TooManyInvalidationsInProgress; a `*` not last, a path without a leading `/`, a raw `~` →
 *   InvalidArgument; an empty batch → MissingBody), CallerReference idempotency (same reference
 *   and paths → the earlier invalidation, not billed; other paths → InvalidationBatchAlreadyExists);
 *   ListInvalidations newest first, GetInvalidation. `#tag` items count as one path in the
 *   3 000-path pool (AWS: "toward the same concurrent invalidation limits"; which pool is not
 *   documented).
 *
 * Every call is recorded: calls, paths billed (a refused call is counted as what it would have
 * billed), and the most paths in flight at once.
 */
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

export const CLOUDFRONT_QUOTA = { files: 3000, wildcards: 15 } as const;
export const DISTRIBUTION_ID = 'EBENCH000000001';

const CLIENT_OPTIONS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
} as const;

function serviceError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

type Send = (command: unknown) => Promise<unknown>;

function withSend<T extends object>(client: T, send: Send): T {
  Object.defineProperty(client, 'send', { value: send });
  return client;
}

/** First index in sorted `keys` whose key is ≥ `value`. */
export function lowerBound(keys: readonly string[], value: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** When the bucket's objects were written before the workload: a day before its start. */
export const WRITTEN_BEFORE = -86_400_000;

/**
 * An S3 client whose bucket `bucket` holds `keys` (sorted by the caller's compare: code units).
 * `modifiedAt(key, index)` is the object's LastModified (simulated ms): its latest write so far
 * (`index`: its place in `sortedKeys`). Objects modified at the same time share one Date (the
 * fake's own cost is inside the measured step: it stays small; the step only reads them).
 */
export function fakeS3(
  bucket: string,
  sortedKeys: readonly string[],
  modifiedAt: (key: string, index: number) => number = () => WRITTEN_BEFORE,
): S3Client {
  const client = new S3Client(CLIENT_OPTIONS);
  const dates = new Map<number, Date>();
  const dateOf = (ms: number): Date => {
    let date = dates.get(ms);
    if (!date) dates.set(ms, (date = new Date(ms)));
    return date;
  };
  return withSend(client, async (command) => {
    if (!(command instanceof ListObjectsV2Command))
      throw new Error(`fake S3: ${command?.constructor?.name} is not faked`);
    const input = command.input;
    if (input.Bucket !== bucket) throw serviceError('NoSuchBucket', `no bucket ${input.Bucket}`);
    const prefix = input.Prefix ?? '';
    const max = Math.min(input.MaxKeys ?? 1000, 1000);
    const start = input.ContinuationToken
      ? Number(input.ContinuationToken)
      : lowerBound(sortedKeys, prefix);
    const contents: Array<{ Key: string; LastModified: Date }> = [];
    let i = start;
    for (; i < sortedKeys.length && contents.length < max; i += 1) {
      const key = sortedKeys[i]!;
      if (!key.startsWith(prefix)) break;
      contents.push({ Key: key, LastModified: dateOf(modifiedAt(key, i)) });
    }
    const more = i < sortedKeys.length && sortedKeys[i]!.startsWith(prefix);
    return {
      Contents: contents,
      KeyCount: contents.length,
      IsTruncated: more,
      ...(more ? { NextContinuationToken: String(i) } : {}),
      $metadata: {},
    };
  });
}

/**
 * DynamoDB as the invalidation ledger uses it (shared/invalidation/ledgerStore.ts): GetItem, and
 * PutItem conditional on the item's absence or on its `version`. One table, in memory, shared by
 * every instance of a feed, as the stack's table is.
 */
export function fakeDynamoDB(): DynamoDBClient {
  // Attribute values are plain JSON: a JSON round trip copies them for a fraction of
  // structuredClone's cost (which was most of the ledger's share of the measured step).
  const copy = (item: Record<string, AttributeValue>): Record<string, AttributeValue> =>
    JSON.parse(JSON.stringify(item)) as Record<string, AttributeValue>;
  const items = new Map<string, Record<string, AttributeValue>>();
  const client = new DynamoDBClient(CLIENT_OPTIONS);
  const keyOf = (key: Record<string, AttributeValue> | undefined) => key?.distributionId?.S ?? '';
  return withSend(client, async (command) => {
    if (command instanceof GetItemCommand) {
      const item = items.get(keyOf(command.input.Key));
      return { ...(item ? { Item: copy(item) } : {}), $metadata: {} };
    }
    if (command instanceof PutItemCommand) {
      const { Item, ConditionExpression, ExpressionAttributeValues } = command.input;
      const current = items.get(keyOf(Item));
      const ok =
        ConditionExpression === undefined ||
        (ConditionExpression === 'attribute_not_exists(distributionId)' && !current) ||
        (ConditionExpression === 'version = :seen' &&
          current?.version?.N === ExpressionAttributeValues?.[':seen']?.N);
      if (!ok)
        throw serviceError('ConditionalCheckFailedException', 'The conditional request failed');
      items.set(keyOf(Item), copy(Item!));
      return { $metadata: {} };
    }
    throw new Error(`fake DynamoDB: ${command?.constructor?.name} is not faked`);
  });
}

export interface LedgerEntry {
  readonly id: string;
  readonly reference: string;
  readonly paths: readonly string[];
  readonly files: number;
  readonly wildcards: number;
  readonly createdAt: number;
  readonly completesAt: number;
}

export interface CloudFrontStats {
  calls: number;
  refused: number;
  /** Paths of created invalidations plus the paths of refused calls (what they would bill). */
  pathsBilled: number;
  maxFiles: number;
  maxWildcards: number;
}

const isWildcard = (p: string) => p.endsWith('*');

export class FakeCloudFront {
  readonly client: CloudFrontClient;
  readonly stats: CloudFrontStats = {
    calls: 0,
    refused: 0,
    pathsBilled: 0,
    maxFiles: 0,
    maxWildcards: 0,
  };
  /** Every invalidation created, oldest first. */
  readonly created: LedgerEntry[] = [];
  private readonly active: LedgerEntry[] = [];
  private readonly byReference = new Map<string, LedgerEntry>();
  private files = 0;
  private wildcards = 0;

  constructor(
    private readonly bucket: string,
    private readonly clock: () => number,
    private readonly completionMs: number,
  ) {
    this.client = withSend(new CloudFrontClient(CLIENT_OPTIONS), (command) =>
      Promise.resolve().then(() => this.handle(command)),
    );
  }

  private settle(): void {
    const now = this.clock();
    // Completion time is creation + a constant: the active list is in completion order.
    while (this.active.length && this.active[0]!.completesAt <= now) {
      const done = this.active.shift()!;
      this.files -= done.files;
      this.wildcards -= done.wildcards;
    }
  }

  private distribution() {
    const origin = {
      Id: 's3-content',
      DomainName: `${this.bucket}.s3.us-east-1.amazonaws.com`,
      OriginPath: '',
      S3OriginConfig: { OriginAccessIdentity: '' },
    };
    return {
      Id: DISTRIBUTION_ID,
      ARN: `arn:aws:cloudfront::123456789012:distribution/${DISTRIBUTION_ID}`,
      DomainName: 'd111111abcdef8.cloudfront.net',
      Enabled: true,
      Origins: { Quantity: 1, Items: [origin] },
      DefaultCacheBehavior: { TargetOriginId: origin.Id },
      // Cache tags on (spec cacheTagHeader): only requests that carry tags can use them.
      CacheTagConfig: { HeaderName: 'x-amz-meta-cache-tag' },
    };
  }

  private status(e: LedgerEntry): string {
    return e.completesAt <= this.clock() ? 'Completed' : 'InProgress';
  }

  private handle(command: unknown): unknown {
    this.settle();
    if (command instanceof ListDistributionsCommand) {
      const d = this.distribution();
      return { DistributionList: { Items: [d], IsTruncated: false, Quantity: 1 }, $metadata: {} };
    }
    if (command instanceof GetDistributionCommand) {
      const { Id, ARN, DomainName, ...config } = this.distribution();
      if (command.input.Id !== Id) throw serviceError('NoSuchDistribution', 'no distribution', 404);
      return {
        Distribution: { Id, ARN, DomainName, DistributionConfig: config },
        $metadata: {},
      };
    }
    if (command instanceof ListInvalidationsCommand) {
      const max = Math.min(Number(command.input.MaxItems ?? 100), 100);
      const start = command.input.Marker ? Number(command.input.Marker) : 0;
      const newestFirst = (i: number) => this.created[this.created.length - 1 - i]!;
      const items = [];
      for (let i = start; i < this.created.length && items.length < max; i += 1) {
        const e = newestFirst(i);
        items.push({ Id: e.id, CreateTime: new Date(e.createdAt), Status: this.status(e) });
      }
      const next = start + items.length;
      const more = next < this.created.length;
      return {
        InvalidationList: {
          Items: items,
          Quantity: items.length,
          IsTruncated: more,
          ...(more ? { NextMarker: String(next) } : {}),
        },
        $metadata: {},
      };
    }
    if (command instanceof GetInvalidationCommand) {
      const e = this.created[Number(command.input.Id?.slice(1))];
      if (!e) throw serviceError('NoSuchInvalidation', `no invalidation ${command.input.Id}`, 404);
      return { Invalidation: this.describe(e), $metadata: {} };
    }
    if (command instanceof CreateInvalidationCommand) return this.create(command);
    throw new Error(`fake CloudFront: ${(command as object)?.constructor?.name} is not faked`);
  }

  private describe(e: LedgerEntry) {
    return {
      Id: e.id,
      Status: this.status(e),
      CreateTime: new Date(e.createdAt),
      InvalidationBatch: {
        CallerReference: e.reference,
        Paths: { Quantity: e.paths.length, Items: [...e.paths] },
      },
    };
  }

  private create(command: CreateInvalidationCommand): unknown {
    this.stats.calls += 1;
    const batch = command.input.InvalidationBatch;
    const paths = batch?.Paths?.Items ?? [];
    const reference = batch?.CallerReference ?? '';
    if (paths.length === 0) throw serviceError('MissingBody', 'no paths');
    const earlier = this.byReference.get(reference);
    if (earlier) {
      const same =
        earlier.paths.length === paths.length && earlier.paths.every((p, i) => p === paths[i]);
      if (same) return { Invalidation: this.describe(earlier), $metadata: {} };
      throw serviceError('InvalidationBatchAlreadyExists', `reference ${reference} reused`, 409);
    }
    for (const p of paths) {
      const tag = p.startsWith('#');
      const star = p.indexOf('*');
      if ((!tag && !p.startsWith('/')) || (star !== -1 && (tag || star !== p.length - 1)))
        throw serviceError('InvalidArgument', 'Your request contains one or more invalid paths');
      if (p.includes('~'))
        throw serviceError('InvalidArgument', 'Your request contains one or more invalid paths');
    }
    const wildcards = paths.filter(isWildcard).length;
    const files = paths.length - wildcards;
    if (
      this.files + files > CLOUDFRONT_QUOTA.files ||
      this.wildcards + wildcards > CLOUDFRONT_QUOTA.wildcards
    ) {
      this.stats.refused += 1;
      this.stats.pathsBilled += paths.length;
      throw serviceError(
        'TooManyInvalidationsInProgress',
        'Processing your request will cause you to exceed the maximum number of in-progress invalidations.',
      );
    }
    const now = this.clock();
    const entry: LedgerEntry = {
      id: `I${this.created.length}`,
      reference,
      paths: [...paths],
      files,
      wildcards,
      createdAt: now,
      completesAt: now + this.completionMs,
    };
    this.created.push(entry);
    this.active.push(entry);
    this.byReference.set(reference, entry);
    this.files += files;
    this.wildcards += wildcards;
    this.stats.pathsBilled += paths.length;
    this.stats.maxFiles = Math.max(this.stats.maxFiles, this.files);
    this.stats.maxWildcards = Math.max(this.stats.maxWildcards, this.wildcards);
    return { Invalidation: this.describe(entry), Location: entry.id, $metadata: {} };
  }
}
