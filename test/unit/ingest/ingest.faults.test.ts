/** Faults for ingest that the emulator cannot produce, injected with aws-sdk-client-mock. */
import {
  GetBucketVersioningCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../../functions/ingest/handler.js';
import type { IngestOutcome } from '../../../functions/ingest/types.js';
import { loadIngestConfig } from '../../../functions/ingest/config.js';
import { s3EventRecord, s3Message, sqsEvent } from '../../helpers/factories.js';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/requests';
/** The ETag test/helpers/factories.ts gives every event. */
const ETAG = 'd41d8cd98f00b204e9800998ecf8427e';

function serviceError(name: string): Error {
  return Object.assign(new Error(`${name} (injected)`), { name, $fault: 'client', $metadata: {} });
}

let outcomes: IngestOutcome[];
function handler() {
  return createIngestHandler(
    {
      clients: {
        s3: new S3Client({ region: 'us-east-1', maxAttempts: 1 }),
        sqs: new SQSClient({ region: 'us-east-1' }),
      },
      config: loadIngestConfig({ INVALIDATION_QUEUE_URL: QUEUE }),
    },
    (o) => outcomes.push(o),
  );
}

beforeEach(() => {
  outcomes = [];
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3.on(PutObjectTaggingCommand).resolves({});
  // Two versions of every key, with the factory's ETag: each event is an overwrite.
  s3.on(ListObjectVersionsCommand).callsFake((input: { Prefix: string }) => ({
    Versions: [
      { Key: input.Prefix, VersionId: '2', ETag: `"${ETAG}"` },
      { Key: input.Prefix, VersionId: '1', ETag: `"${ETAG}"` },
    ],
  }));
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string }> }) => ({
    Successful: input.Entries.map((e) => ({
      Id: e.Id,
      MessageId: `m-${e.Id}`,
      MD5OfMessageBody: '',
    })),
  }));
});
afterEach(() => {
  s3.reset();
  sqs.reset();
});

const overwrites = (n: number) =>
  sqsEvent(Array.from({ length: n }, (_, i) => s3Message(s3EventRecord({ key: `k/${i}.png` }))));

describe('ingest under faults', () => {
  it('sends the invalidation requests of a batch in SendMessageBatch calls of up to 10', async () => {
    const response = await handler()(overwrites(25));
    expect(response.batchItemFailures).toEqual([]);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 5]);
    expect(new Set(outcomes.map((o) => o.status === 'processed' && o.reason))).toEqual(
      new Set(['overwrite']),
    );
  });

  it('fails only the message whose request SQS did not accept', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string }> }) => ({
      Successful: input.Entries.slice(1).map((e) => ({
        Id: e.Id,
        MessageId: 'm',
        MD5OfMessageBody: '',
      })),
      Failed: [{ Id: input.Entries[0]!.Id, Code: 'InternalError', SenderFault: false }],
    }));
    const event = overwrites(3);
    const response = await handler()(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
    expect(outcomes.find((o) => o.status === 'failed')).toMatchObject({
      error: expect.stringContaining('InternalError'),
    });
  });

  it('fails every message when SendMessageBatch itself fails, so nothing is lost', async () => {
    sqs.on(SendMessageBatchCommand).rejects(serviceError('ServiceUnavailable'));
    const event = overwrites(2);
    const response = await handler()(event);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      event.Records.map((r) => r.messageId).sort(),
    );
  });

  it('fails the message when tagging is throttled, and asks for no invalidation yet', async () => {
    s3.on(PutObjectTaggingCommand).rejects(serviceError('SlowDown'));
    const event = overwrites(1);
    const response = await handler()(event);
    expect(response.batchItemFailures).toHaveLength(1);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('still asks for an invalidation when the object vanished before tagging', async () => {
    s3.on(GetObjectTaggingCommand).rejects(serviceError('NoSuchKey'));
    const response = await handler()(overwrites(1));
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes[0]).toMatchObject({ invalidation: 'requested', reason: 'object-gone' });
  });

  it('tags the exact version named in the event', async () => {
    await handler()(
      sqsEvent([s3Message(s3EventRecord({ key: 'v.png', versionId: '3HL4kqtJlcpXroDTDmJ' }))]),
    );
    expect(s3.commandCalls(PutObjectTaggingCommand)[0]!.args[0].input.VersionId).toBe(
      '3HL4kqtJlcpXroDTDmJ',
    );
  });
});
