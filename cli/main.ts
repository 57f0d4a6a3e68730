/**
 * The `cdn-pipeline` command line. Every command prints a table for people and `--json` for
 * scripts; exit codes: 0 done, 1 failed, 2 bad usage, 3 partly done (work deferred).
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { invalidateCommand } from './invalidate.js';
import { pathsCommand } from './paths.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;

export function program(): Command {
  const cli = new Command('cdn-pipeline')
    .description(
      'CloudFront in front of private S3 buckets: invalidations, URLs and the local pipeline.',
    )
    .showHelpAfterError()
    .exitOverride();
  cli
    .command('invalidate')
    .description(
      'Invalidate keys on every distribution that serves the bucket, within the in-flight quotas.',
    )
    .requiredOption('-b, --bucket <name>', 'the content bucket')
    .argument('<keys...>', 'S3 keys as stored (not URL-encoded)')
    .option('-d, --distribution <ids>', 'only these distributions (comma list)', csv)
    .option('--json', 'print JSON for scripts')
    .action(async (keys: string[], options) => {
      process.exitCode = await invalidateCommand(keys, options);
    });
  cli
    .command('paths')
    .description(
      'Show the CloudFront path (and invalidation path) of S3 keys, as the pipeline maps them.',
    )
    .argument('<keys...>', 'S3 keys as stored')
    .option('--origin-path <path>', "the origin's OriginPath, e.g. /prod", '')
    .option('--json', 'print JSON for scripts')
    .action((keys: string[], options) => {
      process.exitCode = pathsCommand(keys, options);
    });
  return cli;
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
