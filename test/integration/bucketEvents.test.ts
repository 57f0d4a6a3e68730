/**
 * The bucketEvents custom resource's core against the emulator: S3's EventBridge delivery is
 * turned on for a bucket the team already has, and off again only if this resource turned it on;
 * the team's own queue, topic and Lambda notifications survive Create, Update and Delete exactly
 * as they were, and re-runs change nothing.
 */
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type NotificationConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  applyDelivery,
  BucketUnreachableError,
  NotificationOwnedByAnotherStackError,
  STACK_ID_TAG,
  type DeliveryRequest,
} from '../../functions/bucketEvents/eventBridgeDelivery.js';
import { createClients } from '../../shared/clients.js';
import { storedEventBridge, withEventBridgeReadBack } from '../helpers/eventBridgeReadBack.js';
import {
  startTestEmulator,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestEmulator,
} from '../helpers/emulator.js';

const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/cdn-pipeline-prod/0a1b2c3d-1111-2222-3333-444455556666';
const BUCKET = 'charts.local-prod';

let emu: TestEmulator;
let s3: S3Client;
let teamConfig: NotificationConfiguration;

beforeAll(async () => {
  emu = await startTestEmulator();
  s3 = withEventBridgeReadBack(
    createClients({
      endpoint: emu.endpoint,
      credentials: { ...TEST_CREDENTIALS },
      region: TEST_REGION,
    }).s3,
    emu.endpoint,
  );
});
afterAll(() => emu.stop());

/** A fresh emulator state: the team's bucket with a queue, a topic and a Lambda notification. */
beforeEach(async () => {
  await fetch(`${emu.endpoint}/moto-api/reset`, { method: 'POST' });
  const { sqs, sns } = emu.clients;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'charts-thumbnails' }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const topic = await sns.send(new CreateTopicCommand({ Name: 'charts-audit' }));
  teamConfig = {
    QueueConfigurations: [
      {
        Id: 'thumbnails',
        QueueArn: Attributes!.QueueArn!,
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'charts/' }] } },
      },
    ],
    TopicConfigurations: [
      { Id: 'audit', TopicArn: topic.TopicArn!, Events: ['s3:ObjectRemoved:*'] },
    ],
    LambdaFunctionConfigurations: [
      {
        Id: 'indexer',
        LambdaFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:charts-indexer',
        Events: ['s3:ObjectCreated:Put'],
        Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.png' }] } },
      },
    ],
  };
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      NotificationConfiguration: teamConfig,
    }),
  );
});

/** The bucket's configuration without the SDK metadata. */
async function configuration(): Promise<NotificationConfiguration> {
  const { $metadata: _m, ...config } = await s3.send(
    new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }),
  );
  return config;
}
/** The team's entries only (what must never change). */
const teamEntries = ({ EventBridgeConfiguration: _eb, ...rest }: NotificationConfiguration) => rest;

const request = (r: Partial<DeliveryRequest> & Pick<DeliveryRequest, 'requestType'>) =>
  applyDelivery({ s3 }, { bucket: BUCKET, stackId: STACK_ID, ...r });

describe('bucketEvents: EventBridge delivery on an existing bucket', () => {
  it('turns delivery on at Create, keeps every queue, topic and Lambda entry, and records "added"', async () => {
    const before = await configuration();
    expect(before.EventBridgeConfiguration).toBeUndefined();
    const outcome = await request({ requestType: 'Create' });
    expect(outcome).toEqual({
      physicalResourceId: `${BUCKET}|added`,
      bucket: BUCKET,
      record: 'added',
      change: 'enabled',
    });
    expect(await storedEventBridge(emu.endpoint, BUCKET)).toBe(true);
    const after = await configuration();
    expect(after.EventBridgeConfiguration).toEqual({});
    expect(teamEntries(after)).toEqual(teamEntries(before));
    expect(teamEntries(after)).toEqual(teamConfig);
  });

  it('is idempotent: an Update re-run changes nothing and keeps the "added" record', async () => {
    const created = await request({ requestType: 'Create' });
    const once = await configuration();
    for (let run = 0; run < 2; run++) {
      const updated = await request({
        requestType: 'Update',
        physicalResourceId: created.physicalResourceId,
      });
      expect(updated).toEqual({ ...created, change: 'none' });
    }
    expect(await configuration()).toEqual(once);
  });

  it('turns delivery back on at Update when someone turned it off, keeping the team entries', async () => {
    const created = await request({ requestType: 'Create' });
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: teamConfig,
      }),
    );
    expect(await storedEventBridge(emu.endpoint, BUCKET)).toBe(false);
    const updated = await request({
      requestType: 'Update',
      physicalResourceId: created.physicalResourceId,
    });
    expect(updated.change).toBe('enabled');
    expect(updated.physicalResourceId).toBe(`${BUCKET}|added`);
    expect(teamEntries(await configuration())).toEqual(teamConfig);
    expect(await storedEventBridge(emu.endpoint, BUCKET)).toBe(true);
  });

  it('turns delivery off at Delete when it added it, and leaves the team entries as they were', async () => {
    const created = await request({ requestType: 'Create' });
    const deleted = await request({
      requestType: 'Delete',
      physicalResourceId: created.physicalResourceId,
    });
    expect(deleted.change).toBe('disabled');
    expect(await storedEventBridge(emu.endpoint, BUCKET)).toBe(false);
    expect(await configuration()).toEqual(teamConfig);
    // A repeated Delete (CloudFormation retries) has nothing left to do.
    const again = await request({
      requestType: 'Delete',
      physicalResourceId: created.physicalResourceId,
    });
    expect(again.change).toBe('none');
    expect(await configuration()).toEqual(teamConfig);
  });

  it('records "present" when delivery was already on, and leaves it on at Delete', async () => {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: { ...teamConfig, EventBridgeConfiguration: {} },
      }),
    );
    const created = await request({ requestType: 'Create' });
    expect(created).toMatchObject({ record: 'present', change: 'none' });
    expect(created.physicalResourceId).toBe(`${BUCKET}|present`);
    const updated = await request({
      requestType: 'Update',
      physicalResourceId: created.physicalResourceId,
    });
    expect(updated).toEqual(created);
    const deleted = await request({
      requestType: 'Delete',
      physicalResourceId: created.physicalResourceId,
    });
    expect(deleted.change).toBe('none');
    expect(await storedEventBridge(emu.endpoint, BUCKET)).toBe(true);
    expect(teamEntries(await configuration())).toEqual(teamConfig);
  });

  it('undoes nothing at Delete for a Create that failed (no record in its id)', async () => {
    for (const physicalResourceId of [`${BUCKET}|none`, 'BucketEventsChartsProd', undefined]) {
      const deleted = await request({ requestType: 'Delete', physicalResourceId });
      expect(deleted.change).toBe('none');
    }
    expect(await configuration()).toEqual(teamConfig);
  });

  describe('a bucket another CloudFormation stack created', () => {
    const OWNER =
      'arn:aws:cloudformation:us-east-1:123456789012:stack/charts-app/9f8e7d6c-1111-2222-3333-444455556666';
    /**
     * TEST-ONLY gap filler: AWS tags a bucket its CloudFormation creates with
     * `aws:cloudformation:stack-id`; moto's CloudFormation does not, and moto (like AWS) refuses
     * `aws:` tags from a requester. So this client answers GetBucketTagging for the team's bucket
     * with the tags AWS would return; every other call (the notification reads and writes) is
     * moto's.
     */
    let client: S3Client;
    beforeAll(() => {
      client = withEventBridgeReadBack(
        createClients({
          endpoint: emu.endpoint,
          credentials: { ...TEST_CREDENTIALS },
          region: TEST_REGION,
        }).s3,
        emu.endpoint,
      );
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== 'GetBucketTaggingCommand') return next(args);
          return {
            response: {},
            output: {
              $metadata: {},
              TagSet: [
                { Key: 'aws:cloudformation:stack-name', Value: 'charts-app' },
                { Key: STACK_ID_TAG, Value: OWNER },
                { Key: 'aws:cloudformation:logical-id', Value: 'Output' },
              ],
            },
          };
        },
        { step: 'initialize', name: 'stackTags' },
      );
    });
    const create = () =>
      applyDelivery({ s3: client }, { requestType: 'Create', bucket: BUCKET, stackId: STACK_ID });

    it("refuses it (its notification configuration is that stack's), changing nothing", async () => {
      const refused = create();
      await expect(refused).rejects.toBeInstanceOf(NotificationOwnedByAnotherStackError);
      await expect(refused).rejects.toThrow(
        `bucket ${BUCKET} belongs to stack ${OWNER} (tag ${STACK_ID_TAG})`,
      );
      await expect(refused).rejects.toThrow('Turn EventBridge delivery on in that stack');
      expect(await storedEventBridge(emu.endpoint, BUCKET)).toBe(false);
      expect(await configuration()).toEqual(teamConfig);
    });

    it('accepts it when delivery is already on (nothing to change)', async () => {
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: BUCKET,
          NotificationConfiguration: { ...teamConfig, EventBridgeConfiguration: {} },
        }),
      );
      await expect(create()).resolves.toMatchObject({ record: 'present', change: 'none' });
      expect(teamEntries(await configuration())).toEqual(teamConfig);
    });
  });

  it('turns delivery on for a bucket with no notification configuration at all', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'renders-prod' }));
    const outcome = await applyDelivery(
      { s3 },
      { requestType: 'Create', bucket: 'renders-prod', stackId: STACK_ID },
    );
    expect(outcome.change).toBe('enabled');
    const { $metadata: _m, ...config } = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: 'renders-prod' }),
    );
    expect(teamEntries(config)).toEqual({});
  });

  it('undoes nothing at Delete when the bucket is gone since (nothing left to undo)', async () => {
    const deleted = await applyDelivery(
      { s3 },
      {
        requestType: 'Delete',
        bucket: 'renders-gone',
        stackId: STACK_ID,
        physicalResourceId: 'renders-gone|added',
      },
    );
    expect(deleted).toMatchObject({ bucket: 'renders-gone', change: 'none' });
  });

  it('fails clearly, naming the bucket, when it does not exist', async () => {
    const missing = applyDelivery(
      { s3 },
      { requestType: 'Create', bucket: 'renders-missing', stackId: STACK_ID },
    );
    await expect(missing).rejects.toBeInstanceOf(BucketUnreachableError);
    await expect(missing).rejects.toThrow(
      'bucket renders-missing: NoSuchBucket: it does not exist (check contentBuckets)',
    );
  });

  it('refuses a Bucket property that is not a bucket name, naming the field', async () => {
    await expect(
      applyDelivery({ s3 }, { requestType: 'Create', bucket: 'Not A Bucket', stackId: STACK_ID }),
    ).rejects.toThrow('ResourceProperties.Bucket: "Not A Bucket" is not a bucket name');
  });
});
