/**
 * `npx tsx bench/keyLedger.ts [--keys 200]`: what the key ledger costs and saves on an
 * unversioned bucket, measured against the emulator with the real ingest handler. The same
 * uploads (new keys, then an overwrite of half of them, then every overwrite's event delivered
 * again) go through ingest without and with KEY_LEDGER_TABLE; every SDK call is counted by
 * command, and every invalidation request read back from the queue. Prints a Markdown table
 * and the cost per 1 000 uploads from the public prices quoted in the README ("Key ledger").
 */
import './quiet.js';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { createIngestHandler } from '../functions/ingest/handler.js';
import { loadIngestConfig } from '../functions/ingest/config.js';
import { seedKeyLedger } from '../functions/ingest/keyLedgerSeed.js';
import { bootstrapLocalStack } from '../local/bootstrap.js';
import { startEmulator } from '../local/emulator.js';
import { ensureKeyLedgerTable } from '../local/keyLedgerTable.js';
import { createClients, type AwsClients } from '../shared/clients.js';

/** Public prices (us-east-1), see the README: an invalidation path past the free 1 000 a month; one on-demand write request unit. */
const PRICE = { invalidationPath: 0.005, writeRequestUnit: 0.625 / 1_000_000 } as const;

type Counts = Record<string, number>;

function counting(clients: AwsClients, counts: Counts): void {
  for (const [service, client] of [
    ['s3', clients.s3],
    ['sqs', clients.sqs],
    ['dynamodb', clients.dynamodb],
  ] as const) {
    (client as { middlewareStack: { add: (...a: unknown[]) => void } }).middlewareStack.add(
      (next: (a: unknown) => unknown, context: { commandName?: string }) => (args: unknown) => {
        const name = `${service}:${(context.commandName ?? '?').replace(/Command$/, '')}`;
        counts[name] = (counts[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: `count-${service}` },
    );
  }
}

const event = (bucket: string, key: string, eTag: string, i: number): SQSEvent => ({
  Records: [
    {
      messageId: `m-${i}`,
      receiptHandle: `h-${i}`,
      body: JSON.stringify({
        Records: [
          {
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            eventTime: new Date().toISOString(),
            s3: {
              bucket: { name: bucket },
              object: {
                key: encodeURIComponent(key),
                eTag,
                sequencer: i.toString(16).padStart(16, '0'),
              },
            },
          },
        ],
      }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:bench',
      awsRegion: 'us-east-1',
    },
  ],
});

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { keys: { type: 'string', default: '200' } } });
  const keys = Number(values.keys);
  const emulator = await startEmulator({ port: 0, reuse: false });
  try {
    const rows: string[] = [];
    for (const ledger of [false, true]) {
      const clients = createClients({
        endpoint: emulator.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        region: 'us-east-1',
      });
      const stack = await bootstrapLocalStack(clients, { stage: ledger ? 'klon' : 'kloff' });
      const bucket = `bench-unversioned-${ledger ? 'ledger' : 'plain'}`;
      const table = 'bench-key-ledger';
      await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      if (ledger) {
        await ensureKeyLedgerTable(clients.dynamodb, table);
        await seedKeyLedger(clients, bucket, { table });
      }
      const counts: Counts = {};
      counting(clients, counts);
      let requested = 0;
      const handler = createIngestHandler(
        {
          clients,
          config: loadIngestConfig({
            INVALIDATION_QUEUE_URL: stack.invalidationRequests.url,
            ...(ledger ? { KEY_LEDGER_TABLE: table } : {}),
          }),
        },
        (o) => {
          if (o.status === 'processed' && o.invalidation !== 'not-needed') requested++;
        },
      );
      const uploads: Array<{ key: string; eTag: string }> = [];
      for (let i = 0; i < keys; i++) {
        const key = `charts/${i}.png`;
        const out = await clients.s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: `v1 ${i}` }),
        );
        uploads.push({ key, eTag: out.ETag! });
      }
      for (let i = 0; i < keys; i += 2) {
        const key = `charts/${i}.png`;
        const out = await clients.s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: `v2 ${i}` }),
        );
        uploads.push({ key, eTag: out.ETag! });
      }
      const overwrites = uploads.slice(keys);
      for (const c of Object.keys(counts)) delete counts[c]; // count ingest's calls only
      let n = 0;
      for (const u of uploads) await handler(event(bucket, u.key, u.eTag, n++));
      for (const u of overwrites) await handler(event(bucket, u.key, u.eTag, n++)); // redelivered
      const events = n;
      const calls = (prefix: string) =>
        Object.entries(counts)
          .filter(([k]) => k.startsWith(prefix))
          .reduce((a, [, v]) => a + v, 0);
      const writes = (counts['dynamodb:PutItem'] ?? 0) + (counts['dynamodb:GetItem'] ?? 0);
      const per1000 = (x: number) => (x / events) * 1000;
      const cost =
        per1000(requested) * PRICE.invalidationPath + per1000(writes) * PRICE.writeRequestUnit;
      rows.push(
        `| ${ledger ? 'key ledger' : 'no ledger'} | ${events} | ${requested} | ${(calls('s3:') / events).toFixed(2)} | ${(calls('dynamodb:') / events).toFixed(2)} | ${(calls('sqs:') / events).toFixed(2)} | $${cost.toFixed(4)} |`,
      );
      console.error(ledger ? 'with ledger' : 'without ledger', JSON.stringify(counts));
    }
    console.log(
      [
        `${keys} new keys, ${keys / 2} overwrites, every overwrite's event delivered twice (unversioned bucket, INVALIDATE_ON=overwrites)`,
        '',
        '| ingest | events | invalidations requested | S3 calls / event | DynamoDB calls / event | SQS calls / event | $ per 1 000 events (paths + writes) |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
  } finally {
    await emulator.stop();
  }
}

await main();
