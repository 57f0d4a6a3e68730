/**
 * The logs function against the emulator: a gzip log file put in a log bucket whose object-created
 * events go to an SQS queue (as the stack wires it), the message received as Lambda would, the
 * handler run → EMF per (distribution, content class, minute) with the exact counts of the lines.
 * Bad input: a corrupt file in the same batch, a log of a distribution that is not managed (or
 * deleted), a file that cannot be read (retried, nothing published).
 */
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogLine, logFileHeader, type LogRecord } from '../../shared/cloudfrontLog.js';
import { DEFAULT_CONTENT_CLASSES } from '../../shared/contentClasses.js';
import { createLogsHandler } from '../../functions/logs/handler.js';
import type { EmfObject } from '../../functions/logs/emf.js';
import type { LogOutcome } from '../../functions/logs/logs.js';
import { createTaggedDistribution } from '../helpers/distributions.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { receive, acknowledge } from '../helpers/sqs.js';

let emu: TestEmulator;
const BUCKET = 'cdn-pipeline-test-logs';
let queue: { url: string; arn: string };
let managed: string;
let untagged: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  const { s3, sqs, cloudfront } = emu.clients;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'log-events' }))).QueueUrl!;
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
  managed = await createTaggedDistribution(cloudfront, 'logs-managed', {
    'cdn-pipeline:managed': 'true',
    'cdn-pipeline:stage': 'test',
  });
  untagged = await createTaggedDistribution(cloudfront, 'logs-untagged', { team: 'web' });
}, 60_000);
afterAll(() => emu?.stop());

const NOW = Date.now();
const MINUTE = Math.floor((NOW - 10 * 60_000) / 60_000) * 60_000;

function line(path: string, result: string, status: number, bytes: number, second = 0): LogRecord {
  const at = new Date(MINUTE + second * 1000).toISOString();
  return {
    date: at.slice(0, 10),
    time: at.slice(11, 19),
    'x-edge-location': 'FRA56-P1',
    'sc-bytes': String(bytes),
    'c-ip': '192.0.2.10',
    'cs-method': 'GET',
    'cs(Host)': 'd111111abcdef8.cloudfront.net',
    'cs-uri-stem': path,
    'sc-status': String(status),
    'x-edge-result-type': result,
    'x-edge-request-id': `req-${path}-${second}`,
    'cs-protocol': 'https',
    'x-edge-response-result-type': result,
    'cs-protocol-version': 'HTTP/2.0',
    'x-edge-detailed-result-type': result,
  };
}

function logFile(records: LogRecord[]): Buffer {
  return gzipSync(`${logFileHeader()}${records.map((r) => formatLogLine(r)).join('\n')}\n`);
}

async function deliver(key: string, body: Buffer) {
  await emu.clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

function run(stage = 'test') {
  const emf: EmfObject[] = [];
  const outcomes: LogOutcome[] = [];
  const handler = createLogsHandler(
    {
      clients: emu.clients,
      config: {
        contentClasses: DEFAULT_CONTENT_CLASSES,
        stage,
        distributionIds: [],
        managedCacheSeconds: 60,
      },
      emit: (e) => emf.push(...e),
    },
    (o) => outcomes.push(o),
  );
  return { handler, emf, outcomes };
}

const hour = new Date(MINUTE).toISOString().slice(0, 13).replace('T', '-');

describe('a delivered log file', () => {
  it('becomes EMF with the exact counts per content class', async () => {
    const key = `AWSLogs/123456789012/CloudFront/${managed}.${hour}.aaaa1111.gz`;
    await deliver(
      key,
      logFile([
        line('/videos/clip.mp4', 'Miss', 200, 5_000_000, 1),
        line('/videos/clip.mp4', 'Hit', 206, 1_000_000, 2),
        line('/videos/clip.mp4', 'RefreshHit', 206, 1_000_000, 3),
        line('/videos/missing.mp4', 'Error', 404, 300, 4),
        line('/img/logo%20big.png', 'Hit', 200, 2_000, 5),
        line('/img/logo%20big.png', 'Miss', 200, 2_000, 6),
      ]),
    );
    const event = await receive(emu.clients.sqs, queue);
    const { handler, emf, outcomes } = run();
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    await acknowledge(emu.clients.sqs, queue, event);

    expect(outcomes).toMatchObject([{ status: 'counted', requests: 6, unmanaged: [] }]);
    const byClass = Object.fromEntries(emf.map((e) => [e.ContentClass, { ...e, _aws: undefined }]));
    expect(byClass.video).toMatchObject({
      DistributionId: managed,
      Requests: 4,
      Hits: 2,
      Misses: 1,
      Errors: 1,
      Bytes: 7_000_300,
    });
    expect(byClass.image).toMatchObject({
      Requests: 2,
      Hits: 1,
      Misses: 1,
      Errors: 0,
      Bytes: 4000,
    });
    for (const e of emf) expect((e._aws as { Timestamp: number }).Timestamp).toBe(MINUTE);
  });

  it('refuses a corrupt file and leaves out an unmanaged distribution, the rest of the batch counted', async () => {
    const good = logFile([line('/a.pdf', 'Hit', 200, 100, 1)]);
    await deliver(`${managed}.${hour}.bbbb2222.gz`, good);
    await deliver(`${managed}.${hour}.cccc3333.gz`, good.subarray(0, good.length - 12));
    await deliver(`${untagged}.${hour}.dddd4444.gz`, good);
    await deliver(`E0DELETEDDIST.${hour}.eeee5555.gz`, good);
    const event = await receive(emu.clients.sqs, queue, { min: 4 });
    expect(event.Records).toHaveLength(4);
    const { handler, emf, outcomes } = run();
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    await acknowledge(emu.clients.sqs, queue, event);

    const byKey = Object.fromEntries(outcomes.map((o) => [o.object.key.split('.').at(-2), o]));
    expect(byKey['bbbb2222']).toMatchObject({ status: 'counted', requests: 1 });
    expect(byKey['cccc3333']).toMatchObject({
      status: 'rejected',
      field: 'file',
      error: expect.stringContaining('is not a complete gzip stream'),
    });
    expect(byKey['dddd4444']).toMatchObject({
      status: 'counted',
      requests: 0,
      unmanaged: [{ distributionId: untagged, reason: expect.stringContaining('not tagged') }],
    });
    expect(byKey['eeee5555']).toMatchObject({
      status: 'counted',
      requests: 0,
      unmanaged: [{ distributionId: 'E0DELETEDDIST', reason: 'deleted' }],
    });
    // Only the good file of the managed distribution was counted.
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      DistributionId: managed,
      ContentClass: 'document',
      Requests: 1,
    });
  });

  it('counts a distribution of another stage as not managed', async () => {
    await deliver(`${managed}.${hour}.ffff6666.gz`, logFile([line('/a.pdf', 'Hit', 200, 1, 1)]));
    const event = await receive(emu.clients.sqs, queue);
    const { handler, emf, outcomes } = run('prod');
    await handler(event);
    await acknowledge(emu.clients.sqs, queue, event);
    expect(emf).toEqual([]);
    expect(outcomes[0]).toMatchObject({
      unmanaged: [{ reason: 'of stage "test", not "prod"' }],
    });
  });

  it('retries a message whose file cannot be read, and publishes nothing of it', async () => {
    const body = JSON.stringify({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: BUCKET }, object: { key: `${managed}.${hour}.bbbb2222.gz` } },
        },
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'no-such-log-bucket' }, object: { key: 'x.gz' } },
        },
      ],
    });
    const { handler, emf } = run();
    const out = await handler({
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'r-1',
          body,
          attributes: {} as never,
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: queue.arn,
          awsRegion: 'us-east-1',
        },
      ],
    });
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(emf).toEqual([]);
  });
});
