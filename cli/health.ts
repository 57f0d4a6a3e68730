/**
 * `cdn-pipeline health --bucket NAME`: checks the whole chain behind a content bucket (bucket
 * settings, notification, queues and DLQs, distributions, bucket policy, alert subscriptions).
 * A table with ✓ / ! / ✗ and the fix for people, `--json` for scripts. Exit 0 when nothing
 * failed (warnings allowed), 1 when a check failed.
 */
import { Option, type Command } from 'commander';
import { healthOutcome, type HealthCheck } from '../functions/health/check.js';
import { seedKeyLedger } from '../functions/ingest/keyLedgerSeed.js';
import { checkHealth } from '../functions/health/health.js';
import { EMULATOR_GAPS } from '../local/healthLocal.js';
import type { TargetFlags } from '../local/target.js';
import { bucketNameProblem } from '../shared/distributionSpec.js';
import {
  addTargetOptions,
  cliContext,
  outcomeAction,
  TARGET_HELP,
  type Outcome,
} from './context.js';
import { bucketElsewhere } from './elsewhere.js';
import { table } from './format.js';

export interface HealthFlags extends TargetFlags {
  readonly bucket: string;
  readonly json?: boolean;
  readonly topicArn?: string;
  /** The key ledger table (default `cdn-pipeline-<stage>-key-ledger`). */
  readonly keyLedgerTable?: string;
  /** Seed the key ledger from the bucket's keys first (then the checks run). */
  readonly seedKeyLedger?: boolean;
}

/** The answers that mean "nothing here": no such bucket, or no distribution serving it. */
const NOTHING_FOUND = /^(s3:\/\/\S+ does not exist|no enabled distribution serves )/;

const MARK = { ok: '✓', warn: '!', failed: '✗' } as const;

const mark = (c: HealthCheck) =>
  c.ok === true ? MARK.ok : c.ok === 'warn' ? MARK.warn : MARK.failed;

/** The table people read: one line per check, the fix under the check that needs one. */
export function formatHealth(bucket: string, checks: readonly HealthCheck[]): string {
  const rows = checks.flatMap((c) => [
    [mark(c), c.name, c.detail],
    ...(c.fix && c.ok !== true ? [['', '', `fix: ${c.fix}`]] : []),
  ]);
  const failed = checks.filter((c) => c.ok === false).length;
  const warned = checks.filter((c) => c.ok === 'warn').length;
  const summary =
    failed > 0
      ? `${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}, ${checks.length} checks`
      : `healthy: ${checks.length} checks${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}`;
  return `s3://${bucket}\n${table(['', 'check', 'detail'], rows)}\n\n${summary}`;
}

export async function healthCommand(flags: HealthFlags): Promise<Outcome> {
  const problem = bucketNameProblem(flags.bucket);
  if (problem) {
    console.error(`cdn-pipeline: --bucket ${problem} (got "${flags.bucket}")`);
    return 'usage';
  }
  const ctx = cliContext(flags);
  const clients = await ctx.clients();
  const ledgerTable = flags.keyLedgerTable ?? `cdn-pipeline-${ctx.target.stage}-key-ledger`;
  let seeded: Awaited<ReturnType<typeof seedKeyLedger>> | undefined;
  if (flags.seedKeyLedger) {
    // Progress on stderr: stdout stays the table (or the JSON).
    try {
      seeded = await seedKeyLedger(clients, flags.bucket, {
        table: ledgerTable,
        onPage: (keys) => console.error(`key ledger ${ledgerTable}: ${keys} keys recorded`),
      });
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      console.error(
        `cdn-pipeline: --seed-key-ledger: table ${ledgerTable} does not exist (deploy the stack, or name it with --key-ledger-table)`,
      );
      return 'usage';
    }
    console.error(
      `key ledger ${ledgerTable}: covers s3://${flags.bucket} since ${seeded.coveredSince} (${seeded.keys} keys listed, ${seeded.written} written)`,
    );
  }
  const checks = await checkHealth(clients, {
    bucket: flags.bucket,
    ...(ctx.target.kind === 'local' ? { knownGaps: EMULATOR_GAPS } : {}),
    ...(flags.topicArn ? { alertsTopicArn: flags.topicArn } : {}),
    keyLedgerTable: ledgerTable,
    objectEventsQueue: `cdn-pipeline-${ctx.target.stage}-object-events`,
  });
  const outcome = healthOutcome(checks);
  const missing = checks.some((c) => c.ok === false && NOTHING_FOUND.test(c.detail));
  const hint = missing ? await bucketElsewhere(ctx, flags.bucket) : undefined;
  if (flags.json) {
    const json = {
      bucket: flags.bucket,
      healthy: outcome === 'ok',
      checks,
      ...(seeded ? { keyLedgerSeed: seeded } : {}),
    };
    console.log(JSON.stringify({ ...json, ...(hint ? { hint } : {}) }, null, 2));
  } else {
    console.log(formatHealth(flags.bucket, checks));
    if (hint) console.log(`\n${hint}`);
  }
  return outcome;
}

const HEALTH_HELP = `
Examples:
  $ npx cdn-pipeline health --bucket my-content
  $ npx cdn-pipeline health --bucket my-content --json | jq '.checks[] | select(.ok != true)'
  $ npx cdn-pipeline health --bucket cdn-pipeline-local-content --local
  $ npx cdn-pipeline health --bucket charts-prod --stage prod --seed-key-ledger

Checks: the bucket exists, Block Public Access is on (each of the four flags), versioning (or
the key ledger standing in for it), default encryption (SSE-KMS: the key-policy statement
CloudFront needs, with each distribution's ARN), Object Ownership and the bucket ACL; the
s3:ObjectCreated notification targets a queue that exists, with a dead-letter queue that is
empty (and the same for the invalidation-requests queue); every distribution serving the bucket
is enabled and Deployed, reads through an origin access control, allows HTTPS only, and has its
statement (AWS:SourceArn) in the bucket policy; the policy allows no one publicly; the alerts
topic has a confirmed subscription. The emulator does not report a distribution's OAC: on the
emulator that check is a warning.

Exit codes: 0 healthy (warnings allowed), 1 a check failed, 2 bad usage.
${TARGET_HELP}
`;

/** Adds `health` to the program; `exit` is main's EXIT (outcome → exit code). */
export function registerHealth(program: Command, exit: Readonly<Record<Outcome, number>>): void {
  const health = program
    .command('health')
    .summary('Check the whole chain behind a bucket: bucket, queues, DLQs, distributions, alerts.')
    .description(
      'Check everything between a content bucket and its viewers, with the fix for each problem.',
    )
    .requiredOption('-b, --bucket <name>', 'the content bucket')
    .addOption(new Option('--topic-arn <arn>', 'the alerts topic (default: <stack prefix>-alerts)'))
    .option(
      '--key-ledger-table <name>',
      'the key ledger (default: cdn-pipeline-<stage>-key-ledger)',
    )
    .option(
      '--seed-key-ledger',
      'record every key the bucket holds in the key ledger first, so overwrites of an unversioned bucket are exact',
    )
    .option('--json', 'print JSON for scripts');
  addTargetOptions(health)
    .addHelpText('after', HEALTH_HELP)
    .action(outcomeAction((flags: HealthFlags) => healthCommand(flags), exit));
}
