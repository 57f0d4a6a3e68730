/**
 * BENCH ONLY. S3 and SQS as ingest calls them, answered in memory after a fixed latency, every
 * call served in parallel (as AWS serves them, unlike the emulator, which answers about one at a
 * time): the calls ingest makes stay the same, only the service behind them changes. Installed
 * as a middleware on real SDK clients, so the handler runs unchanged.
 */
import { createHash } from 'node:crypto';
import { createClients, type AwsClients } from '../shared/clients.js';

interface Version {
  readonly versionId: string;
  readonly eTag: string;
  readonly lastModified: Date;
  tags: Array<{ Key: string; Value: string }>;
}

function serviceError(name: string): Error {
  return Object.assign(new Error(`${name} (model)`), { name, $fault: 'client', $metadata: {} });
}

/** Clients whose S3 and SQS calls are answered by the model after `latencyMs` each. */
export function parallelModelClients(latencyMs: number): Pick<AwsClients, 's3' | 'sqs'> {
  const clients = createClients({
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    region: 'us-east-1',
  });
  /** Versions of each key, newest first. */
  const objects = new Map<string, Version[]>();
  let seq = 0;
  const answer = (name: string, input: Record<string, unknown>): unknown => {
    const key = input.Key as string;
    const version = () => {
      const versions = objects.get(key) ?? [];
      const found = input.VersionId
        ? versions.find((v) => v.versionId === input.VersionId)
        : versions[0];
      if (!found) throw serviceError('NoSuchKey');
      return found;
    };
    switch (name) {
      case 'CreateBucketCommand':
      case 'PutBucketVersioningCommand':
        return {};
      case 'CreateQueueCommand':
        return { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-model' };
      case 'GetBucketVersioningCommand':
        return { Status: 'Enabled' };
      case 'PutObjectCommand': {
        seq += 1;
        const v = {
          versionId: `v${seq}`,
          eTag: `"${seq.toString(16).padStart(32, '0')}"`,
          lastModified: new Date(),
          tags: [],
        };
        objects.set(key, [v, ...(objects.get(key) ?? [])]);
        return { VersionId: v.versionId, ETag: v.eTag };
      }
      case 'GetObjectTaggingCommand':
        return { TagSet: version().tags };
      case 'PutObjectTaggingCommand':
        version().tags = (input.Tagging as { TagSet: Version['tags'] }).TagSet;
        return {};
      case 'ListObjectVersionsCommand': {
        const prefix = input.Prefix as string;
        const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
        return {
          IsTruncated: false,
          Versions: keys.flatMap((k) =>
            objects.get(k)!.map((v, i) => ({
              Key: k,
              VersionId: v.versionId,
              ETag: v.eTag,
              LastModified: v.lastModified,
              IsLatest: i === 0,
            })),
          ),
          DeleteMarkers: [],
        };
      }
      case 'DeleteObjectsCommand': {
        const listed = (input.Delete as { Objects: Array<{ Key: string }> }).Objects;
        for (const o of listed) objects.delete(o.Key);
        return { Deleted: listed };
      }
      case 'SendMessageBatchCommand': {
        const entries = input.Entries as Array<{ Id: string; MessageBody: string }>;
        return {
          Successful: entries.map((e) => ({
            Id: e.Id,
            MessageId: e.Id,
            MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex'),
          })),
          Failed: [],
        };
      }
      default:
        throw new Error(`ingest model: ${name} is not modelled`);
    }
  };
  for (const client of [clients.s3, clients.sqs]) {
    (
      client.middlewareStack as unknown as {
        add(
          mw: (
            next: unknown,
            context: { commandName?: string },
          ) => (args: { input: Record<string, unknown> }) => Promise<unknown>,
          options: { step: 'initialize'; name: string; priority: 'low' },
        ): void;
      }
    ).add(
      (_next, context) => async (args) => {
        await new Promise((r) => setTimeout(r, latencyMs));
        return {
          output: { ...(answer(context.commandName!, args.input) as object), $metadata: {} },
        };
      },
      // After the bench's call counter (initialize, normal priority); nothing goes on the wire.
      { step: 'initialize', name: 'benchParallelModel', priority: 'low' },
    );
  }
  return clients;
}
