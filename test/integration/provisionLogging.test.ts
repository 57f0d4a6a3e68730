/**
 * The ensureLogging provisioning task against the emulator's CloudWatch Logs delivery API:
 * source (the distribution's ARN as CloudFront returned it, ACCESS_LOGS), destination (the log
 * bucket, W3C), the delivery with the fields the logs function counts — and a re-run that
 * changes nothing and creates no second delivery.
 */
import {
  DescribeDeliveriesCommand,
  GetDeliveryDestinationCommand,
  GetDeliverySourceCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLoggingTask } from '../../functions/provision/tasks/ensureLogging.js';
import { LOG_RECORD_FIELDS } from '../../functions/provision/ensureLogging.js';
import { cloudwatchLogsClient } from '../../shared/clients/cloudwatchLogs.js';
import { clientSettings } from '../../shared/clients/settings.js';
import { REQUIRED_FIELDS } from '../../shared/cloudfrontLog.js';
import { createTaggedDistribution } from '../helpers/distributions.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let logs: CloudWatchLogsClient;
let distributionId: string;
let distributionArn: string;
const BUCKET = 'cdn-pipeline-test-logs-123456789012-us-east-1';

beforeAll(async () => {
  emu = await startTestEmulator();
  logs = cloudwatchLogsClient(
    clientSettings({ endpoint: emu.endpoint, credentials: { ...TEST_CREDENTIALS } }),
  );
  distributionId = await createTaggedDistribution(emu.clients.cloudfront, 'logged', {
    'cdn-pipeline:managed': 'true',
  });
  distributionArn = (
    await emu.clients.cloudfront.send(new GetDistributionCommand({ Id: distributionId }))
  ).Distribution!.ARN!;
}, 60_000);
afterAll(() => emu?.stop());

const task = (logBucket: string | undefined) => ensureLoggingTask({ logs }, () => ({ logBucket }));

describe('ensureLogging', () => {
  it('calls nothing when the spec does not ask', async () => {
    const calls: string[] = [];
    const watched = cloudwatchLogsClient(
      clientSettings({ endpoint: emu.endpoint, credentials: { ...TEST_CREDENTIALS } }),
    );
    watched.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(context.commandName as string);
        return next(args);
      },
      { step: 'initialize', name: 'recordCalls' },
    );
    const off = ensureLoggingTask({ logs: watched }, () => ({ logBucket: BUCKET }));
    expect(await off({ distributionId, distributionArn, enabled: false })).toEqual({
      enabled: false,
      changed: false,
    });
    expect(calls).toEqual([]);
  });

  it('creates source, destination and delivery, then changes nothing on a re-run', async () => {
    const first = await task(BUCKET)({ distributionId, distributionArn, enabled: true });
    expect(first).toEqual({
      enabled: true,
      changed: true,
      deliverySource: `cdn-pipeline-${distributionId}`,
      destination: `s3://${BUCKET}/`,
    });
    const source = await logs.send(new GetDeliverySourceCommand({ name: first.deliverySource! }));
    expect(source.deliverySource).toMatchObject({
      resourceArns: [distributionArn],
      logType: 'ACCESS_LOGS',
    });
    const deliveries = (await logs.send(new DescribeDeliveriesCommand({}))).deliveries!;
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery).toMatchObject({
      deliverySourceName: first.deliverySource,
      fieldDelimiter: '\t',
      recordFields: [...LOG_RECORD_FIELDS],
      s3DeliveryConfiguration: { suffixPath: '{DistributionId}/{yyyy}/{MM}/{dd}/{HH}' },
    });
    // Every field a count needs is delivered, and the distribution on each line.
    for (const f of [...REQUIRED_FIELDS, 'DistributionId', 'sc-bytes', 'date', 'time'])
      expect(delivery!.recordFields).toContain(f);
    const destination = await logs.send(
      new GetDeliveryDestinationCommand({
        name: delivery!.deliveryDestinationArn!.split(':').at(-1)!,
      }),
    );
    expect(destination.deliveryDestination).toMatchObject({
      outputFormat: 'w3c',
      deliveryDestinationConfiguration: { destinationResourceArn: `arn:aws:s3:::${BUCKET}` },
    });

    const again = await task(BUCKET)({ distributionId, distributionArn, enabled: true });
    expect(again).toEqual({ ...first, changed: false });
    expect((await logs.send(new DescribeDeliveriesCommand({}))).deliveries).toHaveLength(1);
    // Not asked any more: nothing is called, the delivery is kept.
    expect(await task(BUCKET)({ distributionId, distributionArn, enabled: false })).toEqual({
      enabled: false,
      changed: false,
    });
    expect((await logs.send(new DescribeDeliveriesCommand({}))).deliveries).toHaveLength(1);
  });

  it('refuses, naming the field, when the stack has no log bucket', async () => {
    await expect(
      task(undefined)({ distributionId, distributionArn, enabled: true }),
    ).rejects.toMatchObject({ name: 'InvalidSpec', field: 'standardLogging' });
  });

  it('refuses input the state machine should never pass, naming the field', async () => {
    await expect(task(BUCKET)({ distributionId, enabled: true })).rejects.toMatchObject({
      name: 'InvalidTaskInput',
      field: 'ensureLogging.distributionArn',
    });
  });
});
