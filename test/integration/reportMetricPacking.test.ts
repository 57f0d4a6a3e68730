/**
 * The report's queries packed across distributions, against the emulator's CloudWatch: series
 * seeded with PutMetricData (each with values of its own), read back with calls that mix
 * distributions, every series mapped back to its distribution and metric. The emulator ignores
 * the datapoint limit, so the packing is driven here by a smaller one passed in; the bound at
 * the API's own limits is counted in test/unit/report/metricCalls.test.ts.
 */
import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOUDFRONT_METRIC_NAMES,
  fetchDistributionMetrics,
  lastWindow,
  metricDataCallBound,
  periodsIn,
  type MetricWindow,
} from '../../functions/report/metrics.js';
import { createClients } from '../../shared/clients.js';
import {
  startTestEmulator,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestEmulator,
} from '../helpers/emulator.js';

const MIN = 60_000;
const DISTRIBUTIONS = Array.from({ length: 12 }, (_, i) => `EPACK${String(i).padStart(2, '0')}`);
const MINUTES = 4;

let emu: TestEmulator;
let window: MetricWindow;

/**
 * A value only this distribution, metric and minute have; under 100, as the rates must be (the
 * report refuses a percentage above 100).
 */
const valueOf = (d: number, m: number, minute: number) => (d * 100 + m * 10 + minute + 1) / 100;
const minuteAt = (i: number) => window.start.getTime() + (20 + i) * MIN;

beforeAll(async () => {
  emu = await startTestEmulator();
  window = lastWindow(new Date(), 1);
  const datums: MetricDatum[] = DISTRIBUTIONS.flatMap((id, d) =>
    CLOUDFRONT_METRIC_NAMES.flatMap((metric, m) =>
      Array.from({ length: MINUTES }, (_, i) => ({
        MetricName: metric,
        Dimensions: [
          { Name: 'DistributionId', Value: id },
          { Name: 'Region', Value: 'Global' },
        ],
        Timestamp: new Date(minuteAt(i)),
        Value: valueOf(d, m, i),
        Unit: 'None' as const,
      })),
    ),
  );
  for (let i = 0; i < datums.length; i += 500)
    await emu.clients.cloudwatchGlobal.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/CloudFront',
        MetricData: datums.slice(i, i + 500),
      }),
    );
}, 60_000);
afterAll(() => emu?.stop());

describe('fetchDistributionMetrics, queries packed across distributions (emulator)', () => {
  it('maps every series of calls that mix distributions back to its own', async () => {
    const clients = createClients({
      endpoint: emu.endpoint,
      credentials: { ...TEST_CREDENTIALS },
      region: TEST_REGION,
    });
    const calls: number[] = [];
    clients.cloudwatchGlobal.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetMetricDataCommand')
          calls.push((args.input as { MetricDataQueries: unknown[] }).MetricDataQueries.length);
        return next(args);
      },
      { step: 'initialize', name: 'testCountCalls' },
    );
    // Ten 60-minute series a call: 84 series in 9 calls, most mixing two distributions.
    const limits = { maxQueries: 500, maxDatapoints: 10 * periodsIn(window) };
    const fetched = await fetchDistributionMetrics(
      clients.cloudwatchGlobal,
      DISTRIBUTIONS,
      window,
      limits,
    );
    expect(calls).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 4]);
    expect(calls).toHaveLength(metricDataCallBound(84, periodsIn(window), limits));
    DISTRIBUTIONS.forEach((id, d) => {
      CLOUDFRONT_METRIC_NAMES.forEach((metric, m) => {
        expect(fetched.get(id)![metric], `${id} ${metric}`).toEqual(
          Array.from({ length: MINUTES }, (_, i) => ({ t: minuteAt(i), v: valueOf(d, m, i) })),
        );
      });
    });
  });

  it('reads the same series in one call at the API limits', async () => {
    const calls: number[] = [];
    const clients = createClients({
      endpoint: emu.endpoint,
      credentials: { ...TEST_CREDENTIALS },
      region: TEST_REGION,
    });
    clients.cloudwatchGlobal.middlewareStack.add(
      (next) => async (args) => {
        calls.push(1);
        return next(args);
      },
      { step: 'initialize', name: 'testCountCalls' },
    );
    const fetched = await fetchDistributionMetrics(clients.cloudwatchGlobal, DISTRIBUTIONS, window);
    expect(calls).toHaveLength(1);
    expect(fetched.get(DISTRIBUTIONS[11]!)!.OriginLatency.map((p) => p.v)).toEqual(
      Array.from({ length: MINUTES }, (_, i) => valueOf(11, 6, i)),
    );
  });
});
