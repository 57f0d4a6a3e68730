/**
 * Re-running provisioning for an unchanged spec, the way a restart of `npm start` on a reused
 * emulator (`--port`) or a second `provision` command does it: fresh module instances (as in a new
 * process) and fresh clients, against the same emulator. The second run must call no
 * UpdateDistribution and send no second "distribution ready" mail.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emulatorData } from '../../local/emulator.js';
import { createClients } from '../../shared/clients.js';
import {
  startTestEmulator,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestEmulator,
} from '../helpers/emulator.js';

const BUCKET = 'rerun-content';
let emu: TestEmulator;
let topicArn: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  topicArn = (await emu.clients.sns.send(new CreateTopicCommand({ Name: 'rerun-alerts' })))
    .TopicArn!;
});
afterAll(() => emu?.stop());

/** One provisioning run as a new process would do it: fresh modules, fresh clients. */
async function freshRun(spec: Record<string, unknown>) {
  vi.resetModules();
  const { provisionLocally } = await import('../../local/provision.js');
  const clients = createClients({
    endpoint: emu.endpoint,
    credentials: { ...TEST_CREDENTIALS },
    region: TEST_REGION,
  });
  const sent: string[] = [];
  clients.cloudfront.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'recordCommands' },
  );
  const result = await provisionLocally({
    clients,
    alertsTopicArn: topicArn,
    spec,
    stage: 'rerun',
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
  });
  return { result, sent };
}

async function readyMails(): Promise<string[]> {
  const data = (await emulatorData(emu.endpoint)) as {
    sns?: { Topic?: Array<{ sent_notifications?: unknown[][] }> };
  };
  return (data.sns?.Topic ?? [])
    .flatMap((t) => t.sent_notifications ?? [])
    .map((n) => String(n[2]))
    .filter((subject) => /ready/i.test(subject));
}

describe('provisioning an unchanged spec again, from a new process', () => {
  it.each([
    ['the defaults', { bucket: BUCKET }],
    [
      'every option',
      {
        bucket: BUCKET,
        name: 'full',
        aliases: ['cdn.example.com'],
        certificateArn:
          'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-000000000001',
        priceClass: 'PriceClass_100',
        geo: { type: 'block', countries: ['KP'] },
        cors: { allowOrigins: ['https://app.example.com'] },
        errors: [{ code: 404, responsePagePath: '/404.html' }],
        defaultRootObject: 'index.html',
        additionalMetrics: true,
        cacheTagHeader: 'x-amz-meta-cache-tag',
      },
    ],
  ])('calls no UpdateDistribution and sends no second ready mail (%s)', async (_title, spec) => {
    const before = (await readyMails()).length;
    const first = await freshRun(spec);
    expect(first.result.status).toBe('SUCCEEDED');
    expect(first.result.output).toMatchObject({ action: 'created' });
    expect(await readyMails()).toHaveLength(before + 1);

    const second = await freshRun(spec);
    expect(second.result.status).toBe('SUCCEEDED');
    expect(second.result.output).toMatchObject({ action: 'unchanged', changes: [] });
    expect(second.sent).not.toContain('UpdateDistributionCommand');
    expect(second.sent).not.toContain('CreateDistributionWithTagsCommand');
    expect(await readyMails()).toHaveLength(before + 1);
    expect((second.result.output as { notification: unknown }).notification).toMatchObject({
      sent: false,
    });
  });
});
