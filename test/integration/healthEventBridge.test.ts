/**
 * The object-created check on an existing bucket wired through EventBridge (issue 11): S3's
 * EventBridge delivery plus a rule to the object-events queue passes like a direct queue
 * notification; a disabled rule, or one whose pattern leaves the bucket out, fails naming the
 * rule; a prefix filter warns. Against moto (rules and targets are real; the delivery flag is
 * read back through test/helpers/eventBridgeReadBack.ts, or reported as the emulator's gap).
 */
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { healthCommand } from '../../cli/health.js';
import type { HealthCheck } from '../../functions/health/check.js';
import { checkNotification } from '../../functions/health/bucket.js';
import { checkHealth } from '../../functions/health/health.js';
import { EMULATOR_GAPS } from '../../local/healthLocal.js';
import { withEventBridgeReadBack } from '../helpers/eventBridgeReadBack.js';
import {
  startTestEmulator,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestEmulator,
} from '../helpers/emulator.js';

let emu: TestEmulator;
let s3ReadBack: S3Client;

beforeAll(async () => {
  emu = await startTestEmulator();
  s3ReadBack = withEventBridgeReadBack(
    new S3Client({
      endpoint: emu.endpoint,
      region: TEST_REGION,
      credentials: { ...TEST_CREDENTIALS },
      forcePathStyle: true,
    }),
    emu.endpoint,
  );
}, 60_000);
afterAll(async () => {
  s3ReadBack?.destroy();
  await emu?.stop();
});

interface Setup {
  readonly bucket: string;
  readonly queueName: string;
  readonly queueArn: string;
  readonly ruleName: string;
}

/** A bucket and its own queue; `rule` adds a rule to the queue, `eventBridge` turns delivery on. */
async function setup(
  id: string,
  options: {
    readonly direct?: boolean;
    readonly eventBridge?: boolean;
    readonly rule?: {
      readonly pattern: Record<string, unknown>;
      readonly state?: 'ENABLED' | 'DISABLED';
    };
  },
): Promise<Setup> {
  const bucket = `team-${id}.example.com`;
  const queueName = `cdn-pipeline-${id}-object-events`;
  const ruleName = `cdn-pipeline-${id}-object-created`;
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { QueueUrl } = await emu.clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const attrs = await emu.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attrs.Attributes!.QueueArn!;
  if (options.direct || options.eventBridge)
    await emu.clients.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          ...(options.direct
            ? { QueueConfigurations: [{ QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] }] }
            : {}),
          ...(options.eventBridge ? { EventBridgeConfiguration: {} } : {}),
        },
      }),
    );
  if (options.rule) {
    await emu.clients.eventbridge.send(
      new PutRuleCommand({
        Name: ruleName,
        EventPattern: JSON.stringify(options.rule.pattern),
        State: options.rule.state ?? 'ENABLED',
      }),
    );
    await emu.clients.eventbridge.send(
      new PutTargetsCommand({ Rule: ruleName, Targets: [{ Id: 'object-events', Arn: queueArn }] }),
    );
  }
  return { bucket, queueName, queueArn, ruleName };
}

const objectCreated = (buckets: string[], key?: unknown) => ({
  source: ['aws.s3'],
  'detail-type': ['Object Created'],
  detail: { bucket: { name: buckets }, ...(key ? { object: { key } } : {}) },
});

const route = (s: Setup, deliveryUnreported?: string) => ({
  events: emu.clients.eventbridge,
  queueArn: () => Promise.resolve(s.queueArn),
  ...(deliveryUnreported ? { deliveryUnreported } : {}),
});

describe('object-created notification', () => {
  it('passes a direct queue notification, as before', async () => {
    const s = await setup('direct', { direct: true });
    const { check, queueArn } = await checkNotification(emu.clients.s3, s.bucket, route(s));
    expect(check).toMatchObject({ ok: true, detail: `s3:ObjectCreated:* → ${s.queueArn}` });
    expect(queueArn).toBe(s.queueArn);
  });

  it('passes EventBridge delivery plus an enabled rule for the bucket, and finds the queue', async () => {
    const s = await setup('ebpass', { eventBridge: true, rule: { pattern: {} } });
    await emu.clients.eventbridge.send(
      new PutRuleCommand({
        Name: s.ruleName,
        EventPattern: JSON.stringify(objectCreated(['other-bucket', s.bucket])),
      }),
    );
    const { check, queueArn } = await checkNotification(s3ReadBack, s.bucket, route(s));
    expect(check.ok).toBe(true);
    expect(check.detail).toContain(`EventBridge rule ${s.ruleName} → ${s.queueArn}`);
    expect(queueArn).toBe(s.queueArn);
  });

  it('warns when the flag is not reported (the emulator) but the rule is there', async () => {
    const s = await setup('ebgap', { eventBridge: true, rule: { pattern: objectCreated(['x']) } });
    await emu.clients.eventbridge.send(
      new PutRuleCommand({
        Name: s.ruleName,
        EventPattern: JSON.stringify(objectCreated([s.bucket])),
      }),
    );
    // The plain client: moto leaves EventBridgeConfiguration out of its answer.
    const { check } = await checkNotification(
      emu.clients.s3,
      s.bucket,
      route(s, EMULATOR_GAPS.eventBridgeDelivery!.detail),
    );
    expect(check.ok).toBe('warn');
    expect(check.detail).toContain(`EventBridge rule ${s.ruleName}`);
    expect(check.detail).toContain('not reported by the emulator');
  });

  it('fails when S3 reports EventBridge delivery off, though the rule is right', async () => {
    const s = await setup('eboff', { rule: { pattern: objectCreated(['placeholder']) } });
    await emu.clients.eventbridge.send(
      new PutRuleCommand({
        Name: s.ruleName,
        EventPattern: JSON.stringify(objectCreated([s.bucket])),
      }),
    );
    const { check } = await checkNotification(s3ReadBack, s.bucket, route(s));
    expect(check.ok).toBe(false);
    expect(check.detail).toContain(`rule ${s.ruleName}`);
    expect(check.detail).toContain('EventBridge delivery is off');
  });

  it('fails a disabled rule, naming it', async () => {
    const s = await setup('ebdisabled', {
      eventBridge: true,
      rule: { pattern: objectCreated(['placeholder']), state: 'DISABLED' },
    });
    await emu.clients.eventbridge.send(
      new PutRuleCommand({
        Name: s.ruleName,
        EventPattern: JSON.stringify(objectCreated([s.bucket])),
        State: 'DISABLED',
      }),
    );
    const { check } = await checkNotification(s3ReadBack, s.bucket, route(s));
    expect(check.ok).toBe(false);
    expect(check.detail).toContain(`${s.ruleName} is disabled`);
  });

  it('fails a rule for another bucket, naming it', async () => {
    const s = await setup('ebother', {
      eventBridge: true,
      rule: { pattern: objectCreated(['someone-elses-bucket']) },
    });
    const { check } = await checkNotification(s3ReadBack, s.bucket, route(s));
    expect(check.ok).toBe(false);
    expect(check.detail).toContain(`${s.ruleName}: its detail.bucket.name leaves out ${s.bucket}`);
  });

  it('warns on a prefix filter: only keys under it are seen', async () => {
    const s = await setup('ebprefix', {
      eventBridge: true,
      rule: { pattern: objectCreated(['x']) },
    });
    await emu.clients.eventbridge.send(
      new PutRuleCommand({
        Name: s.ruleName,
        EventPattern: JSON.stringify(objectCreated([s.bucket], [{ prefix: 'charts/' }])),
      }),
    );
    const { check } = await checkNotification(s3ReadBack, s.bucket, route(s));
    expect(check.ok).toBe('warn');
    expect(check.detail).toContain('only keys under charts/');
  });

  it('checkHealth finds the queue by name and checks it behind the rule', async () => {
    const s = await setup('ebhealth', {
      eventBridge: true,
      rule: { pattern: objectCreated(['x']) },
    });
    await emu.clients.eventbridge.send(
      new PutRuleCommand({
        Name: s.ruleName,
        EventPattern: JSON.stringify(objectCreated([s.bucket])),
      }),
    );
    const checks = await checkHealth(
      { ...emu.clients, s3: s3ReadBack },
      { bucket: s.bucket, objectEventsQueue: s.queueName },
    );
    const byName = (n: string) => checks.find((c) => c.name === n);
    expect(byName('object-created notification')).toMatchObject({ ok: true });
    expect(byName('object-events queue')).toBeDefined();
  });

  it('cdn-pipeline health --local --stage finds the queue of the stage behind the rule (a warning: moto hides the flag)', async () => {
    const s = await setup('ebcli', { eventBridge: true, rule: { pattern: objectCreated(['x']) } });
    await emu.clients.eventbridge.send(
      new PutRuleCommand({
        Name: s.ruleName,
        EventPattern: JSON.stringify(objectCreated([s.bucket])),
      }),
    );
    vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.join(' '));
    });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await healthCommand({ bucket: s.bucket, local: true, stage: 'ebcli', json: true });
    } finally {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
    }
    const { checks } = JSON.parse(printed.join('\n')) as { checks: HealthCheck[] };
    const notification = checks.find((c) => c.name === 'object-created notification');
    expect(notification).toMatchObject({ ok: 'warn' });
    expect(notification!.detail).toContain(`EventBridge rule ${s.ruleName} → ${s.queueArn}`);
    expect(checks.find((c) => c.name === 'object-events queue')).toBeDefined();
  });
});
