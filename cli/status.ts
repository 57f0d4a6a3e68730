/**
 * `cdn-pipeline status`: the distributions this pipeline manages (tag `cdn-pipeline:managed=true`)
 * of the target's stage (or with no stage tag), with their status, domain, aliases and origin
 * bucket. A table for people, `--json` for scripts. Nothing found says what other stages hold.
 */
import type { TargetFlags } from '../local/target.js';
import { MANAGED_TAG_KEYS } from '../shared/catalogue.js';
import { cliContext, type Outcome } from './context.js';
import { managedElsewhere, sightingsText } from './elsewhere.js';
import { table } from './format.js';
import { listManagedDistributions, ofStage } from './managed.js';

/** `2025-01-02T03:04:05.000Z` → `2025-01-02 03:04Z`. */
function shortTime(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z` : '';
}

export interface StatusFlags extends TargetFlags {
  readonly json?: boolean;
  readonly bucket?: string;
}

export async function statusCommand(options: StatusFlags): Promise<Outcome> {
  const ctx = cliContext(options);
  const { stage } = ctx.target;
  const { cloudfront } = await ctx.clients();
  const all = await listManagedDistributions(cloudfront);
  const ofBucket = (d: { bucket?: string }) => !options.bucket || d.bucket === options.bucket;
  const shown = all.filter((d) => ofStage(d, stage) && ofBucket(d));
  if (options.json) {
    console.log(JSON.stringify({ distributions: shown }, null, 2));
    return 'ok';
  }
  if (shown.length === 0) {
    const scope = options.bucket ? ` for bucket ${options.bucket}` : '';
    const found = sightingsText(await managedElsewhere(ctx, ofBucket, all));
    console.log(
      `No distributions managed by cdn-pipeline${scope} (tag ${MANAGED_TAG_KEYS.managed}=true) of stage ${stage} in ${ctx.where}; ${found || 'none for any other stage'}. Create one with: npx cdn-pipeline provision --bucket ${options.bucket ?? '<name>'}`,
    );
    return 'ok';
  }
  console.log(
    table(
      ['id', 'status', 'enabled', 'domain', 'aliases', 'bucket', 'name', 'last modified'],
      shown.map((d) => [
        d.id,
        d.status,
        d.enabled ? 'yes' : 'no',
        d.domainName,
        d.aliases.join(',') || '-',
        d.bucket ?? '?',
        d.name ?? '-',
        shortTime(d.lastModified),
      ]),
    ),
  );
  return 'ok';
}
