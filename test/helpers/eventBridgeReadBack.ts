/**
 * TEST-ONLY gap filler for the emulator (moto 5.2.1): PutBucketNotificationConfiguration stores
 * `EventBridgeConfiguration`, but GetBucketNotificationConfiguration leaves it out of its answer
 * (AWS returns `EventBridgeConfiguration: {}` when delivery is on). moto does report it per bucket
 * through its AWS Config view of the bucket (BatchGetResourceConfig, supplementary
 * `BucketNotificationConfiguration`): `storedEventBridge` reads it there, and
 * `withEventBridgeReadBack` adds it back to the S3 answer, so the code under test reads what AWS
 * would return.
 */
import type { S3Client } from '@aws-sdk/client-s3';

interface ConfigItem {
  readonly resourceId: string;
  readonly supplementaryConfiguration?: { readonly BucketNotificationConfiguration?: string };
}

/** Does moto hold EventBridge delivery on for this bucket? */
export async function storedEventBridge(endpoint: string, bucket: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'StarlingDoveService.BatchGetResourceConfig',
      // moto routes by the credential scope's service and does not check the signature.
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/config/aws4_request, ' +
        'SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({
      resourceKeys: [{ resourceType: 'AWS::S3::Bucket', resourceId: bucket }],
    }),
  });
  if (!response.ok) throw new Error(`moto config view: HTTP ${response.status}`);
  const { baseConfigurationItems = [] } = (await response.json()) as {
    baseConfigurationItems?: ConfigItem[];
  };
  const item = baseConfigurationItems.find((i) => i.resourceId === bucket);
  if (!item) throw new Error(`moto config view: no bucket ${bucket}`);
  const notifications = JSON.parse(
    item.supplementaryConfiguration?.BucketNotificationConfiguration ?? '{}',
  ) as { configurations?: Record<string, unknown> };
  return notifications.configurations?.EventBridgeConfiguration !== undefined;
}

/** Adds the read-back to a client (its own: the middleware stays on it). */
export function withEventBridgeReadBack(s3: S3Client, endpoint: string): S3Client {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'GetBucketNotificationConfigurationCommand') {
        const bucket = (args.input as { Bucket: string }).Bucket;
        const output = result.output as { EventBridgeConfiguration?: object };
        if (!output.EventBridgeConfiguration && (await storedEventBridge(endpoint, bucket)))
          output.EventBridgeConfiguration = {};
      }
      return result;
    },
    { step: 'initialize', name: 'motoEventBridgeReadBack' },
  );
  return s3;
}
