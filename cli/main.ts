/**
 * The `cdn-pipeline` command line. Every command prints a table for people and `--json` for
 * scripts; exit codes: 0 done, 1 failed, 2 bad usage, 3 partly done (work deferred), 4 timed out
 * (provision: the distribution is still deploying; re-running resumes the wait).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { addTargetOptions, EXIT, outcomeAction, TARGET_HELP } from './context.js';
import { invalidateCommand } from './invalidate.js';
import { registerHealth } from './health.js';
import { pathsCommand } from './paths.js';
import { provisionCommand } from './provision.js';
import { DEFAULT_SINCE, parseDistributionIds, parseSince, reportCommand } from './report.js';
import { statusCommand } from './status.js';
import { registerUpload } from './upload.js';
import { registerUrl } from './url.js';

const PROVISION_HELP = `
Examples:
  $ npx cdn-pipeline provision --bucket my-content --alias cdn.example.com \\
      --certificate arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0123456789ab \\
      --price-class PriceClass_100
  $ npx cdn-pipeline provision --spec media.json --stage prod --json
  $ npx cdn-pipeline provision --bucket my-content --no-wait
  $ npx cdn-pipeline provision --bucket charts-prod --distribution E2EXAMPLE1ABCD --dry-run
  $ npx cdn-pipeline provision --bucket cdn-pipeline-local-content --local   # npm start's

The spec file is JSON with the distribution spec's fields (bucket, name, aliases,
certificateArn, priceClass, geo, contentClasses, headers, cors, errors, logging,
additionalMetrics, webAclArn, tags, ...); flags override its fields. The spec is checked
before anything is created. Re-running with the same bucket and name finds the same
distribution: it is updated when the spec changed, never created twice.

--distribution ID adopts a distribution set up outside the pipeline, keeping what the spec
does not speak about (its own behaviours, aliases, functions, WAF, logging). --dry-run prints
the change field by field and its ETag, changing nothing; the real run needs --if-match with
that ETag and is refused if the distribution changed since. An OAI it reads the bucket with is
retired only once the OAC config is Deployed (the bucket policy grants both until then).

Deployed runs start the state machine of stack cdn-pipeline-<stage> (its output
ProvisionStateMachineArn, or --state-machine-arn) with the standard AWS credentials and
watch it. Ctrl-C stops watching, not the run; npx cdn-pipeline status shows the result.
--local runs the workflow in this process against the emulator (see "Which stack" below).

Exit codes:
  0  the distribution is Deployed (with --no-wait: the run started)
  1  the run failed (its failing step and cause are printed), or could not start (no stack,
     no emulator)
  2  bad usage or an invalid spec: nothing was created
  4  timed out while CloudFront was still deploying: it carries on; run the same command
     again to resume waiting (nothing is created twice)
${TARGET_HELP}
`;

const PROGRAM_HELP = `
Exit codes: 0 done, 1 failed, 2 bad usage, 3 partly done (work deferred), 4 timed out
(provision: still deploying). Run "cdn-pipeline help <command>" for a command's options.

Every command takes --local, --port, --stage and --region with the same defaults.
${TARGET_HELP}
`;

export function program(): Command {
  const cli = new Command('cdn-pipeline')
    .description(
      'CloudFront in front of private S3 buckets: provisioning, status, URLs, health, reports, invalidations and paths.',
    )
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', PROGRAM_HELP);
  addProvision(cli);
  addStatus(cli);
  addReport(cli);
  registerUrl(cli, EXIT);
  registerUpload(cli);
  registerHealth(cli, EXIT);
  const invalidate = cli
    .command('invalidate')
    .description(
      'Invalidate keys on every distribution that serves the bucket, within the in-flight quotas.',
    )
    .requiredOption('-b, --bucket <name>', 'the content bucket')
    .argument('<keys...>', 'S3 keys as stored (not URL-encoded)')
    .option('-d, --distribution <ids>', 'only these distributions (comma list)', csv)
    .option('--json', 'print JSON for scripts');
  addTargetOptions(invalidate)
    .addHelpText(
      'after',
      `\nExit codes: 0 done, 1 failed, 2 bad usage, 3 work deferred.\n${TARGET_HELP}\n`,
    )
    .action(outcomeAction(invalidateCommand));
  const paths = cli
    .command('paths')
    .description(
      'Show the CloudFront path (and invalidation path) of S3 keys, as the pipeline maps them.',
    )
    .argument('<keys...>', 'S3 keys as stored')
    .option('--origin-path <path>', "the origin's OriginPath, e.g. /prod", '')
    .option('--json', 'print JSON for scripts');
  // Accepted like on every command (scripts add them everywhere); paths calls nothing.
  addTargetOptions(paths, { hidden: true }).action((keys: string[], options) => {
    process.exitCode = pathsCommand(keys, options);
  });
  return cli;
}

function addProvision(cli: Command): void {
  const provision = cli
    .command('provision')
    .summary('Create or update the distribution of a bucket, and wait until it is Deployed.')
    .description(
      'Create (or update) a production-grade CloudFront distribution in front of a private S3 ' +
        'bucket and wait until it is Deployed: origin access control, cache and security-header ' +
        "policies, the bucket policy statement, a 'ready' mail. Runs the stack's provisioning " +
        'state machine; --local runs the same workflow in this process against the emulator.',
    )
    .option('-b, --bucket <name>', 'the content bucket (required here or in --spec)')
    .option(
      '--name <label>',
      'short name for the distribution and its policies (default: from the bucket)',
    )
    .option(
      '--alias <host>',
      'custom domain name; repeat or comma-list (needs --certificate)',
      collect,
      [],
    )
    .option('--certificate <arn>', 'ACM certificate in us-east-1 that covers the aliases')
    .option('--price-class <class>', 'PriceClass_100 (default), PriceClass_200 or PriceClass_All')
    .addOption(
      new Option(
        '--geo-allow <codes>',
        'serve only these countries (ISO 3166-1 alpha-2, comma list)',
      )
        .argParser(list)
        .conflicts('geoBlock'),
    )
    .addOption(
      new Option('--geo-block <codes>', 'refuse these countries (comma list)').argParser(list),
    )
    .option(
      '--cors-origin <origin>',
      'send CORS headers for this https origin (repeat; "*" for any)',
      collect,
      [],
    )
    .option('--additional-metrics', 'turn on additional metrics (CacheHitRate; billed per metric)')
    .option('--web-acl <arn>', 'WAFv2 web ACL with scope CLOUDFRONT to attach')
    .option('--log-bucket <name>', 'bucket for standard access logs')
    .option('--spec <file>', 'JSON file with the distribution spec; flags override its fields')
    .option(
      '--poll-seconds <n>',
      'seconds between deployment checks, 5 to 600 (default 30)',
      wholeNumber,
    )
    .option(
      '--max-wait-minutes <n>',
      'stop waiting for Deployed after this long (default 45)',
      positiveNumber,
    )
    .addOption(
      new Option(
        '--state-machine-arn <arn>',
        'use this state machine instead of the stack output',
      ).env('CDN_PIPELINE_STATE_MACHINE_ARN'),
    )
    .option('--distribution <id>', 'adopt this existing distribution (see --dry-run, --if-match)')
    .option('--dry-run', 'with --distribution: print the change field by field, change nothing')
    .option('--if-match <etag>', 'with --distribution: the ETag --dry-run printed (required)')
    .option('--allow-public', 'provision even if the bucket is public (a warning, not a refusal)')
    .option('--json', 'print one JSON object at the end (progress goes to stderr)')
    .option('--no-wait', 'start the run, print its execution ARN and exit (deployed runs)')
    .addOption(new Option('--watch-seconds <n>').argParser(positiveNumber).hideHelp());
  addTargetOptions(provision)
    .addHelpText('after', PROVISION_HELP)
    .action(outcomeAction(provisionCommand));
}

function addStatus(cli: Command): void {
  const status = cli
    .command('status')
    .summary('List the distributions cdn-pipeline manages, with status, domain and bucket.')
    .description(
      'List the distributions cdn-pipeline manages (tag cdn-pipeline:managed=true) of the ' +
        'stage: status, domain, aliases, origin bucket, name.',
    )
    .option('-b, --bucket <name>', 'only the distributions serving this bucket')
    .option('--json', 'print JSON for scripts');
  addTargetOptions(status)
    .addHelpText(
      'after',
      `\nExit codes: 0 listed (also when none), 1 failed, 2 bad usage.\n${TARGET_HELP}\n`,
    )
    .action(outcomeAction(statusCommand));
}

const REPORT_HELP = `
Examples:
  $ npx cdn-pipeline report                       # the last 24 h against the 24 h before
  $ npx cdn-pipeline report --since 6h --stage prod
  $ npx cdn-pipeline report --since 7d --distribution E2EXAMPLE1ABCD --json
  $ npx cdn-pipeline report --local --since 15m   # the emulator of npm start
  $ npx cdn-pipeline report --port 4567 --stage demo   # npm start --port 4567 --stage demo

The same report as the digest mail: per distribution requests, request-weighted hit rate,
4xx/5xx, origin latency and bytes with the change against the previous window; invalidation
spend this month against the 1,000 free paths; recommendations with their evidence. Nothing
is mailed and no alarm state is read or written. Deployed runs read the stack
cdn-pipeline-<stage>'s outputs (default names otherwise); CloudFront metrics come from
us-east-1 whatever --region says.

Exit codes: 0 printed, 1 nothing could be read (no credentials, metrics refused), 2 bad usage.
${TARGET_HELP}
`;

function addReport(cli: Command): void {
  const report = cli
    .command('report')
    .summary('Print the digest now: traffic, hit rate, errors, trends, spend, recommendations.')
    .description(
      'Print the report the digest mail carries, for the last --since (default 24h) against the ' +
        'window of the same length before it. Mails nothing, touches no alarm state.',
    )
    .option(
      '--since <duration>',
      `window length: 15m, 6h, 24h, 7d (default ${DEFAULT_SINCE})`,
      parseSince,
    )
    .option(
      '-d, --distribution <ids>',
      'only these distributions, managed or not (comma list; repeatable)',
      parseDistributionIds,
    )
    .option('--json', 'print JSON for scripts');
  addTargetOptions(report).addHelpText('after', REPORT_HELP).action(outcomeAction(reportCommand));
}

/** Repeatable option: `--alias a --alias b,c` → ['a', 'b', 'c']. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...list(value)];
}

function list(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new InvalidArgumentError('expected a value (or a comma-separated list)');
  return items;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a whole number');
  }
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('expected a number above 0');
  }
  return n;
}

function csv(value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length)
    throw new InvalidArgumentError('expected a comma-separated list of distribution ids');
  return list;
}

export async function main(argv: readonly string[]): Promise<number> {
  process.exitCode = EXIT.ok;
  try {
    await program().parseAsync([...argv]);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    console.error(`cdn-pipeline: ${(error as Error).message}`);
    return EXIT.failed;
  }
}
