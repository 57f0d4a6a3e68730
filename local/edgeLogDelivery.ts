/**
 * LOCAL ONLY. Where the local edge delivers each distribution's standard logs: what EnsureLogging
 * wrote to the emulator's CloudWatch Logs (functions/provision/ensureLogging.ts) — a delivery
 * from the distribution's source (`cdn-pipeline-<id>`) to a destination, the destination's S3
 * bucket, the delivery's suffix path (`{DistributionId}/{yyyy}/{MM}/{dd}/{HH}`) — read back as
 * CloudWatch Logs' delivery service reads it on AWS, and re-read every few seconds (a later
 * provisioning run that turns logging on is seen). A distribution without a delivery (its spec
 * did not ask) has none: the edge writes its logs where it always does (its Logging bucket, else
 * its own), and nothing counts them per class.
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

const SOURCE_PREFIX = deliverySourceName('');

/** Every delivery to S3 of a distribution's source, by distribution id. */
export async function standardLogDeliveries(
  logs: CloudWatchLogsClient,
): Promise<Map<string, LogDeliveryTarget>> {
  const out = new Map<string, LogDeliveryTarget>();
  const destinations = new Map<string, string | undefined>();
  for await (const page of paginateDescribeDeliveries({ client: logs }, {})) {
    for (const delivery of page.deliveries ?? []) {
      const source = delivery.deliverySourceName ?? '';
      const id = source.startsWith(SOURCE_PREFIX) ? source.slice(SOURCE_PREFIX.length) : '';
      const name = delivery.deliveryDestinationArn?.split(':delivery-destination:')[1];
      if (!id || !name || out.has(id)) continue;
      if (!destinations.has(name)) {
        const { deliveryDestination } = await logs.send(
          new GetDeliveryDestinationCommand({ name }),
        );
        destinations.set(
          name,
          deliveryDestination?.deliveryDestinationConfiguration?.destinationResourceArn,
        );
      }
      const s3 = /^arn:[^:]+:s3:::([^/]+)(?:\/(.*))?$/.exec(destinations.get(name) ?? '');
      if (!s3) continue;
      const base = s3[2] ? `${s3[2].replace(/\/$/, '')}/` : '';
      const suffix = delivery.s3DeliveryConfiguration?.suffixPath?.replace(/^\/|\/$/g, '');
      out.set(id, { bucket: s3[1]!, prefix: `${base}${suffix ? `${suffix}/` : ''}` });
    }
  }
  return out;
}

export interface LogDeliveryWatch {
  get(distributionId: string): LogDeliveryTarget | undefined;
  stop(): void;
}

/** The deliveries, read now and every `everyMs`; a failed read keeps the last ones, one line. */
export async function watchStandardLogDeliveries(
  logs: CloudWatchLogsClient,
  options: { readonly everyMs?: number; readonly onError: (line: string) => void },
): Promise<LogDeliveryWatch> {
  let current = new Map<string, LogDeliveryTarget>();
  let lastFailure = '';
  const read = async () => {
    try {
      current = await standardLogDeliveries(logs);
      lastFailure = '';
    } catch (error) {
      const line = `${(error as Error).name}: ${(error as Error).message}`;
      if (line !== lastFailure)
        options.onError(`edge: reading standard logging deliveries failed: ${line}`);
      lastFailure = line;
    }
  };
  await read();
  const timer = setInterval(() => void read(), options.everyMs ?? 5_000);
  timer.unref();
  return { get: (id) => current.get(id), stop: () => clearInterval(timer) };
}
