/**
 * LOCAL ONLY. Where the local edge delivers a distribution's standard logs: what EnsureLogging
 * wrote to the emulator's CloudWatch Logs (functions/provision/ensureLogging.ts) — the delivery
 * from the distribution's source to a destination, the destination's S3 bucket, the delivery's
 * suffix path (`{DistributionId}/{yyyy}/{MM}/{dd}/{HH}`) — read back as CloudWatch Logs' delivery
 * service reads it on AWS. A distribution without a delivery (its spec did not ask) has none:
 * the edge then writes its logs where it always does (its Logging bucket, else its own).
 */
import {
  GetDeliveryDestinationCommand,
  paginateDescribeDeliveries,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { deliverySourceName } from '../functions/provision/ensureLogging.js';

export interface LogDeliveryTarget {
  readonly bucket: string;
  /** The key prefix, with the suffix path's variables left for the edge to fill per file. */
  readonly prefix: string;
}

export async function standardLogDelivery(
  logs: CloudWatchLogsClient,
  distributionId: string,
): Promise<LogDeliveryTarget | undefined> {
  const source = deliverySourceName(distributionId);
  for await (const page of paginateDescribeDeliveries({ client: logs }, {})) {
    for (const delivery of page.deliveries ?? []) {
      if (delivery.deliverySourceName !== source || !delivery.deliveryDestinationArn) continue;
      const name = delivery.deliveryDestinationArn.split(':delivery-destination:')[1];
      if (!name) continue;
      const { deliveryDestination } = await logs.send(new GetDeliveryDestinationCommand({ name }));
      const arn = deliveryDestination?.deliveryDestinationConfiguration?.destinationResourceArn;
      const s3 = /^arn:[^:]+:s3:::([^/]+)(?:\/(.*))?$/.exec(arn ?? '');
      if (!s3) continue;
      const base = s3[2] ? `${s3[2].replace(/\/$/, '')}/` : '';
      const suffix = delivery.s3DeliveryConfiguration?.suffixPath?.replace(/^\/|\/$/g, '');
      return { bucket: s3[1]!, prefix: `${base}${suffix ? `${suffix}/` : ''}` };
    }
  }
  return undefined;
}
