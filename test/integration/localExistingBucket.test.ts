/**
 * `npm start -- --bucket NAME`'s parts on the emulator, without pollers: a team's bucket (dots in
 * its name) that already notifies a queue and a topic of its own and is served by an OAI
 * distribution. The bootstrap keeps its notifications and adds S3's EventBridge delivery with a
 * rule to the object-events queue (moto routes it, as AWS does); the events that arrive are
 * EventBridge's shape and the real ingest handler reads them; the distribution is adopted (OAI →
 * OAC); a restart changes nothing; and the bad inputs (no such bucket, several distributions)
 * are refused before anything is made.
 */
import {
  GetCloudFrontOriginAccessIdentityCommand,
  GetDistributionConfigCommand,
} from '@aws-sdk/client-cloudfront';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  GetBucketNotificationConfigurationCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ListQueuesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestOutcome } from '../../functions/ingest/types.js';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { existingBucketDistribution } from '../../local/bucketDistribution.js';
import { ExistingBucketError, localEventsClient } from '../../local/existingBucket.js';
import { buildPipelineHandlers } from '../../local/handlers.js';
import { installLocalCloudFrontShims } from '../../local/provision.js';
import type { StageDistribution } from '../../local/provision.js';
import { oacStatementFor, oaiStatementsFor, policyStatements } from '../../shared/bucketPolicy.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';
import { sqsRecord } from '../helpers/factories.js';
import {
  bucketPolicyOf,
  createOaiDistribution,
  createdKeysIn,
  createTeamSetup,
  type TeamSetup,
} from '../helpers/teamBucket.js';

const BUCKET = 'charts.prod.example.com';

let emu: TestEmulator;
let events: EventBridgeClient;
let team: TeamSetup;
let stack: LocalStack;

beforeAll(async () => {
  emu = await startTestEmulator();
  installLocalCloudFrontShims(emu.clients);
  events = localEventsClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { ...TEST_CREDENTIALS },
  });
  team = await createTeamSetup(emu.clients, BUCKET);
});
afterAll(() => emu?.stop());

const existing = (name = BUCKET) => ({ name, events, where: `the emulator at ${emu.endpoint}` });

async function drain(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const got = await emu.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    if (!got.Messages?.length) return bodies;
    bodies.push(...got.Messages.map((m) => m.Body!));
  }
}

describe('a bucket that already exists', () => {
  let distribution: StageDistribution;

  it('is refused when it does not exist, before anything is made', async () => {
    await expect(
      bootstrapLocalStack(emu.clients, {
        stage: 'ghost',
        existingBucket: existing('no.such.bucket'),
      }),
    ).rejects.toThrow(ExistingBucketError);
    await expect(
      bootstrapLocalStack(emu.clients, {
        stage: 'ghost',
        existingBucket: existing('no.such.bucket'),
      }),
    ).rejects.toThrow(/^--bucket: bucket "no\.such\.bucket" does not exist on the emulator at/);
    const queues = await emu.clients.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'cdn-pipeline-ghost' }),
    );
    expect(queues.QueueUrls ?? []).toEqual([]);
  });

  it('keeps its own notifications and adds the EventBridge delivery with the stage rule', async () => {
    stack = await bootstrapLocalStack(emu.clients, { stage: 'adopt', existingBucket: existing() });
    expect(stack.bucket).toBe(BUCKET);
    expect(stack.existingBucket).toMatchObject({
      ruleName: 'cdn-pipeline-adopt-object-created',
      kept: ['queue charts-team-uploads', 'topic charts-team-uploads'],
    });
    const config = await emu.clients.s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }),
    );
    expect(config.QueueConfigurations?.map((q) => q.Id)).toEqual(['team-queue']);
    expect(config.TopicConfigurations?.map((t) => t.Id)).toEqual(['team-topic']);
    // No bucket of the stage's own.
    const own = await emu.clients.s3
      .send(new GetObjectTaggingCommand({ Bucket: 'cdn-pipeline-adopt-content', Key: 'x' }))
      .catch((e: Error) => e.name);
    expect(own).toBe('NoSuchBucket');
  });

  it('adopts the OAI distribution that reads it: OAC, the bucket policy granting it, the OAI gone', async () => {
    const lines: string[] = [];
    distribution = await existingBucketDistribution(
      emu.clients,
      { bucket: BUCKET, alertsTopicArn: stack.alertsTopicArn, stage: 'adopt' },
      { pollSecondsOverride: 0, log: (l) => lines.push(l) },
    );
    expect(distribution).toMatchObject({ id: team.distributionId, action: 'adopted' });
    expect(lines[0]).toContain(`is served by ${team.distributionId}, not yet managed: adopting it`);
    expect(lines.join('\n')).toContain(`OAI ${team.oaiId}: its grant removed and the OAI deleted`);
    const config = await emu.clients.cloudfront.send(
      new GetDistributionConfigCommand({ Id: team.distributionId }),
    );
    const origin = config.DistributionConfig!.Origins!.Items![0]!;
    expect(origin.OriginAccessControlId).toMatch(/\w+/);
    expect(origin.S3OriginConfig?.OriginAccessIdentity ?? '').toBe('');
    const statements = policyStatements(await bucketPolicyOf(emu.clients.s3, BUCKET));
    expect(oacStatementFor(statements, distribution.arn)).toBeDefined();
    expect(oaiStatementsFor(statements, { id: team.oaiId })).toEqual([]);
    expect(statements).toContainEqual(team.teamStatement);
    await expect(
      emu.clients.cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: team.oaiId })),
    ).rejects.toMatchObject({ name: 'NoSuchCloudFrontOriginAccessIdentity' });
  });

  it('delivers every upload to the team queue, the team topic and (as EventBridge events) the pipeline, whose ingest tags them', async () => {
    await createdKeysIn(emu.clients.sqs, team.queueUrl);
    await createdKeysIn(emu.clients.sqs, team.topicQueueUrl);
    await drain(stack.objectEvents.url);
    const keys = [
      'charts/q3 revenue+plan.png',
      'charts/100% done.svg',
      'charts/q3 revenue+plan.png',
    ];
    for (const key of keys)
      await emu.clients.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `chart ${Math.random()}` }),
      );
    expect(await createdKeysIn(emu.clients.sqs, team.queueUrl)).toEqual(keys);
    expect(await createdKeysIn(emu.clients.sqs, team.topicQueueUrl)).toEqual(keys);

    const bodies = await drain(stack.objectEvents.url);
    expect(bodies).toHaveLength(3);
    for (const body of bodies)
      expect(JSON.parse(body)).toMatchObject({ 'detail-type': 'Object Created', source: 'aws.s3' });
    const outcomes: IngestOutcome[] = [];
    const handlers = buildPipelineHandlers(
      emu.clients,
      stack,
      {},
      { ingest: (o) => outcomes.push(o) },
    );
    // One at a time, in upload order: the second upload of a key is its overwrite.
    for (const body of bodies) {
      const response = await handlers.ingest({ Records: [sqsRecord(body)] });
      expect(response.batchItemFailures).toEqual([]);
    }
    expect(
      outcomes.map((o) => o.status === 'processed' && [o.bucket, o.key, o.invalidation]),
    ).toEqual([
      [BUCKET, keys[0], 'not-needed'],
      [BUCKET, keys[1], 'not-needed'],
      [BUCKET, keys[2], 'requested'],
    ]);
    const tagsOf = async (key: string) => {
      const out = await emu.clients.s3.send(
        new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }),
      );
      return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key, t.Value]));
    };
    // The key as stored, never decoded: `+` stays a plus (a `%` is outside S3's tag characters,
    // so that key gets no cdn:path tag).
    expect(await tagsOf(keys[0]!)).toMatchObject({
      'cdn:class': 'image',
      'cdn:path': '/charts/q3 revenue+plan.png',
    });
    expect(await tagsOf(keys[1]!)).toMatchObject({ 'cdn:class': 'image' });
    expect(await tagsOf(keys[1]!)).not.toHaveProperty('cdn:path');
  });

  it('changes nothing on a restart: the same rule and notifications, the distribution found again', async () => {
    const again = await bootstrapLocalStack(emu.clients, {
      stage: 'adopt',
      existingBucket: existing(),
    });
    expect(again.existingBucket?.ruleArn).toBe(stack.existingBucket?.ruleArn);
    expect(again.existingBucket?.kept).toEqual(stack.existingBucket?.kept);
    const found = await existingBucketDistribution(
      emu.clients,
      { bucket: BUCKET, alertsTopicArn: stack.alertsTopicArn, stage: 'adopt' },
      { pollSecondsOverride: 0 },
    );
    expect(found).toMatchObject({ id: team.distributionId, action: 'unchanged' });
  });
});

describe('a bucket several distributions read', () => {
  it('is refused with their ids, for --distribution; --distribution adopts the one named', async () => {
    const bucket = 'renders.example.com';
    const renders = await createTeamSetup(emu.clients, bucket);
    const second = await createOaiDistribution(emu.clients.cloudfront, {
      bucket,
      oaiId: renders.oaiId,
      ref: 'renders-second',
    });
    const target = { bucket, alertsTopicArn: stack.alertsTopicArn, stage: 'renders' };
    await expect(
      existingBucketDistribution(emu.clients, target, { pollSecondsOverride: 0 }),
    ).rejects.toThrow(
      `distributions ${renders.distributionId}, ${second} read bucket "${bucket}": say which one to adopt with --distribution ID`,
    );
    const adopted = await existingBucketDistribution(emu.clients, target, {
      distributionId: second,
      pollSecondsOverride: 0,
    });
    expect(adopted).toMatchObject({ id: second, action: 'adopted' });
    // The OAI stays: the first distribution still reads through it.
    const statements = policyStatements(await bucketPolicyOf(emu.clients.s3, bucket));
    expect(oaiStatementsFor(statements, { id: renders.oaiId })).toHaveLength(1);
  });

  it('refuses to adopt a distribution that does not read the bucket, naming it', async () => {
    const target = { bucket: BUCKET, alertsTopicArn: stack.alertsTopicArn, stage: 'adopt' };
    const other = (await createTeamSetup(emu.clients, 'other.example.com')).distributionId;
    await expect(
      existingBucketDistribution(emu.clients, target, { distributionId: other }),
    ).rejects.toThrow(`cannot adopt: distribution ${other} does not read bucket "${BUCKET}"`);
  });
});
