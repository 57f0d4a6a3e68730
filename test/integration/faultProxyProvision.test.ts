/**
 * The provisioning workflow (npm start's, the same ASL as on AWS) with its CloudFront calls
 * through the fault proxy and the SDK's own retries off (one attempt), so the workflow's Retry
 * does the work: throttled and failing calls end in one Deployed distribution; a create whose
 * answer was lost (`reset-after`) does not make a second one; a second run reuses what exists.
 */
import { GetDistributionCommand, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { startFaultProxy, type FaultProxy } from '../../local/faultProxy.js';
import { parseFaultScript } from '../../local/faultProxyScript.js';
import { provisionStageDistribution } from '../../local/provision.js';
import { createClients } from '../../shared/clients.js';
import { logger } from '../../shared/observability.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
  logger.setLogLevel('SILENT');
}, 60_000);
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await emu?.stop();
});

async function proxied(faults: unknown) {
  const proxy = await startFaultProxy({ upstream: emu.endpoint, script: parseFaultScript(faults) });
  proxies.push(proxy);
  const clients = createClients({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { ...TEST_CREDENTIALS },
    cloudfrontMaxAttempts: 1,
  });
  return { proxy, clients };
}

/** Distributions on the emulator whose origin is this bucket. */
async function distributionsFor(bucket: string): Promise<string[]> {
  const out = await emu.clients.cloudfront.send(new ListDistributionsCommand({}));
  const ids: string[] = [];
  for (const d of out.DistributionList?.Items ?? []) {
    const got = await emu.clients.cloudfront.send(new GetDistributionCommand({ Id: d.Id! }));
    const origins = got.Distribution?.DistributionConfig?.Origins?.Items ?? [];
    if (origins.some((o) => o.DomainName?.startsWith(`${bucket}.`))) ids.push(d.Id!);
  }
  return ids;
}

describe('provisioning through the fault proxy', () => {
  it.each([
    [
      'throttled and failing calls',
      {
        ListDistributions: [{ call: 1, fault: 'Throttling' }],
        OriginAccessControl: [{ call: 1, fault: '503' }],
        CreateDistributionWithTags: [{ call: 1, fault: 'Throttling' }],
        GetDistribution: [{ call: 1, fault: 'reset' }],
      },
    ],
    [
      'a create whose answer was lost',
      { CreateDistributionWithTags: [{ call: 1, fault: 'reset-after' }] },
    ],
  ])(
    'ends with one distribution after %s, and a second run reuses it',
    async (name, faults) => {
      const stage = name.startsWith('throttled') ? 'prov-throttled' : 'prov-lost';
      const stack: LocalStack = await bootstrapLocalStack(emu.clients, {
        stage,
        region: 'us-east-1',
      });
      const { proxy, clients } = await proxied(faults);
      const target = { bucket: stack.bucket, alertsTopicArn: stack.alertsTopicArn, stage };

      const first = await provisionStageDistribution(clients, target);
      // Every scripted fault was met on the way (the workflow's Retry, not luck, got past it).
      const faulted = proxy.log.filter((r) => r.fault).map((r) => r.operation);
      expect(faulted.sort()).toEqual(Object.keys(faults).sort());
      expect(await distributionsFor(stack.bucket)).toEqual([first.id]);

      const second = await provisionStageDistribution(clients, target);
      expect(second.id).toBe(first.id);
      expect(second.action).toBe('unchanged');
      expect(await distributionsFor(stack.bucket)).toEqual([first.id]);
    },
    120_000,
  );
});
