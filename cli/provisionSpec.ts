/**
 * `cdn-pipeline provision`, part one: the distribution spec and the wait options from the
 * command line (and `--spec file.json`), checked before anything is created.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { waitOptions } from '../functions/provision/validate.js';
import type { TargetFlags } from '../local/target.js';
import { CdnPipelineError, InvalidInputError } from '../shared/errors.js';
import {
  parseDistributionSpec,
  resolvePublicKeyFiles,
  type DistributionSpec,
  type DistributionSpecInput,
} from '../shared/distributionSpec.js';

export interface ProvisionFlags extends TargetFlags {
  readonly bucket?: string;
  readonly name?: string;
  readonly alias?: string[];
  readonly certificate?: string;
  readonly priceClass?: string;
  readonly geoAllow?: string[];
  readonly geoBlock?: string[];
  readonly corsOrigin?: string[];
  readonly additionalMetrics?: boolean;
  readonly webAcl?: string;
  readonly logBucket?: string;
  readonly spec?: string;
  readonly pollSeconds?: number;
  readonly maxWaitMinutes?: number;
  readonly stateMachineArn?: string;
  readonly json?: boolean;
  /** `--no-wait` sets it to false. */
  readonly wait?: boolean;
  /** Seconds between DescribeExecution calls while watching a deployed run (default 3). */
  readonly watchSeconds?: number;
  /** Adopt this existing distribution (`provisionAdopt.ts`). */
  readonly distribution?: string;
  /** With `distribution`: print the change and exit, changing nothing. */
  readonly dryRun?: boolean;
  /** With `distribution`: the ETag the dry run printed; the run refuses if it changed. */
  readonly ifMatch?: string;
}

/** Bad usage: the command line or the spec. Nothing has been created. */
export class UsageError extends CdnPipelineError {}

type SpecObject = Record<string, unknown>;

async function readSpecFile(path: string): Promise<SpecObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--spec ${path}: cannot read it (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--spec ${path}: not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`--spec ${path}: expected a JSON object with the spec's fields`);
  }
  try {
    // privatePrefixes[].publicKeyFile: read here, relative to the spec file (never sent on).
    return resolvePublicKeyFiles(parsed as SpecObject, dirname(path));
  } catch (error) {
    if (error instanceof InvalidInputError)
      throw new UsageError(`--spec ${path}: ${error.message}`);
    throw error;
  }
}

function nested(base: SpecObject, key: string): SpecObject {
  const value = base[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as SpecObject)
    : {};
}

/** The spec as the user wrote it: the file's fields, overridden by the flags given. */
export async function specInput(flags: ProvisionFlags): Promise<DistributionSpecInput> {
  const base = flags.spec ? await readSpecFile(flags.spec) : {};
  const spec: SpecObject = { ...base };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) spec[key] = value;
  };
  set('bucket', flags.bucket);
  set('name', flags.name);
  if (flags.alias?.length) spec.aliases = flags.alias;
  set('certificateArn', flags.certificate);
  set('priceClass', flags.priceClass);
  if (flags.geoAllow) spec.geo = { type: 'allow', countries: flags.geoAllow };
  if (flags.geoBlock) spec.geo = { type: 'block', countries: flags.geoBlock };
  if (flags.corsOrigin?.length) {
    spec.cors = { ...nested(base, 'cors'), allowOrigins: flags.corsOrigin };
  }
  if (flags.additionalMetrics) spec.additionalMetrics = true;
  set('webAclArn', flags.webAcl);
  if (flags.logBucket) spec.logging = { ...nested(base, 'logging'), bucket: flags.logBucket };
  return spec as DistributionSpecInput;
}

/** The wait loop's options as the workflow takes them (only those given). */
export function workflowOptions(flags: ProvisionFlags): {
  pollSeconds?: number;
  maxWaitSeconds?: number;
} {
  const options = {
    ...(flags.pollSeconds !== undefined ? { pollSeconds: flags.pollSeconds } : {}),
    ...(flags.maxWaitMinutes !== undefined
      ? { maxWaitSeconds: Math.round(flags.maxWaitMinutes * 60) }
      : {}),
  };
  try {
    waitOptions(options);
  } catch (error) {
    const field = (error as { field?: string }).field ?? '';
    const flag = field.endsWith('maxWaitSeconds') ? '--max-wait-minutes' : '--poll-seconds';
    throw new UsageError(
      `invalid option: ${flag}: ${(error as Error).message.replace(/^[\w.]+: /, '')}`,
    );
  }
  return options;
}

export function validSpec(input: DistributionSpecInput): DistributionSpec {
  try {
    return parseDistributionSpec(input);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new UsageError(`invalid spec: ${error.message}`);
    }
    throw error;
  }
}
