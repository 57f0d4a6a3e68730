import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { retryLater } from './retryLater.js';
import type { AwsClients } from '../../shared/clients.js';
import { cloudfrontClient } from '../../shared/clients/cloudfront.js';
import { dynamodbClient } from '../../shared/clients/dynamodb.js';
import { lazyClients } from '../../shared/clients/lazy.js';
import { s3Client } from '../../shared/clients/s3.js';
import { sqsClient } from '../../shared/clients/sqs.js';
import { loadInvalidateConfig, type InvalidateConfig } from './config.js';
import { budgetFor } from './budget.js';
import { cachedOriginFinder } from '../../shared/distributions.js';
import {
  lambdaHandler,
  logger,
  metrics,
  MetricUnit,
  type Handler,
} from '../../shared/observability.js';
import { invalidateBatch, type ParsedRequest } from './invalidate.js';
import { parseRequestBody } from './parseRequest.js';
import type { InvalidateObserver, InvalidateReport, InvalidationOutcome } from './types.js';

export interface InvalidateDeps {
  /** `sqs`: to bring held and quota-deferred messages back early; absent: at the visibility timeout. */
  readonly clients: Pick<AwsClients, 's3' | 'cloudfront'> &
    Partial<Pick<AwsClients, 'dynamodb' | 'sqs'>>;
  readonly config: InvalidateConfig;
}

export type SqsHandler = Handler<SQSEvent, SQSBatchResponse>;

/**
 * Builds the bare invalidate handler (the Lambda entry point below wraps it; the local runner and
 * the tests call it as it is). Unlike ingest, the unit of work is the whole batch (paths are
 * deduplicated and collapsed across messages), so failures are mapped back to the messages that
 * need them: a message succeeds only when every distribution serving its key accepted an
 * invalidation covering it.
 */
export function createInvalidateHandler(
  deps: InvalidateDeps,
  observer?: InvalidateObserver,
): SqsHandler {
  const findOrigins = cachedOriginFinder(deps.clients.cloudfront, {
    ids: deps.config.distributionIds,
    ttlMs: deps.config.discoveryCacheMs,
  });
  const budget = budgetFor(deps.config, deps.clients.dynamodb, 'invalidate');

  return async (event) => {
    const rejected: Array<{ messageId: string; error: string; field?: string }> = [];
    const parsed: ParsedRequest[] = [];
    for (const record of event.Records) {
      const { request, error, field } = parseRequestBody(record.body);
      const receives = Number(record.attributes?.ApproximateReceiveCount);
      if (request)
        parsed.push({
          id: record.messageId,
          request,
          ...(Number.isFinite(receives) && receives > 0 ? { receiveCount: receives } : {}),
        });
      else {
        rejected.push({ messageId: record.messageId, error: error!, ...(field ? { field } : {}) });
        logger.error('invalidation request rejected', {
          messageId: record.messageId,
          field,
          error,
        });
      }
    }

    const result = await invalidateBatch(
      {
        cloudfront: deps.clients.cloudfront,
        s3: deps.clients.s3,
        config: deps.config,
        findOrigins,
        ...(budget ? { budget } : {}),
      },
      parsed,
    );
    const invalidations: InvalidationOutcome[] = [];
    for (const d of result.distributions) {
      for (const invalidation of d.invalidations) {
        invalidations.push(invalidation);
        logger.info('invalidation created', {
          distributionId: d.distributionId,
          invalidationId: invalidation.invalidationId,
          callerReference: invalidation.callerReference,
          paths: invalidation.paths.length,
          wildcards: invalidation.wildcards,
          requests: invalidation.requests,
          collapsed: d.plan?.collapsed.length ?? 0,
          inFlightFiles: d.inFlight?.files,
          inFlightWildcards: d.inFlight?.wildcards,
        });
        metrics.addMetric('InvalidationCalls', MetricUnit.Count, 1);
      }
      if (d.invalidations.length) {
        const sum = (f: (i: InvalidationOutcome) => number) =>
          d.invalidations.reduce((n, i) => n + f(i), 0);
        metrics.addMetric(
          'PathsBilled',
          MetricUnit.Count,
          sum((i) => i.paths.length),
        );
        metrics.addMetric(
          'WildcardsUsed',
          MetricUnit.Count,
          sum((i) => i.wildcards),
        );
      }
      metrics.addMetric('PathsRequested', MetricUnit.Count, d.requested);
      if (d.covered) {
        metrics.addMetric('RequestsAlreadyCovered', MetricUnit.Count, d.covered);
        logger.info('invalidation requests already covered', {
          distributionId: d.distributionId,
          requests: d.covered,
        });
      }
      if (d.throttled) metrics.addMetric('Throttles', MetricUnit.Count, 1);
      if (d.deferred.length) {
        logger.warn('invalidation requests deferred', {
          distributionId: d.distributionId,
          deferred: d.deferred.length,
          reason: d.deferred[0]!.reason,
        });
        for (const r of new Set(d.deferred.map((x) => x.reason)))
          if (r.startsWith('CloudFront rejected path') || r.includes('which CloudFront rejected'))
            logger.error('invalidation path rejected', {
              distributionId: d.distributionId,
              error: r,
            });
      }
    }
    if (result.deferred.size)
      metrics.addMetric('RequestsDeferred', MetricUnit.Count, result.deferred.size);
    const held = result.distributions.reduce((n, d) => n + (d.held ?? 0), 0);
    if (held) metrics.addMetric('RequestsHeld', MetricUnit.Count, held);
    if (deps.clients.sqs && result.retryAfter.size)
      await retryLater(deps.clients.sqs, event.Records, result.retryAfter, (error) =>
        logger.warn('could not bring deferred requests back early', { error }),
      );
    if (result.unserved) logger.info('keys served by no distribution', { count: result.unserved });
    for (const s of result.supersets)
      logger.info('key invalidated with a bounded wildcard', {
        bucketKey: s.key,
        distributionId: s.distributionId,
        path: s.path,
        reason: s.reason,
      });

    const report: InvalidateReport = {
      invalidations,
      deferred: [...result.deferred].map(([messageId, reason]) => ({ messageId, reason })),
      rejected,
      unserved: result.unserved,
    };
    observer?.(report);
    return {
      batchItemFailures: [...rejected.map((r) => r.messageId), ...result.deferred.keys()].map(
        (itemIdentifier) => ({
          itemIdentifier,
        }),
      ),
    };
  };
}

/** The Lambda entry point (`functions/invalidate/handler.handler`). */
export const handler: SqsHandler = lambdaHandler(() =>
  createInvalidateHandler({
    clients: lazyClients({
      s3: s3Client,
      cloudfront: cloudfrontClient,
      dynamodb: dynamodbClient,
      sqs: sqsClient,
    }),
    config: loadInvalidateConfig(),
  }),
);
