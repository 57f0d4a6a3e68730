/**
 * One logger and one metrics buffer per function instance (Powertools singletons), and the one
 * way a Lambda entry point is made: `lambdaHandler(build)`. Their service name and namespace come
 * from the env schema (`./env.ts`), read once when this module loads.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ENV_SCHEMA, parseEnv } from './env.js';

const env = parseEnv(
  ENV_SCHEMA.pick({ POWERTOOLS_SERVICE_NAME: true, POWERTOOLS_METRICS_NAMESPACE: true }),
  process.env,
);

export const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME });

export const metrics = new Metrics({
  namespace: env.POWERTOOLS_METRICS_NAMESPACE,
  serviceName: env.POWERTOOLS_SERVICE_NAME,
});

export { MetricUnit } from '@aws-lambda-powertools/metrics';

/** A handler as Lambda calls it (the context is absent when a test or a local runner calls it). */
export type Handler<E, R> = (event: E, context?: Context) => Promise<R>;

/**
 * Wraps a bare handler into a Lambda entry point. `build` runs once, at the first invocation of
 * the instance (the cold start: clients created, config parsed and frozen; a bad variable fails
 * here with its name); every invocation then adds the Lambda context to the logger, runs the
 * bare handler and flushes the stored metrics as EMF, whatever happened. Tests, the CLI and local
 * runs call the bare handler (`createIngestHandler(deps)` …) without this wrapper.
 */
export function lambdaHandler<E, R>(build: () => Handler<E, R>): Handler<E, R> {
  let instance: Handler<E, R> | undefined;
  return async (event, context) => {
    if (context) logger.addContext(context);
    try {
      instance ??= build();
      return await instance(event, context);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
