/**
 * `cdn-pipeline upload FILE KEY --bucket B --cache-tag a,b`: uploads a file with cache tags as
 * its `cache-tag` metadata (what a distribution with `cacheTagHeader: x-amz-meta-cache-tag`
 * reads), so the pipeline can invalidate `#a` instead of each path. `--tag-members a=501` says
 * how many objects carry a tag (the planner uses a tag only when it knows that). Tags are checked
 * before anything is uploaded: a bad one is bad usage (exit 2).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { uploadWithCacheTag } from '../shared/cacheTagUpload.js';
import { InvalidInputError } from '../shared/errors.js';
import { cacheTagMetadata, cacheTagProblem } from '../shared/invalidation/cacheTags.js';
import type { TargetFlags } from '../local/target.js';
import {
  addTargetOptions,
  cliContext,
  outcomeAction,
  TARGET_HELP,
  type Outcome,
} from './context.js';

export interface UploadFlags extends TargetFlags {
  readonly bucket: string;
  readonly cacheTag: string[];
  readonly tagMembers?: Record<string, number>;
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly json?: boolean;
}

const UPLOAD_HELP = `
Examples:
  $ npx cdn-pipeline upload seg-00001.ts hls/title-7/seg-00001.ts -b my-content \\
      --cache-tag title:7 --tag-members title:7=501 --content-type video/mp2t
  $ npx cdn-pipeline upload index.html site/index.html -b my-content --cache-tag page:home --json

Tags: printable ASCII (33–126), no commas, at most 256 characters, at most 50 an object,
case-insensitive. The distribution must read them (spec field cacheTagHeader:
"x-amz-meta-cache-tag"), and ingest must be told the bucket (CACHE_TAG_BUCKETS).

Exit codes: 0 uploaded, 1 failed, 2 bad usage (a bad tag: nothing uploaded).
${TARGET_HELP}
`;

/** `--cache-tag a,b` (repeatable) → ['a', 'b'], each checked. */
function tagList(value: string, previous: string[] = []): string[] {
  const tags = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tags.length === 0) throw new InvalidArgumentError('expected one tag or a comma list');
  for (const tag of tags) {
    const problem = cacheTagProblem(tag);
    if (problem) throw new InvalidArgumentError(`cache tag ${JSON.stringify(tag)} ${problem}`);
  }
  return [...previous, ...tags];
}

/** `--tag-members a=501` (repeatable) → { a: 501 }. */
function members(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const at = value.lastIndexOf('=');
  const count = Number(value.slice(at + 1));
  if (at <= 0 || !/^\d+$/.test(value.slice(at + 1)) || count < 1)
    throw new InvalidArgumentError('expected TAG=COUNT, a whole number ≥ 1 (title:7=501)');
  return { ...previous, [value.slice(0, at)]: count };
}

export async function uploadCommand(
  file: string,
  key: string,
  flags: UploadFlags,
): Promise<Outcome> {
  // Checked before reading the file or reaching S3: a bad combination uploads nothing.
  try {
    cacheTagMetadata(flags.cacheTag, flags.tagMembers ?? {});
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    console.error(`cdn-pipeline: --cache-tag: ${error.message}`);
    return 'usage';
  }
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch (error) {
    console.error(
      `cdn-pipeline: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return 'usage';
  }
  const ctx = cliContext(flags);
  const { s3 } = await ctx.clients();
  const result = await uploadWithCacheTag(s3, {
    bucket: flags.bucket,
    key,
    body,
    tags: flags.cacheTag,
    ...(flags.tagMembers ? { members: flags.tagMembers } : {}),
    ...(flags.contentType ? { contentType: flags.contentType } : {}),
    ...(flags.cacheControl ? { cacheControl: flags.cacheControl } : {}),
  });
  if (flags.json) console.log(JSON.stringify({ ...result, bytes: body.length }, null, 2));
  else
    console.log(
      `uploaded s3://${result.bucket}/${result.key} (${body.length} bytes${result.versionId ? `, version ${result.versionId}` : ''}) with cache tags ${flags.cacheTag.join(',')}`,
    );
  return 'ok';
}

export function registerUpload(program: Command): void {
  const upload = program
    .command('upload')
    .summary('Upload a file with cache tags, so its changes can be invalidated by tag.')
    .description(
      'Upload FILE as KEY with its cache tags as `cache-tag` metadata (served as ' +
        'x-amz-meta-cache-tag, read by distributions with cacheTagHeader).',
    )
    .argument('<file>', 'the local file')
    .argument('<key>', 'the S3 key as stored (not URL-encoded)')
    .requiredOption('-b, --bucket <name>', 'the content bucket')
    .requiredOption('--cache-tag <tags>', 'cache tags, comma list (repeatable)', tagList)
    .option('--tag-members <tag=count>', 'how many objects carry a tag (repeatable)', members)
    .option('--content-type <type>', 'the object Content-Type')
    .option('--cache-control <value>', 'the object Cache-Control')
    .option('--json', 'print JSON for scripts');
  addTargetOptions(upload).addHelpText('after', UPLOAD_HELP).action(outcomeAction(uploadCommand));
}
