import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ClientFactory } from './settings.js';

/** The stack's own metrics (EMF from the functions), in the stack's region. */
export const cloudwatchClient: ClientFactory<CloudWatchClient> = ({ common, region, endpoint }) =>
  new CloudWatchClient({
    ...common,
    region,
    // The emulator rejects gzip bodies over ~10 KB; compression only matters on AWS.
    disableRequestCompression: Boolean(endpoint),
  });

/** CloudFront metrics live in us-east-1, whatever the stack's region. */
export const cloudwatchGlobalClient: ClientFactory<CloudWatchClient> = (settings) =>
  cloudwatchClient({ ...settings, region: 'us-east-1' });
