/**
 * Each log file counted once (functions/logs/logFiles.ts), against the emulator: a log bucket
 * whose object-created events reach an SQS queue, the DynamoDB table of log files as the stack
 * declares it (pk, TTL), the handler driven with the messages as Lambda would receive them.
 * Redeliveries (the same message twice, the same file in two messages of a batch) count once; a
 * stale claim of a dead attempt is taken over; a fresh claim leaves the message for retry; a
 * rewritten file (another ETag) counts again.
 */
import { gzipSync } from 'node:zlib';
import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogLine, logFileHeader, type LogRecord } from '../../shared/cloudfrontLog.js';
import { DEFAULT_CONTENT_CLASSES } from '../../shared/contentClasses.js';
import { createLogsHandler } from '../../functions/logs/handler.js';
import type { EmfObject } from '../../functions/logs/emf.js';
import { CLAIM_LEASE_MS, logFileKey } from '../../functions/logs/logFiles.js';
import { parseLogMessage } from '../../functions/logs/parseEvent.js';
import { createTaggedDistribution } from '../helpers/distributions.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { acknowledge, receive } from '../helpers/sqs.js';

let emu: TestEmulator;
const BUCKET = 'cdn-pipeline-test-logs-once';
const TABLE = 'cdn-pipeline-test-log-files';
let queue: { url: string; arn: string };
let managed: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  const { s3, sqs, cloudfront, dynamodb } = emu.clients;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'log-events-once' }))).QueueUrl!;
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  queue = { url, arn: attrs.Attributes!.QueueArn! };
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: queue.arn, Events: ['s3:ObjectCreated:*'] }],
      },
    }),
  );
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: TABLE,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  );
  managed = await createTaggedDistribution(cloudfront, 'logs-once', {
    'cdn-pipeline:managed': 'true',
    'cdn-pipeline:stage': 'test',
  });
}, 60_000);
afterAll(() => emu?.stop());

const MINUTE = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;
const hour = new Date(MINUTE).toISOString().slice(0, 13).replace('T', '-');

function line(path: string, result: string, second: number): LogRecord {
  const at = new Date(MINUTE + second * 1000).toISOString();
  return {
    date: at.slice(0, 10),
    time: at.slice(11, 19),
    'x-edge-location': 'FRA56-P1',
    'sc-bytes': '1000',
    'c-ip': '192.0.2.10',
    'cs-method': 'GET',
    'cs(Host)': 'd111111abcdef8.cloudfront.net',
    'cs-uri-stem': path,
    'sc-status': '200',
    'x-edge-result-type': result,
    'x-edge-request-id': `req-${path}-${second}`,
    'cs-protocol': 'https',
    'x-edge-response-result-type': result,
    'cs-protocol-version': 'HTTP/2.0',
    'x-edge-detailed-result-type': result,
  };
}

const logFile = (records: LogRecord[]) =>
  gzipSync(`${logFileHeader()}${records.map((r) => formatLogLine(r)).join('\n')}\n`);

/** Puts a log file and returns its one event, received and deleted as Lambda would. */
async function deliver(name: string, requests: number): Promise<SQSEvent> {
  const key = `AWSLogs/123456789012/CloudFront/${managed}.${hour}.${name}.gz`;
  const lines = Array.from({ length: requests }, (_, i) => line(`/v/${name}.mp4`, 'Hit', i));
  await emu.clients.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: logFile(lines) }),
  );
  // Only this file's event (not S3's test event, nor another file's).
  const event = await receive(emu.clients.sqs, queue, { filter: (r) => r.body.includes(name) });
  expect(event.Records).toHaveLength(1);
  await acknowledge(emu.clients.sqs, queue, event);
  return event;
}

function run(
  table: string | null = TABLE,
  options: { dynamodb?: DynamoDBClient; laterMs?: number } = {},
) {
  const emf: EmfObject[] = [];
  const handler = createLogsHandler({
    clients: { ...emu.clients, ...(options.dynamodb ? { dynamodb: options.dynamodb } : {}) },
    now: () => Date.now() + (options.laterMs ?? 0),
    config: {
      contentClasses: DEFAULT_CONTENT_CLASSES,
      stage: 'test',
      distributionIds: [],
      managedCacheSeconds: 60,
      ...(table ? { logFilesTable: table } : {}),
    },
    emit: (e) => emf.push(...e),
  });
  const requests = () => emf.reduce((sum, e) => sum + (e.Requests as number), 0);
  return { handler, emf, requests };
}

const pkOf = (event: SQSEvent) => logFileKey(parseLogMessage(event.Records[0]!.body)[0]!)!;

async function item(pk: string) {
  const out = await emu.clients.dynamodb.send(
    new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return out.Item;
}

async function seedClaim(pk: string, claimedAt: number) {
  await emu.clients.dynamodb.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: { pk: { S: pk }, state: { S: 'claimed' }, claimedAt: { N: String(claimedAt) } },
    }),
  );
}

describe('a log file delivered more than once', () => {
  it('names the file version in its key (the event ETag)', async () => {
    const event = await deliver('aaaa0001', 1);
    expect(pkOf(event)).toMatch(
      new RegExp(
        `^${BUCKET}/AWSLogs/123456789012/CloudFront/${managed}\\.[^#]+\\.gz#[0-9a-f]{32}$`,
      ),
    );
  });

  it('counts the same message twice once', async () => {
    const event = await deliver('aaaa0002', 3);
    const { handler, requests } = run();
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(requests()).toBe(3);
    const stored = await item(pkOf(event));
    expect(stored?.state?.S).toBe('counted');
    expect(Number(stored?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 14 * 86_400);
  });

  it('counts the same file in two messages of one batch once', async () => {
    const event = await deliver('aaaa0003', 2);
    const twice: SQSEvent = {
      Records: [
        event.Records[0]!,
        { ...event.Records[0]!, messageId: 'copy-1', receiptHandle: 'r' },
      ],
    };
    const { handler, requests } = run();
    expect(await handler(twice)).toEqual({ batchItemFailures: [] });
    expect(requests()).toBe(2);
  });

  it('takes over a claim older than the lease (the earlier attempt died) and counts it', async () => {
    const event = await deliver('aaaa0004', 4);
    await seedClaim(pkOf(event), Date.now() - 10 * 60_000);
    const { handler, requests } = run();
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(requests()).toBe(4);
    expect((await item(pkOf(event)))?.state?.S).toBe('counted');
  });

  it('leaves a message whose file another attempt claimed moments ago for retry', async () => {
    const event = await deliver('aaaa0005', 1);
    await seedClaim(pkOf(event), Date.now() - 5_000);
    const { handler, emf } = run();
    expect(await handler(event)).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }],
    });
    expect(emf).toEqual([]);
    expect((await item(pkOf(event)))?.state?.S).toBe('claimed');
  });

  it('counts a rewritten file (another ETag) again', async () => {
    const first = await deliver('aaaa0006', 1);
    const { handler, requests } = run();
    await handler(first);
    const second = await deliver('aaaa0006', 2);
    expect(pkOf(second)).not.toBe(pkOf(first));
    expect(await handler(second)).toEqual({ batchItemFailures: [] });
    expect(requests()).toBe(3);
  });

  it('reads the version its event announced: a file rewritten before it is read counts once', async () => {
    const first = await deliver('aaaa0009', 1);
    const second = await deliver('aaaa0009', 5);
    const { handler, requests } = run();
    expect(await handler(first)).toEqual({ batchItemFailures: [] });
    expect(requests()).toBe(0);
    expect(await handler(second)).toEqual({ batchItemFailures: [] });
    expect(requests()).toBe(5);
  });

  it('releases the claims of a message it could not read, so its retry counts at once', async () => {
    const event = await deliver('aaaa0008', 2);
    const good = JSON.parse(event.Records[0]!.body) as { Records: Array<Record<string, unknown>> };
    const unreadable = {
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'no-such-log-bucket' }, object: { key: 'x.gz', eTag: 'e'.repeat(32) } },
    };
    const both: SQSEvent = {
      Records: [
        {
          ...event.Records[0]!,
          messageId: 'both-1',
          body: JSON.stringify({ Records: [...good.Records, unreadable] }),
        },
      ],
    };
    const { handler, requests } = run();
    expect(await handler(both)).toEqual({ batchItemFailures: [{ itemIdentifier: 'both-1' }] });
    expect(requests()).toBe(0);
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(requests()).toBe(2);
  });

  it('what remains: printed but not marked counted → not retried; a redelivery after the lease counts it again', async () => {
    const event = await deliver('aaaa0010', 3);
    // The one fault moto cannot produce: DynamoDB failing the `counted` mark (claims go through).
    const real = emu.clients.dynamodb;
    const failingMark = {
      send: (command: unknown) =>
        command instanceof UpdateItemCommand &&
        command.input.ExpressionAttributeValues?.[':counted']
          ? Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }))
          : real.send(command as never),
    } as unknown as DynamoDBClient;
    const { handler, requests } = run(TABLE, { dynamodb: failingMark });
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(requests()).toBe(3);
    expect((await item(pkOf(event)))?.state?.S).toBe('claimed');
    // Within the lease a redelivery waits; after it, the claim is taken for a dead attempt's.
    expect((await run().handler(event)).batchItemFailures).toHaveLength(1);
    const late = run(TABLE, { laterMs: CLAIM_LEASE_MS + 1_000 });
    expect(await late.handler(event)).toEqual({ batchItemFailures: [] });
    expect(late.requests()).toBe(3);
  });

  it('without LOG_FILES_TABLE, counts every delivery as before', async () => {
    const event = await deliver('aaaa0007', 1);
    const { handler, requests } = run(null);
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(requests()).toBe(2);
  });
});
