import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { ClientFactory } from './settings.js';

/** CloudFront is global: always us-east-1. */
export const cloudfrontClient: ClientFactory<CloudFrontClient> = ({
  common,
  cloudfrontMaxAttempts,
}) => new CloudFrontClient({ ...common, region: 'us-east-1', maxAttempts: cloudfrontMaxAttempts });
