/**
 * `cdn-pipeline url KEY...`: the URL to hand out for each key, one per line (or JSON with kind
 * and expiry). Without `--domain` it finds the distribution serving the bucket and uses its
 * first alias (the custom domain), else its cloudfront.net domain. `--signed` signs with a
 * CloudFront key pair; without one, or when no distribution serves a key, it presigns an S3 URL.
 */
import { readFileSync } from 'node:fs';
import { GetDistributionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  findBucketOrigins,
  servedInvalidations,
  type BucketOrigin,
} from '../shared/distributions.js';
import { InvalidInputError } from '../shared/errors.js';
import {
  loadUrlConfig,
  urlFor,
  validSigningKey,
  URL_LIMITS,
  type SigningKey,
  type UrlResult,
} from '../shared/urls.js';
import type { TargetFlags } from '../local/target.js';
import {
  addTargetOptions,
  cliContext,
  outcomeAction,
  TARGET_HELP,
  type Outcome,
} from './context.js';
import { bucketElsewhere } from './elsewhere.js';

export interface UrlFlags extends TargetFlags {
  readonly bucket?: string;
  readonly domain?: string;
  readonly originPath?: string;
  readonly signed?: boolean;
  readonly keyPairId?: string;
  readonly privateKeyFile?: string;
  /** Seconds (from `--expires 1h`). */
  readonly expires?: number;
  readonly presigned?: boolean;
  readonly json?: boolean;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** `90s`, `15m`, `1h`, `7d` or plain seconds → seconds (1 s to 1 year). */
export function parseExpires(value: string): number {
  const match = /^(\d{1,8})([smhd])?$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as 's'] : 0;
  if (!match || seconds < 1 || seconds > URL_LIMITS.maxConfigurableTtlSeconds) {
    throw new InvalidArgumentError('expected a lifetime like 90s, 15m, 1h or 7d');
  }
  return seconds;
}

class UsageError extends Error {}

/** The first alias that is a host (not `*.example.com`), else the cloudfront.net domain. */
async function hostOf(cloudfront: CloudFrontClient, origin: BucketOrigin): Promise<string> {
  const out = await cloudfront.send(new GetDistributionCommand({ Id: origin.distributionId }));
  const aliases = out.Distribution?.DistributionConfig?.Aliases?.Items ?? [];
  return aliases.find((a) => !a.startsWith('*.')) ?? origin.domainName;
}

function signingKeyFrom(flags: UrlFlags, env: SigningKey | undefined): SigningKey | undefined {
  if (!flags.keyPairId && !flags.privateKeyFile) return env;
  if (!flags.keyPairId || !flags.privateKeyFile) {
    throw new UsageError('--key-pair-id and --private-key-file go together');
  }
  let privateKey: string;
  try {
    privateKey = readFileSync(flags.privateKeyFile, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--private-key-file: cannot read "${flags.privateKeyFile}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const key = { keyPairId: flags.keyPairId, privateKey };
  validSigningKey(key, '--key-pair-id', '--private-key-file');
  return key;
}

interface Printed extends UrlResult {
  readonly key: string;
  readonly distributionId?: string;
}

async function urlsFor(keys: readonly string[], flags: UrlFlags): Promise<Printed[]> {
  const ctx = cliContext(flags);
  let env;
  try {
    env = loadUrlConfig(ctx.env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (flags.presigned && (flags.signed || flags.domain)) {
    throw new UsageError('--presigned goes without --signed and --domain');
  }
  if (flags.presigned && !flags.bucket) throw new UsageError('--presigned needs --bucket');
  // CloudFront turned off (CDN_ENABLED / AWS_ENABLE_CLOUDFRONT false): presigned, as --presigned.
  const presigned = Boolean(flags.presigned) || (!env.cdnEnabled && !flags.domain);
  if (presigned && !flags.bucket) {
    throw new UsageError(
      'CloudFront is off (CDN_ENABLED or AWS_ENABLE_CLOUDFRONT): give --bucket to presign',
    );
  }
  const signingKey = flags.signed ? signingKeyFrom(flags, env.signingKey) : undefined;
  if (flags.signed && !signingKey && !flags.bucket) {
    throw new UsageError(
      '--signed needs --key-pair-id and --private-key-file (or CDN_KEY_PAIR_ID and CDN_PRIVATE_KEY_FILE), or --bucket to presign instead',
    );
  }
  const domain = flags.domain ?? env.domain;
  if (!domain && !flags.bucket) {
    throw new UsageError('give --domain (or CDN_DOMAIN), or --bucket to find its distribution');
  }
  // Clients are lazy: nothing is called unless a key needs discovery or presigning.
  const clients = flags.bucket ? await ctx.clients() : undefined;
  const origins =
    !domain && !presigned && clients
      ? await findBucketOrigins(clients.cloudfront, flags.bucket!)
      : [];
  if (clients && !domain && !presigned && !origins.length) {
    const hint = await bucketElsewhere(ctx, flags.bucket!);
    console.error(`cdn-pipeline: no enabled distribution serves s3://${flags.bucket} (${hint})`);
  }
  const hosts = new Map<string, Promise<string>>();
  const common = {
    signed: Boolean(flags.signed),
    ...(signingKey ? { signingKey } : {}),
    expiresInSeconds: flags.expires ?? env.ttlSeconds,
    maxTtlSeconds: env.maxTtlSeconds,
    ...(env.edgeUrl ? { edgeUrl: env.edgeUrl } : {}), // CDN_LOCAL_EDGE_URL: the local edge
    ...(clients && flags.bucket ? { presign: { s3: clients.s3, bucket: flags.bucket } } : {}),
  };
  const results: Printed[] = [];
  for (const key of keys) {
    if (presigned) {
      results.push({ key, ...(await urlFor(key, common)) });
      continue;
    }
    if (domain) {
      const originPath = flags.originPath ?? env.originPath;
      results.push({ key, ...(await urlFor(key, { ...common, domain, originPath })) });
      continue;
    }
    // Served even when its cache can only be invalidated with a superset, or not at all.
    const origin = origins.find((o) => servedInvalidations(o, key).length > 0);
    if (!origin) {
      results.push({ key, ...(await urlFor(key, common)) });
      continue;
    }
    if (!hosts.has(origin.distributionId)) {
      hosts.set(origin.distributionId, hostOf(clients!.cloudfront, origin));
    }
    const host = await hosts.get(origin.distributionId)!;
    const url = await urlFor(key, { ...common, domain: host, originPath: origin.originPath });
    results.push({ key, distributionId: origin.distributionId, ...url });
  }
  return results;
}

export async function urlCommand(keys: readonly string[], flags: UrlFlags): Promise<Outcome> {
  let results: Printed[];
  try {
    results = await urlsFor(keys, flags);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof InvalidInputError)) throw error;
    console.error(`cdn-pipeline: ${error.message}`);
    return 'usage';
  }
  if (flags.json) {
    console.log(
      JSON.stringify(
        results.map((r) => ({ ...r, expiresAt: r.expiresAt?.toISOString() })),
        null,
        2,
      ),
    );
    return 'ok';
  }
  for (const r of results) {
    console.log(r.url);
    if (r.note) console.error(`cdn-pipeline: ${JSON.stringify(r.key)}: ${r.kind} URL: ${r.note}`);
  }
  return 'ok';
}

const URL_HELP = `
Examples:
  $ npx cdn-pipeline url --bucket my-content "videos/intro film.mp4"
  $ npx cdn-pipeline url --domain cdn.example.com --origin-path /prod prod/a.png prod/b.png
  $ npx cdn-pipeline url --bucket my-content --signed --key-pair-id K2JCJMDEHXQW5F \\
      --private-key-file private_key.pem --expires 1h reports/q3.pdf
  $ npx cdn-pipeline url --bucket my-content --presigned --expires 15m drafts/a.png --json

Keys are S3 keys as stored (not URL-encoded); the URL's path is the same encoding the pipeline
invalidates. Without --domain the distribution serving the bucket is found, and its first alias
(custom domain) used, else its cloudfront.net domain. Keys no distribution serves, and --signed
without a key pair, get a presigned S3 URL (at most 7 days; with temporary credentials, until
they expire) and a note on stderr. Signed URLs last at most 7 days unless
CDN_URL_MAX_TTL_SECONDS says more. Defaults come from CDN_DOMAIN, CDN_ORIGIN_PATH,
CDN_KEY_PAIR_ID, CDN_PRIVATE_KEY_FILE and CDN_URL_TTL_SECONDS (default 1h).

Exit codes: 0 printed, 1 AWS failed (no credentials, access denied), 2 bad usage or a bad key.
${TARGET_HELP}
`;

/** Adds `url` to the program; `exit` is main's EXIT (outcome → exit code). */
export function registerUrl(program: Command, exit: Readonly<Record<Outcome, number>>): void {
  const url = program
    .command('url')
    .summary('Print the URL to hand out for S3 keys: CloudFront, signed, or presigned S3.')
    .description(
      'Print a permanent CloudFront URL per key (custom domain when the distribution has one), ' +
        'a signed URL with --signed, or a presigned S3 URL as the fallback.',
    )
    .argument('<keys...>', 'S3 keys as stored (not URL-encoded)')
    .option('-b, --bucket <name>', 'the content bucket (finds its distribution; presigns from it)')
    .option('--domain <host>', 'the CloudFront host to use (alias or d….cloudfront.net)')
    .option('--origin-path <path>', "with --domain: the origin's OriginPath, e.g. /prod")
    .option('--signed', 'sign the URL (private content)')
    .option('--key-pair-id <id>', 'CloudFront public key id in the trusted key group')
    .option('--private-key-file <pem>', 'its RSA private key (PEM file)')
    .addOption(
      new Option(
        '--expires <lifetime>',
        'lifetime of signed/presigned URLs: 90s, 15m, 1h, 7d',
      ).argParser(parseExpires),
    )
    .option('--presigned', 'a presigned S3 URL, whatever serves the bucket')
    .option('--json', 'print JSON: key, url, kind, expiresAt');
  addTargetOptions(url)
    .addHelpText('after', URL_HELP)
    .action(outcomeAction((keys: string[], flags: UrlFlags) => urlCommand(keys, flags), exit));
}
