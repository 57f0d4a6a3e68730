/**
 * The provisioning task functions against the emulator, called in the order the state machine
 * calls them. moto lacks the policy and monitoring APIs, so the LOCAL-ONLY CloudFront shim is
 * installed on this file's client.
 */
import {
  GetDistributionCommand,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionTasks, type ProvisionTasks } from '../../functions/provision/handler.js';
import { installCloudFrontShim } from '../../local/cloudfrontShim.js';
import { emulatorData, setDistributionDeployDelay } from '../../local/emulator.js';
import { behaviourPlan } from '../../functions/provision/policies.js';
import {
  parseDistributionSpec,
  type DistributionSpecInput,
} from '../../shared/distributionSpec.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const BUCKET = 'provision-content';
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-000000000001';
const SPEC: DistributionSpecInput = {
  bucket: BUCKET,
  aliases: ['cdn.example.com'],
  certificateArn: CERT,
  priceClass: 'PriceClass_100',
  geo: { type: 'block', countries: ['RU', 'KP'] },
  additionalMetrics: true,
  tags: { team: 'media' },
};
const OTHER_STATEMENT = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

let emu: TestEmulator;
let tasks: ProvisionTasks;
let topicArn: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  installCloudFrontShim(emu.clients.cloudfront);
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await emu.clients.s3.send(
    new PutBucketPolicyCommand({
      Bucket: BUCKET,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [OTHER_STATEMENT] }),
    }),
  );
  topicArn = (await emu.clients.sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn!;
  tasks = createProvisionTasks({
    clients: emu.clients,
    notifyConfig: { alertsTopicArn: topicArn },
  });
});
afterAll(() => emu?.stop());

/** Every task up to the wait loop, in the state machine's order, passing state as the ASL does. */
async function provision(spec: DistributionSpecInput, stage = 'test') {
  const validated = await tasks.validate({ spec, options: { pollSeconds: 5 }, stage });
  const oac = await tasks.ensureOriginAccessControl({ spec: validated.spec });
  const policies = await tasks.ensurePolicies({ spec: validated.spec });
  const distribution = await tasks.ensureDistribution({
    spec: validated.spec,
    callerReference: validated.callerReference,
    oac,
    policies,
    stage: validated.stage,
  });
  const bucketPolicy = await tasks.mergeBucketPolicy({
    bucket: validated.spec.bucket,
    distributionArn: distribution.arn,
  });
  const monitoring = await tasks.ensureMonitoring({
    distributionId: distribution.distributionId,
    enabled: validated.spec.additionalMetrics,
  });
  return { validated, oac, policies, distribution, bucketPolicy, monitoring };
}

async function bucketStatements(): Promise<Array<Record<string, unknown>>> {
  const out = await emu.clients.s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
  return (JSON.parse(out.Policy!) as { Statement: Array<Record<string, unknown>> }).Statement;
}

async function distributionCount(): Promise<number> {
  const out = await emu.clients.cloudfront.send(new ListDistributionsCommand({}));
  return out.DistributionList?.Items?.length ?? 0;
}

describe('provisioning tasks on the emulator', () => {
  let first: Awaited<ReturnType<typeof provision>>;

  it('creates one distribution with the OAC, behaviours, aliases, geo restriction and tags', async () => {
    first = await provision(SPEC);
    const { distribution, oac, policies, validated } = first;
    expect(distribution.action).toBe('created');
    expect(oac.created).toBe(true);
    expect(policies.created.length).toBeGreaterThan(1);
    expect(await distributionCount()).toBe(1);

    const got = await emu.clients.cloudfront.send(
      new GetDistributionCommand({ Id: distribution.distributionId }),
    );
    const config = got.Distribution!.DistributionConfig!;
    expect(config.Origins?.Items?.[0]).toMatchObject({
      DomainName: `${BUCKET}.s3.us-east-1.amazonaws.com`,
      OriginAccessControlId: oac.originAccessControlId,
    });
    const plan = behaviourPlan(validated.spec);
    expect(config.CacheBehaviors?.Quantity).toBe(plan.behaviours.length);
    expect(config.CacheBehaviors?.Items?.map((b) => b.CachePolicyId)).toEqual(
      plan.behaviours.map((b) => policies.cachePolicyIds[b.cachePolicyName]),
    );
    expect(config.DefaultCacheBehavior?.ResponseHeadersPolicyId).toBe(
      policies.responseHeadersPolicyId,
    );
    expect(config.Aliases?.Items).toEqual(['cdn.example.com']);
    expect(config.ViewerCertificate?.ACMCertificateArn).toBe(CERT);
    expect(config.Restrictions?.GeoRestriction).toMatchObject({
      RestrictionType: 'blacklist',
      Items: ['KP', 'RU'],
    });

    const tags = await emu.clients.cloudfront.send(
      new ListTagsForResourceCommand({ Resource: distribution.arn }),
    );
    expect(tags.Tags?.Items).toEqual(
      expect.arrayContaining([
        { Key: 'cdn-pipeline:managed', Value: 'true' },
        { Key: 'cdn-pipeline:bucket', Value: BUCKET },
        { Key: 'cdn-pipeline:name', Value: validated.spec.name },
        { Key: 'cdn-pipeline:stage', Value: 'test' },
        { Key: 'team', Value: 'media' },
      ]),
    );
  });

  it('adds one SourceArn statement in the AWS ARN format and keeps the others', async () => {
    const { distribution, bucketPolicy } = first;
    const id = distribution.distributionId;
    expect(bucketPolicy).toMatchObject({ changed: true, sid: `cdnp-${id}` });
    const statements = await bucketStatements();
    expect(statements).toEqual([
      OTHER_STATEMENT,
      {
        Sid: `cdnp-${id}`,
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: {
          StringEquals: { 'AWS:SourceArn': `arn:aws:cloudfront::123456789012:distribution/${id}` },
        },
      },
    ]);
  });

  it('turns on the monitoring subscription the spec asks for', () => {
    expect(first.monitoring).toEqual({ enabled: true, changed: true });
  });

  it('running the whole sequence again changes nothing', async () => {
    const again = await provision(SPEC);
    expect(again.distribution).toMatchObject({
      distributionId: first.distribution.distributionId,
      arn: first.distribution.arn,
      action: 'unchanged',
      changes: [],
    });
    expect(again.oac).toEqual({
      originAccessControlId: first.oac.originAccessControlId,
      created: false,
    });
    expect(again.policies).toMatchObject({ created: [], updated: [] });
    expect(again.policies.cachePolicyIds).toEqual(first.policies.cachePolicyIds);
    expect(again.bucketPolicy.changed).toBe(false);
    expect(again.monitoring).toEqual({ enabled: true, changed: false });
    expect(await distributionCount()).toBe(1);
    expect(await bucketStatements()).toHaveLength(2);
  });

  it('updates the same distribution when the spec changes, naming what changed', async () => {
    const updated = await provision({ ...SPEC, priceClass: 'PriceClass_All' });
    expect(updated.distribution).toMatchObject({
      distributionId: first.distribution.distributionId,
      action: 'updated',
      changes: ['PriceClass'],
    });
    const got = await emu.clients.cloudfront.send(
      new GetDistributionCommand({ Id: first.distribution.distributionId }),
    );
    expect(got.Distribution?.DistributionConfig?.PriceClass).toBe('PriceClass_All');
    const settled = await provision({ ...SPEC, priceClass: 'PriceClass_All' });
    expect(settled.distribution.action).toBe('unchanged');
    expect(await distributionCount()).toBe(1);
  });

  it('updates a cache policy whose TTLs changed, in place', async () => {
    const changed = await provision({
      ...SPEC,
      priceClass: 'PriceClass_All',
      contentClasses: { default: { defaultTtl: 7200 } },
    });
    expect(changed.policies.updated).toEqual([`cdnp-${first.validated.spec.name}-default`]);
    expect(changed.policies.cachePolicyIds).toEqual(first.policies.cachePolicyIds);
    expect(changed.distribution.action).toBe('unchanged');
  });

  it('notifies through the alerts topic, readable from the emulator', async () => {
    const notified = await tasks.notify({
      outcome: 'ready',
      execution: 'arn:aws:states:us-east-1:123456789012:execution:provision:run-1',
      distribution: first.distribution,
      validated: first.validated,
      startedAt: new Date(Date.now() - 372_000).toISOString(),
    });
    const id = first.distribution.distributionId;
    expect(notified.subject).toBe(`[cdn-pipeline] distribution ready: ${id} (cdn.example.com)`);
    const data = (await emulatorData(emu.endpoint)) as {
      sns: { Topic: Array<{ arn: string; sent_notifications: Array<[string, string, string]> }> };
    };
    const sent = data.sns.Topic.find((t) => t.arn === topicArn)!.sent_notifications;
    const mail = sent.find(([messageId]) => messageId === notified.messageId);
    expect(mail?.[2]).toBe(notified.subject);
    expect(mail?.[1]).toContain('https://cdn.example.com/');
    expect(mail?.[1]).toContain(
      `https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/${id}`,
    );
    expect(mail?.[1]).toMatch(/Elapsed +6 min 12 s/);
  });
});

describe('waiting for deployment', () => {
  it('reports InProgress until the distribution is Deployed, counting polls', async () => {
    const bucket = 'provision-waiting';
    await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // moto counts the create response as the first read: 3 = created + two polls InProgress.
    await setDistributionDeployDelay(emu.endpoint, 3);
    try {
      const { distribution } = await provision({ bucket });
      expect(distribution.status).toBe('InProgress');
      const polls = [];
      let state = { distributionId: distribution.distributionId, polls: 0, maxPolls: 5 };
      for (let i = 0; i < 3; i++) {
        const wait = await tasks.checkDeployment(state);
        polls.push(wait);
        state = { ...state, polls: wait.polls };
      }
      expect(polls.map((p) => [p.status, p.deployed, p.polls, p.timedOut])).toEqual([
        ['InProgress', false, 1, false],
        ['InProgress', false, 2, false],
        ['Deployed', true, 3, false],
      ]);
    } finally {
      // The state manager applies at read time, to every distribution: put it back.
      await setDistributionDeployDelay(emu.endpoint, 0);
    }
  });

  it('says timedOut on the last allowed poll when still not deployed', async () => {
    const bucket = 'provision-slow';
    await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await setDistributionDeployDelay(emu.endpoint, 5);
    try {
      const { distribution } = await provision({ bucket });
      const wait = await tasks.checkDeployment({
        distributionId: distribution.distributionId,
        polls: 1,
        maxPolls: 2,
      });
      expect(wait).toEqual({
        status: 'InProgress',
        deployed: false,
        polls: 2,
        maxPolls: 2,
        timedOut: true,
      });
    } finally {
      await setDistributionDeployDelay(emu.endpoint, 0);
    }
  });
});

describe('validate', () => {
  it('rejects a certificate outside us-east-1, naming certificateArn', async () => {
    const error = await tasks
      .validate({
        spec: { ...SPEC, certificateArn: CERT.replace('us-east-1', 'eu-west-1') },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidSpec', field: 'spec.certificateArn' });
    expect((error as Error).message).toMatch(/^spec\.certificateArn: .*us-east-1.*eu-west-1/);
  });

  it('rejects a bucket that does not exist with BucketNotFound naming it', async () => {
    const error = await tasks
      .validate({ spec: { bucket: 'no-such-bucket-here' } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'BucketNotFound', bucket: 'no-such-bucket-here' });
    expect((error as Error).message).toContain('"no-such-bucket-here"');
  });

  it('applies the wait defaults: 30 s polls, 45 minutes', async () => {
    const validated = await tasks.validate({ spec: { bucket: BUCKET } });
    expect(validated).toMatchObject({ pollSeconds: 30, maxPolls: 90, stage: '' });
    expect(validated.spec).toEqual(parseDistributionSpec({ bucket: BUCKET }));
  });
});
