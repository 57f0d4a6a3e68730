/**
 * `cdn-pipeline provision --distribution ID`: adopting a distribution the team already has.
 *
 * - `--dry-run` prints what the workflow would change, field by field (a table; `--json` for
 *   scripts), computed by the workflow's own preflight, merge and comparison
 *   (`functions/provision/adoptionPreview.ts`), and its ETag; it changes nothing and exits 0.
 * - The real run needs `--if-match <that ETag>`: the workflow refuses (`DistributionChanged`,
 *   exit 1, nothing changed) when the distribution changed since the preview, and its
 *   UpdateDistribution carries the same ETag, so CloudFront refuses a change made in between too.
 *
 * The ETag is the token rather than a saved plan file: CloudFront itself checks it, it fits on a
 * command line, and a preview is cheap to run again.
 */
import { previewAdoption, type AdoptionPreview } from '../functions/provision/adoptionPreview.js';
import type { Json } from '../functions/provision/configChanges.js';
import type { DistributionSpec } from '../shared/distributionSpec.js';
import type { CliContext, Outcome } from './context.js';
import { table } from './format.js';
import type { Printer } from './progress.js';
import { UsageError, type ProvisionFlags } from './provisionSpec.js';

const VALUE_WIDTH = 48;
const DISTRIBUTION_ID = /^[A-Z0-9]{1,64}$/;

/** The workflow input's `adopt`, from the flags; undefined when not adopting. */
export function adoptInput(
  flags: ProvisionFlags,
): { distributionId: string; ifMatch?: string } | undefined {
  const id = flags.distribution;
  if (id === undefined) {
    if (flags.dryRun) {
      throw new UsageError(
        '--dry-run previews an adoption: give the distribution to adopt with --distribution ID',
      );
    }
    if (flags.ifMatch) throw new UsageError('--if-match goes with --distribution ID');
    return undefined;
  }
  if (!DISTRIBUTION_ID.test(id)) {
    throw new UsageError(
      `--distribution: expected a distribution id such as E2EXAMPLE1ABCD (got ${JSON.stringify(id)})`,
    );
  }
  if (!flags.dryRun && !flags.ifMatch) {
    throw new UsageError(
      `adopting ${id} changes a distribution set up outside the pipeline: preview it first with --dry-run, then run again with the --if-match ETAG it prints`,
    );
  }
  return {
    distributionId: id,
    ...(flags.ifMatch && !flags.dryRun ? { ifMatch: flags.ifMatch } : {}),
  };
}

function shown(value: Json | undefined): string {
  if (value === undefined || value === '') return '(none)';
  const behaviour = value as {
    TargetOriginId?: string;
    CachePolicyId?: string;
    Compress?: boolean;
  };
  if (typeof value === 'object' && !Array.isArray(value) && behaviour.TargetOriginId) {
    // A whole behaviour added or removed: what it routes and how it caches.
    return `origin ${behaviour.TargetOriginId}, cache ${behaviour.CachePolicyId ?? '(legacy)'}${behaviour.Compress ? ', compressed' : ''}`;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > VALUE_WIDTH ? `${text.slice(0, VALUE_WIDTH - 1)}…` : text;
}

function command(spec: DistributionSpec, flags: ProvisionFlags, etag: string): string {
  const parts = ['npx cdn-pipeline provision'];
  if (flags.spec) parts.push(`--spec ${flags.spec}`);
  else parts.push(`--bucket ${spec.bucket}`);
  if (flags.name) parts.push(`--name ${flags.name}`);
  parts.push(`--distribution ${flags.distribution!}`, `--if-match ${etag}`);
  if (flags.local || flags.port) parts.push('--local');
  if (flags.stage) parts.push(`--stage ${flags.stage}`);
  return parts.join(' ');
}

function lines(preview: AdoptionPreview, spec: DistributionSpec, flags: ProvisionFlags): string[] {
  const out = [
    `Adopting ${preview.distributionId} (${preview.domainName}) for s3://${spec.bucket} as ${spec.name}: preview, nothing changed`,
    '',
  ];
  if (preview.changes.length === 0) out.push('  distribution config: nothing to change');
  else {
    out.push(
      table(
        ['field', 'now', 'after'],
        preview.changes.map((c) => [c.path, shown(c.before), shown(c.after)]),
      ),
    );
  }
  out.push('');
  if (preview.creates.length) out.push(`  creates first     ${preview.creates.join(', ')}`);
  if (preview.grantStatement) {
    out.push(
      `  bucket policy     adds ${preview.grantStatement} (the OAC, this distribution's SourceArn) before the switch`,
    );
  }
  for (const oai of preview.originAccessIdentities) {
    out.push(
      oai.alsoUsedBy.length
        ? `  OAI ${oai.id}  kept, with its grant: ${oai.alsoUsedBy.join(', ')} still read through it`
        : `  OAI ${oai.id}  ${oai.grantInPolicy ? 'grant removed from the bucket policy and ' : ''}OAI deleted once the OAC config is Deployed`,
    );
  }
  if (preview.tags.length) {
    out.push(`  tags added        ${preview.tags.map((t) => `${t.key}=${t.value}`).join(', ')}`);
  }
  out.push(
    `  etag              ${preview.etag}`,
    '',
    'To adopt it as previewed (refused if it changes before then):',
    `  ${command(spec, flags, preview.etag)}`,
  );
  return out;
}

/** `--dry-run`: prints the preview and changes nothing. */
export async function adoptionDryRun(
  ctx: CliContext,
  flags: ProvisionFlags,
  spec: DistributionSpec,
  print: Printer,
): Promise<Outcome> {
  const clients = await ctx.clients();
  if (ctx.target.kind === 'local') {
    // The same LOCAL-ONLY shims the local workflow runs with, so both see the same ETag.
    const { installLocalCloudFrontShims } = await import('../local/provision.js');
    installLocalCloudFrontShims(clients);
  }
  let preview: AdoptionPreview;
  try {
    preview = await previewAdoption(clients, spec, flags.distribution!, ctx.target.stage);
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'AdoptionRefused' && name !== 'InvalidSpec') throw error;
    if (print.json)
      print.result({ outcome: 'refused', error: name, message: (error as Error).message });
    print.err(`cdn-pipeline: cannot adopt: ${(error as Error).message}`);
    return 'usage';
  }
  if (print.json) {
    print.result({
      outcome: 'preview',
      bucket: spec.bucket,
      name: spec.name,
      ...preview,
      command: command(spec, flags, preview.etag),
    });
  } else {
    print.out(lines(preview, spec, flags).join('\n'));
  }
  return 'ok';
}
