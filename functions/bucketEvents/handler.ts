/**
 * The bucketEvents custom resource (`Custom::BucketEventBridgeDelivery`, one per existing content
 * bucket; resources/contentBuckets.cjs): turns S3's EventBridge delivery on for the bucket,
 * keeping its notification configuration, and off again on delete only if it turned it on
 * (eventBridgeDelivery.ts). Thin: read the event, call the core, answer CloudFormation — always,
 * SUCCESS or FAILED with the reason, so a stack never waits on a silent resource.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { lazyClients } from '../../shared/clients/lazy.js';
import { s3Client } from '../../shared/clients/s3.js';
import { lambdaHandler, logger, type Handler } from '../../shared/observability.js';
import { sendResponse, type CustomResourceResponse } from './cfnResponse.js';
import {
  applyDelivery,
  DELIVERY_RECORD,
  physicalResourceId,
  type DeliveryDeps,
} from './eventBridgeDelivery.js';

export interface BucketEventsHandlerDeps extends DeliveryDeps {
  readonly send?: typeof sendResponse;
  readonly log?: Pick<typeof logger, 'info' | 'error'>;
}

export function createBucketEventsHandler(
  deps: BucketEventsHandlerDeps,
): Handler<CloudFormationCustomResourceEvent, CustomResourceResponse> {
  const send = deps.send ?? sendResponse;
  const log = deps.log ?? logger;
  return async (event) => {
    const bucket = String(event.ResourceProperties?.Bucket ?? '');
    const given = event.RequestType === 'Create' ? undefined : event.PhysicalResourceId;
    const common = {
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    };
    let response: CustomResourceResponse;
    try {
      const outcome = await applyDelivery(deps, {
        requestType: event.RequestType,
        bucket,
        stackId: event.StackId,
        physicalResourceId: given,
      });
      log.info('bucket events', {
        requestType: event.RequestType,
        bucket: outcome.bucket,
        record: outcome.record,
        change: outcome.change,
      });
      response = {
        Status: 'SUCCESS',
        PhysicalResourceId: outcome.physicalResourceId,
        Data: { Bucket: outcome.bucket, Record: outcome.record, Change: outcome.change },
        ...common,
      };
    } catch (error) {
      const err = error as Error;
      log.error('bucket events failed', { requestType: event.RequestType, bucket, error: err });
      response = {
        Status: 'FAILED',
        Reason: `${err.name}: ${err.message}`,
        // A failed Create records nothing done, so the Delete that follows undoes nothing.
        PhysicalResourceId: given ?? physicalResourceId(bucket || 'unknown', DELIVERY_RECORD.none),
        ...common,
      };
    }
    try {
      await send(event.ResponseURL, response);
    } catch (error) {
      log.error('bucket events response not sent', { bucket, error: error as Error });
    }
    return response;
  };
}

/** Lambda entry point (`functions/bucketEvents/handler.handler`). */
export const handler: Handler<CloudFormationCustomResourceEvent, CustomResourceResponse> =
  lambdaHandler(() => createBucketEventsHandler({ s3: lazyClients({ s3: s3Client }).s3 }));
