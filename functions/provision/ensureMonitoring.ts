/**
 * Ensure the distribution's additional-metrics monitoring subscription (CacheHitRate, OriginLatency,
 * error rates) when the spec asks for it. When it does not, an existing subscription is left as it
 * is and reported: turning metrics off is a billing decision this workflow does not take.
 */
import {
  CreateMonitoringSubscriptionCommand,
  DeleteMonitoringSubscriptionCommand,
  GetMonitoringSubscriptionCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { awsErrorName } from './errors.js';
import type { MonitoringInput, MonitoringResult } from './types.js';

/** 'Enabled', 'Disabled', or undefined when the distribution has no subscription. */
export async function monitoringStatus(
  cloudfront: CloudFrontClient,
  distributionId: string,
): Promise<string | undefined> {
  try {
    const out = await cloudfront.send(
      new GetMonitoringSubscriptionCommand({ DistributionId: distributionId }),
    );
    return (
      out.MonitoringSubscription?.RealtimeMetricsSubscriptionConfig
        ?.RealtimeMetricsSubscriptionStatus ?? 'Disabled'
    );
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchMonitoringSubscription') return undefined;
    throw error;
  }
}

export async function ensureMonitoring(
  deps: { cloudfront: CloudFrontClient },
  input: MonitoringInput,
): Promise<MonitoringResult> {
  const status = await monitoringStatus(deps.cloudfront, input.distributionId);
  if (!input.enabled || status === 'Enabled') {
    return { enabled: status === 'Enabled', changed: false };
  }
  if (status !== undefined) {
    // A disabled subscription exists; CloudFront will not create a second one.
    await deps.cloudfront.send(
      new DeleteMonitoringSubscriptionCommand({ DistributionId: input.distributionId }),
    );
  }
  await deps.cloudfront.send(
    new CreateMonitoringSubscriptionCommand({
      DistributionId: input.distributionId,
      MonitoringSubscription: {
        RealtimeMetricsSubscriptionConfig: { RealtimeMetricsSubscriptionStatus: 'Enabled' },
      },
    }),
  );
  return { enabled: true, changed: true };
}
