import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One logger and one metrics buffer per function instance (Powertools singletons). */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cdn-pipeline',
});

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CdnPipeline',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cdn-pipeline',
});

export { MetricUnit } from '@aws-lambda-powertools/metrics';
