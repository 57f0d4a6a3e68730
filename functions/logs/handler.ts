/**
 * The logs function: S3 object-created events of the log bucket, through SQS (one message per
 * delivered log file; failures retried, then the DLQ). Thin: parse the message, run the core per
 * object (logs.ts), publish the EMF of a message only once every object of it is read (a retried
 * message never counts twice what it counted before failing), log one line per object, return
 * the partial batch failures. With `LOG_FILES_TABLE`, each file version is claimed before it is
 * read and marked counted after its EMF is printed (logFiles.ts: a redelivered file counts once);
 * records run one at a time, so two messages of a batch announcing one file count it once.
 *
 * Its own metrics (namespace `CdnPipeline`, dimension `service`): `LogFilesCounted`,
 * `LogFilesRejected`, `LogLinesSkipped`, `LogRequestsUnmanaged`, `LogFilesAlreadyCounted`.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { cloudfrontClient } from '../../shared/clients/cloudfront.js';
import { dynamodbClient } from '../../shared/clients/dynamodb.js';
import { lazyClients } from '../../shared/clients/lazy.js';
import { s3Client } from '../../shared/clients/s3.js';
import type { AwsClients } from '../../shared/clients.js';
import { InvalidInputError } from '../../shared/errors.js';
import {
  lambdaHandler,
  logger,
  metrics,
  MetricUnit,
  type Handler,
} from '../../shared/observability.js';
import { loadLogsConfig, type LogsConfig } from './config.js';
import { writeEmf, type EmfObject } from './emf.js';
import { processLogObject, type LogOutcome, type LogsCoreDeps } from './logs.js';
import { logFileKey, logFileLedger, LogFileBusy, type HeldClaim } from './logFiles.js';
import { managedLookup } from './managed.js';
import { parseLogMessage, type LogObject } from './parseEvent.js';

export interface LogsDeps {
  /** `dynamodb` only with `config.logFilesTable`. */
  readonly clients: Pick<AwsClients, 's3' | 'cloudfront'> & Partial<Pick<AwsClients, 'dynamodb'>>;
  readonly config: LogsConfig;
  /** Where the EMF goes: Lambda's stdout by default (local runs and tests pass their own). */
  readonly emit?: (emf: readonly EmfObject[]) => void;
  readonly now?: () => number;
}

export type LogsObserver = (outcome: LogOutcome) => void;

function report(outcome: LogOutcome): void {
  const where = { bucket: outcome.object.bucket, key: outcome.object.key };
  switch (outcome.status) {
    case 'counted':
      logger.info('log file counted', {
        ...where,
        requests: outcome.requests,
        distributions: outcome.byDistribution,
        metrics: outcome.emf.length,
      });
      metrics.addMetric('LogFilesCounted', MetricUnit.Count, 1);
      if (outcome.skippedLines) {
        logger.warn('log lines skipped: not counted', {
          ...where,
          skippedLines: outcome.skippedLines,
          problems: outcome.problems.map((p) => `${p.field}: ${p.message}`),
        });
        metrics.addMetric('LogLinesSkipped', MetricUnit.Count, outcome.skippedLines);
      }
      for (const u of outcome.unmanaged) {
        logger.warn('log of a distribution this stack does not manage: not counted', {
          ...where,
          distributionId: u.distributionId,
          reason: u.reason,
          requests: u.requests,
        });
        metrics.addMetric('LogRequestsUnmanaged', MetricUnit.Count, u.requests);
      }
      if (outcome.refused)
        logger.warn(
          'log minutes outside what CloudWatch accepts (14 days back, 2 h ahead): not counted',
          {
            ...where,
            minutes: outcome.refused,
          },
        );
      return;
    case 'rejected':
      logger.error('log file rejected: nothing of it counted', {
        ...where,
        field: outcome.field,
        error: outcome.error,
      });
      metrics.addMetric('LogFilesRejected', MetricUnit.Count, 1);
      return;
    case 'missing':
      logger.warn(
        'log file (the version its event announced) gone before it was read: nothing counted',
        where,
      );
  }
}

function describe(error: unknown): { error: string; field?: string } {
  if (error instanceof InvalidInputError) return { error: error.message, field: error.field };
  const e = error as { name?: string; message?: string };
  return { error: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}` };
}

/** The bare handler (the Lambda entry point below wraps it; local runs and tests call it). */
export function createLogsHandler(
  deps: LogsDeps,
  observer?: LogsObserver,
): Handler<SQSEvent, SQSBatchResponse> {
  const now = deps.now ?? Date.now;
  const emit = deps.emit ?? writeEmf;
  const core: LogsCoreDeps = {
    s3: deps.clients.s3,
    isManaged: managedLookup(deps.clients.cloudfront, {
      stage: deps.config.stage,
      explicitIds: deps.config.distributionIds,
      ttlMs: deps.config.managedCacheSeconds * 1000,
      now,
    }),
    rules: deps.config.contentClasses,
    now,
  };

  const table = deps.config.logFilesTable;
  if (table && !deps.clients.dynamodb)
    throw new Error('createLogsHandler: logFilesTable is set but no dynamodb client was given');
  const ledger =
    table && deps.clients.dynamodb
      ? logFileLedger(deps.clients.dynamodb, { table, now })
      : undefined;
  if (!ledger)
    logger.warn('LOG_FILES_TABLE is not set: a log file delivered twice is counted twice');

  /** Claims the files of a message; those already counted are left out. Throws when busy. */
  async function claimAll(
    messageId: string,
    objects: readonly LogObject[],
    held: HeldClaim[],
  ): Promise<Array<{ object: LogObject; claim?: HeldClaim }>> {
    const todo: Array<{ object: LogObject; claim?: HeldClaim }> = [];
    const seen = new Set<string>();
    for (const object of objects) {
      const pk = ledger && logFileKey(object);
      if (!ledger || !pk) {
        if (ledger)
          logger.warn('log file event names no version (ETag): counted without deduplication', {
            bucket: object.bucket,
            key: object.key,
          });
        todo.push({ object });
        continue;
      }
      if (seen.has(pk)) continue;
      seen.add(pk);
      const where = { messageId, bucket: object.bucket, key: object.key };
      const claim = await ledger.claim(object).catch((error: unknown) => {
        logger.error('log file not claimed: the message is retried, nothing of it published', {
          ...where,
          ...describe(error),
        });
        throw error;
      });
      if (claim.kind === 'counted') {
        logger.info('log file already counted: skipped', where);
        metrics.addMetric('LogFilesAlreadyCounted', MetricUnit.Count, 1);
      } else if (claim.kind === 'busy') {
        logger.warn('log file being counted by another attempt: the message is retried', {
          ...where,
          claimedAt: new Date(claim.claimedAt).toISOString(),
        });
        throw new LogFileBusy(`log file ${pk} is claimed by another attempt`);
      } else {
        if (claim.takenOver)
          logger.warn('log file claim of an attempt that died taken over: counted now', where);
        held.push(claim);
        todo.push({ object, claim });
      }
    }
    return todo;
  }

  async function releaseAll(held: readonly HeldClaim[]): Promise<void> {
    for (const claim of held)
      await ledger?.release(claim).catch((error: unknown) =>
        logger.warn('log file claim not released: its retry waits for the lease', {
          pk: claim.pk,
          ...describe(error),
        }),
      );
  }

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let objects: ReturnType<typeof parseLogMessage>;
    try {
      objects = parseLogMessage(record.body);
    } catch (error) {
      logger.error('message rejected', { messageId: record.messageId, ...describe(error) });
      throw error;
    }
    const held: HeldClaim[] = [];
    const outcomes: Array<{ outcome: LogOutcome; claim?: HeldClaim | undefined }> = [];
    try {
      for (const { object, claim } of await claimAll(record.messageId, objects, held)) {
        try {
          outcomes.push({ outcome: await processLogObject(core, object), claim });
        } catch (error) {
          logger.error('log file not read: the message is retried, nothing of it published', {
            messageId: record.messageId,
            bucket: object.bucket,
            key: object.key,
            ...describe(error),
          });
          throw error;
        }
      }
    } catch (error) {
      await releaseAll(held);
      throw error;
    }
    for (const { outcome, claim } of outcomes) {
      if (outcome.status === 'counted') emit(outcome.emf);
      report(outcome);
      observer?.(outcome);
      if (!ledger || !claim) continue;
      // Printed: from here a failure must not retry the message (that would count it again).
      const marked = await ledger.markCounted(claim, outcome.status).catch((error: unknown) => {
        logger.error(
          'log file counted but not marked: a redelivery after the lease counts it again',
          {
            pk: claim.pk,
            ...describe(error),
          },
        );
        return true;
      });
      if (!marked)
        logger.error('log file counted after its claim was taken over: it may be counted twice', {
          pk: claim.pk,
        });
    }
  };

  return (event, context) =>
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
      // In turn: a file announced by two messages of the batch meets its own `counted` claim.
      processInParallel: false,
    });
}

/** The Lambda entry point (`functions/logs/handler.handler`). */
export const handler: Handler<SQSEvent, SQSBatchResponse> = lambdaHandler(() =>
  createLogsHandler({
    clients: lazyClients({ s3: s3Client, cloudfront: cloudfrontClient, dynamodb: dynamodbClient }),
    config: loadLogsConfig(),
  }),
);
