import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ClientFactory } from './settings.js';

/**
 * CloudWatch Logs' delivery API (standard logging v2 of CloudFront): CloudFront's log deliveries
 * are configured in us-east-1, as CloudFront itself.
 */
export const cloudwatchLogsClient: ClientFactory<CloudWatchLogsClient> = ({ common }) =>
  new CloudWatchLogsClient({ ...common, region: 'us-east-1' });
