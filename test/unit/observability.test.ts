import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaHandler, logger, metrics, MetricUnit } from '../../shared/observability.js';

const context = {
  functionName: 'cdn-pipeline-dev-ingest',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
} as Context;

afterEach(() => vi.restoreAllMocks());

describe('lambdaHandler', () => {
  it('builds the bare handler once, at the first invocation, and passes event and context', async () => {
    const bare = vi.fn(async (event: { n: number }) => event.n * 2);
    const build = vi.fn(() => bare);
    const handler = lambdaHandler(build);
    expect(build).not.toHaveBeenCalled();
    expect(await handler({ n: 1 }, context)).toBe(2);
    expect(await handler({ n: 2 }, context)).toBe(4);
    expect(build).toHaveBeenCalledTimes(1);
    expect(bare).toHaveBeenLastCalledWith({ n: 2 }, context);
  });

  it('adds the Lambda context to the logger', async () => {
    const addContext = vi.spyOn(logger, 'addContext');
    await lambdaHandler(() => async () => 'ok')({}, context);
    expect(addContext).toHaveBeenCalledWith(context);
  });

  it('flushes stored metrics after the handler, also when it throws', async () => {
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    const handler = lambdaHandler(() => async () => {
      metrics.addMetric('Tested', MetricUnit.Count, 1);
      throw new Error('boom');
    });
    await expect(handler({}, context)).rejects.toThrow('boom');
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('fails the invocation when building fails (a bad variable), and tries again next time', async () => {
    let attempt = 0;
    const handler = lambdaHandler(() => {
      attempt += 1;
      if (attempt === 1) throw new Error('INVALIDATION_QUEUE_URL: is required (not set)');
      return async () => 'built';
    });
    await expect(handler({})).rejects.toThrow(/INVALIDATION_QUEUE_URL/);
    expect(await handler({})).toBe('built');
  });
});
