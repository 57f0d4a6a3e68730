/**
 * One in-flight budget per distribution across every invoker (DESIGN.md invariant 2): two
 * invalidate instances (the event source mapping's `maximumConcurrency: 2`) and the CLI, against
 * the emulator's CloudFront and its DynamoDB (real conditional writes).
 *
 * The emulator gap bridged here: moto reports every invalidation `COMPLETED` at once, so nothing
 * would ever be in flight. A middleware on the test's CloudFront clients reports the test's
 * invalidations `InProgress` (as CloudFront does for a while), and makes the first in-flight
 * reads of concurrent invokers wait for each other — both read the same snapshot, the race the
 * issue measured (two batches of 1 450 files: 2 900 in flight against the 2 800 ceiling).
 */
import {
  GetInvalidationCommand,
  ListInvalidationsCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInvalidateHandler } from '../../functions/invalidate/handler.js';
import { loadInvalidateConfig } from '../../functions/invalidate/config.js';
import type { InvalidateReport } from '../../functions/invalidate/types.js';
import { invalidateCommand } from '../../cli/invalidate.js';
import { createClients, type AwsClients } from '../../shared/clients.js';
import { isWildcardPath } from '../../shared/keys.js';
import {
  ensureInvalidationLedgerTable,
  invalidationLedgerTableName,
} from '../../local/bootstrap.js';
import { localResourceNames } from '../../local/resources.js';
import {
  startTestEmulator,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestEmulator,
} from '../helpers/emulator.js';
import { createTaggedDistribution } from '../helpers/distributions.js';
import { sqsEvent } from '../helpers/factories.js';

const STAGE = 'budget';
const BUCKET = 'example-budget-content';
/**
 * The issue's case is file paths only (no folder may become a wildcard): no wildcard budget, so
 * the planner cannot fold a batch that does not fit into `/*` (the bucket here is empty).
 */
const SETTINGS = { MAX_INFLIGHT_WILDCARDS: '0' } as const;
const LEDGER_TABLE = invalidationLedgerTableName(localResourceNames(STAGE));

let emu: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await ensureInvalidationLedgerTable(emu.clients.dynamodb, LEDGER_TABLE);
}, 60_000);
afterAll(async () => {
  await emu?.stop();
});

/** Counts what is in flight on a distribution, reading every invalidation moto holds. */
async function pathsCreated(cloudfront: CloudFrontClient, distributionId: string) {
  const list = await cloudfront.send(
    new ListInvalidationsCommand({ DistributionId: distributionId }),
  );
  let files = 0;
  let wildcards = 0;
  for (const item of list.InvalidationList?.Items ?? []) {
    const got = await cloudfront.send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: item.Id! }),
    );
    for (const path of got.Invalidation?.InvalidationBatch?.Paths?.Items ?? []) {
      if (isWildcardPath(path)) wildcards += 1;
      else files += 1;
    }
  }
  return { files, wildcards };
}

/**
 * Clients of one invoker (its own, like a Lambda instance): invalidations stay InProgress, and
 * the first `together` ListInvalidations calls across invokers are answered only once all of
 * them were made.
 */
function invokerClients(barrier: { waiting: Array<() => void>; together: number }): AwsClients {
  const clients = createClients({
    endpoint: emu.endpoint,
    credentials: { ...TEST_CREDENTIALS },
    region: TEST_REGION,
  });
  clients.cloudfront.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ListInvalidationsCommand' && barrier.together > 0) {
        barrier.together -= 1;
        await new Promise<void>((resolve) => {
          barrier.waiting.push(resolve);
          if (barrier.together === 0) for (const release of barrier.waiting) release();
        });
      }
      const result = await next(args);
      const output = result.output as {
        InvalidationList?: { Items?: Array<{ Status?: string }> };
        Invalidation?: { Status?: string };
      };
      for (const item of output.InvalidationList?.Items ?? []) item.Status = 'InProgress';
      if (output.Invalidation) output.Invalidation.Status = 'InProgress';
      return result;
    },
    { step: 'initialize', name: 'testInvalidationsStayInProgress' },
  );
  return clients;
}

const body = (key: string) =>
  JSON.stringify({
    v: 1,
    bucket: BUCKET,
    key,
    eventTime: '2026-12-01T00:00:00.000Z',
    reason: 'overwrite',
  });

/** `n` keys each in a folder of its own (nothing to collapse): n file paths. */
const keys = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i}/segment.ts`);

function invoker(
  distributionId: string,
  barrier: { waiting: Array<() => void>; together: number },
  reports: InvalidateReport[],
) {
  const config = loadInvalidateConfig({
    ...SETTINGS,
    DISTRIBUTION_IDS: distributionId,
    INVALIDATION_LEDGER_TABLE: LEDGER_TABLE,
  });
  return createInvalidateHandler({ clients: invokerClients(barrier), config }, (r) =>
    reports.push(r),
  );
}

describe('one in-flight budget per distribution', () => {
  it('keeps two concurrent invocations that read the same snapshot within the ceiling together', async () => {
    const distributionId = await createTaggedDistribution(
      emu.clients.cloudfront,
      'budget-two',
      {},
      {
        originBucket: BUCKET,
      },
    );
    const barrier = { waiting: [], together: 2 };
    const reports: InvalidateReport[] = [];
    const a = invoker(distributionId, barrier, reports);
    const b = invoker(distributionId, barrier, reports);
    const [ra, rb] = await Promise.all([
      a(sqsEvent(keys('a', 1450).map(body))),
      b(sqsEvent(keys('b', 1450).map(body))),
    ]);

    const inFlight = await pathsCreated(emu.clients.cloudfront, distributionId);
    expect(inFlight.files).toBeLessThanOrEqual(2800);
    // Nothing is lost: what was not sent is handed back to SQS (a batch item failure).
    const failures = (ra!.batchItemFailures.length ?? 0) + (rb!.batchItemFailures.length ?? 0);
    expect(inFlight.files + failures).toBe(2900);
    expect(failures).toBeGreaterThanOrEqual(100);
    // The budget is used, not wasted: the second invoker sends what still fits.
    expect(inFlight.files).toBe(2800);
  });

  it('makes the CLI share the budget of a function that holds it', async () => {
    const distributionId = await createTaggedDistribution(
      emu.clients.cloudfront,
      'budget-cli',
      {},
      {
        originBucket: BUCKET,
      },
    );
    // The function has planned and is sending its CreateInvalidation when the CLI runs.
    let sending!: () => void;
    const functionSends = new Promise<void>((resolve) => (sending = resolve));
    let cliDone!: () => void;
    const cliFinished = new Promise<void>((resolve) => (cliDone = resolve));
    const clients = invokerClients({ waiting: [], together: 0 });
    clients.cloudfront.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'CreateInvalidationCommand') {
          sending();
          await cliFinished;
        }
        return next(args);
      },
      { step: 'initialize', name: 'testHoldCreate' },
    );
    const config = loadInvalidateConfig({
      ...SETTINGS,
      DISTRIBUTION_IDS: distributionId,
      INVALIDATION_LEDGER_TABLE: LEDGER_TABLE,
    });
    const fn = createInvalidateHandler({ clients, config });
    const fnRun = fn(sqsEvent(keys('fn', 1450).map(body)));
    await functionSends;

    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(' '));
    let outcome;
    vi.stubEnv('MAX_INFLIGHT_WILDCARDS', SETTINGS.MAX_INFLIGHT_WILDCARDS);
    try {
      outcome = await invalidateCommand(keys('cli', 1450), {
        bucket: BUCKET,
        distribution: [distributionId],
        json: true,
        port: new URL(emu.endpoint).port,
        stage: STAGE,
      });
    } finally {
      console.log = log;
      vi.unstubAllEnvs();
      cliDone();
    }
    const fnResult = await fnRun;
    expect(fnResult!.batchItemFailures).toEqual([]);
    expect(outcome).toBe('partial');
    const report = JSON.parse(lines.join('\n'));
    expect(report.deferred).toHaveLength(100);
    const inFlight = await pathsCreated(emu.clients.cloudfront, distributionId);
    expect(inFlight.files).toBe(2800);
  });

  it('says when a stage has no ledger table, and invalidates on its own view', async () => {
    const distributionId = await createTaggedDistribution(
      emu.clients.cloudfront,
      'budget-none',
      {},
      { originBucket: BUCKET },
    );
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(' '));
    let outcome;
    try {
      outcome = await invalidateCommand(['a.png'], {
        bucket: BUCKET,
        distribution: [distributionId],
        json: true,
        port: new URL(emu.endpoint).port,
        stage: 'unledgered',
      });
    } finally {
      console.log = log;
    }
    expect(outcome).toBe('ok');
    const report = JSON.parse(lines.join('\n'));
    expect(report.ledger).toEqual({
      table: 'cdn-pipeline-unledgered-invalidation-ledger',
      shared: false,
    });
    expect(report.invalidations).toHaveLength(1);
  });
});
