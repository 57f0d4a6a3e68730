import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AwsClients } from '../../shared/clients.js';
import { lazyClients } from '../../shared/clients/lazy.js';
import { dynamodbClient } from '../../shared/clients/dynamodb.js';
import { s3Client } from '../../shared/clients/s3.js';
import { sqsClient } from '../../shared/clients/sqs.js';
import { loadIngestConfig, type IngestConfig } from './config.js';
import { InvalidInputError } from '../../shared/errors.js';
import {
  lambdaHandler,
  logger,
  metrics,
  MetricUnit,
  type Handler,
} from '../../shared/observability.js';
import { SqsBatcher } from './sqsBatcher.js';
import { parseS3Message, parseS3Record, prepareRecord, type IngestCoreDeps } from './ingest.js';
import { createRecordScheduler } from './recordScheduler.js';
import type { IngestObserver, IngestOutcome } from './types.js';
import { versioningLookup } from './versioning.js';
import { keyLedger } from './keyLedger.js';

export interface IngestDeps {
  /** `dynamodb` only when KEY_LEDGER_TABLE is set. */
  readonly clients: Pick<AwsClients, 's3' | 'sqs'> & Partial<Pick<AwsClients, 'dynamodb'>>;
  readonly config: IngestConfig;
  /** The clock (ms since the epoch); default Date.now. */
  readonly now?: () => number;
}

export type SqsHandler = Handler<SQSEvent, SQSBatchResponse>;

function describe(error: unknown): { error: string; field?: string } {
  if (error instanceof InvalidInputError) return { error: error.message, field: error.field };
  const e = error as { name?: string; message?: string };
  return { error: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}` };
}

/**
 * Builds the bare ingest handler around its dependencies (the Lambda entry point below wraps it;
 * the local runner and the tests call it as it is). Each SQS message is one unit of retry: if any S3 record in
 * it fails, the message is reported in `batchItemFailures` and comes back (then to the DLQ).
 */
export function createIngestHandler(deps: IngestDeps, observer?: IngestObserver): SqsHandler {
  const now = deps.now ?? Date.now;
  const ledgerTable = deps.config.keyLedgerTable;
  if (ledgerTable && !deps.clients.dynamodb)
    throw new Error('ingest: KEY_LEDGER_TABLE is set but no DynamoDB client was given');
  const core: Omit<IngestCoreDeps, 'requestInvalidation'> = {
    s3: deps.clients.s3,
    config: deps.config,
    isVersioned: versioningLookup(deps.clients.s3, {
      ttlSeconds: deps.config.versioningCacheSeconds,
      now,
      onUnversioned: (bucket) =>
        ledgerTable
          ? logger.info(
              'bucket is not versioned: overwrites are told from new keys by the key ledger',
              { bucket, table: ledgerTable },
            )
          : logger.warn(
              'bucket is not versioned: INVALIDATE_ON=overwrites cannot tell new objects from overwrites, so every upload is invalidated (set KEY_LEDGER_TABLE for exact detection)',
              { bucket },
            ),
    }),
    now,
    ...(ledgerTable
      ? {
          keyLedger: keyLedger(deps.clients.dynamodb!, {
            table: ledgerTable,
            coverageTtlMs: deps.config.versioningCacheSeconds * 1000,
            ttlDays: deps.config.keyLedgerTtlDays,
            now,
          }),
        }
      : {}),
  };

  const report = (outcome: IngestOutcome): void => {
    observer?.(outcome);
    if (outcome.status === 'processed') {
      logger.info('object ingested', {
        messageId: outcome.messageId,
        bucket: outcome.bucket,
        key: outcome.key,
        contentClass: outcome.classification.contentClass,
        cacheClass: outcome.classification.cacheClass,
        invalidation: outcome.invalidation,
        reason: outcome.reason,
      });
      for (const warning of outcome.warnings)
        logger.warn(warning, { bucket: outcome.bucket, key: outcome.key });
      metrics.addMetric('ObjectsIngested', MetricUnit.Count, 1);
      if (outcome.invalidation === 'requested')
        metrics.addMetric('InvalidationsRequested', MetricUnit.Count, 1);
      if (outcome.invalidation === 'conditional')
        metrics.addMetric('NewKeyInvalidationsRequested', MetricUnit.Count, 1);
    } else if (outcome.status === 'failed') {
      logger.error('record rejected', {
        messageId: outcome.messageId,
        field: outcome.field,
        error: outcome.error,
      });
      metrics.addMetric('RecordsFailed', MetricUnit.Count, 1);
    } else {
      logger.info('message skipped', { messageId: outcome.messageId, reason: outcome.reason });
    }
  };

  /**
   * One invocation: its records run through one scheduler (INGEST_CONCURRENCY at a time, a key's
   * records in turn) and share one SQS batcher, which sends a partial batch only once no record
   * is still doing its S3 work, so a batch of 10 costs one SendMessageBatch.
   */
  const invocation = (event: SQSEvent, context?: Context) => {
    // `busy` and `onSettled` are only called once both exist (after this tick).
    const sender = new SqsBatcher(deps.clients.sqs, deps.config.invalidationQueueUrl, {
      busy: () => scheduler.unsettled > 0,
    });
    const scheduler = createRecordScheduler({
      concurrency: deps.config.recordConcurrency,
      onSettled: () => sender.poke(),
    });

    const ingestOne = async (messageId: string, raw: unknown, index: number) => {
      const record = parseS3Record(raw, index);
      const prepared = await scheduler.run(`${record.s3.bucket.name}/${record.key}`, () =>
        prepareRecord(core, messageId, record, index),
      );
      if (prepared.request) await sender.send(JSON.stringify(prepared.request));
      return prepared.outcome;
    };

    const recordHandler = async (record: SQSRecord): Promise<void> => {
      const messageId = record.messageId;
      let parsed: ReturnType<typeof parseS3Message>;
      try {
        parsed = parseS3Message(record.body);
      } catch (error) {
        report({ status: 'failed', messageId, ...describe(error) });
        throw error;
      }
      if (parsed.testEvent) {
        report({ status: 'skipped', messageId, reason: 's3:TestEvent' });
        return;
      }
      const results = await Promise.allSettled(
        parsed.records.map((raw, i) => ingestOne(messageId, raw, i)),
      );
      const failures: unknown[] = [];
      for (const result of results) {
        if (result.status === 'fulfilled') {
          report(result.value);
        } else {
          failures.push(result.reason);
          report({ status: 'failed', messageId, ...describe(result.reason) });
        }
      }
      if (failures.length)
        throw new AggregateError(
          failures,
          `${failures.length} of ${results.length} records failed`,
        );
    };

    // Every message's handler starts at once (Powertools' parallel mode); the scheduler bounds
    // the S3 work, and each message still fails or succeeds on its own.
    return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
      processInParallel: true,
    });
  };
  return invocation;
}

/** The Lambda entry point (`functions/ingest/handler.handler`). */
export const handler: SqsHandler = lambdaHandler(() =>
  createIngestHandler({
    clients: lazyClients({ s3: s3Client, sqs: sqsClient, dynamodb: dynamodbClient }),
    config: loadIngestConfig(),
  }),
);
