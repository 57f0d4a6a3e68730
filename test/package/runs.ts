/**
 * The packagings every package test reads, built once per test run by globalSetup.ts: the stack
 * with its defaults, the same stack with `--param` overrides (proof that parameters reach the
 * template), and on buckets the team already has (`contentBuckets`, `contentPrefixes`); and the
 * packagings that must be refused, with what osls said.
 *
 * The stage is `dev`, the one `sls package` uses without `--stage`: on any other stage but
 * `local`, packaging without `alertEmail` is refused (resources/paramChecks.cjs).
 */
export const STAGE = 'dev';
export const PREFIX = `cdn-pipeline-${STAGE}`;

/** The `--param` overrides of the second packaging. */
export const PARAMS = {
  alertEmail: 'ops@example.com',
  invalidateBatchSize: '500',
  invalidateBatchWindow: '30',
  provisionBuckets: 'media-*',
  reportCheckSchedule: 'rate(5 minutes)',
  reportDigestSchedule: 'cron(30 6 ? * MON-FRI *)',
  // Function settings: passed through to the environment only when set.
  hitRateMin: '90',
  invalidateOn: 'all',
  maxInflightPaths: '2000',
  // Cache tags on for every content bucket: keeps ingest's HeadObject grant (optionalGrants.cjs).
  cacheTagBuckets: '*',
} as const;

/** Buckets a team already has, and the prefixes the pipeline watches in them (third packaging). */
export const EXISTING_BUCKETS = ['charts-prod', 'renders-prod'] as const;
export const EXISTING_PREFIXES = ['charts/', 'renders/'] as const;

/** Output folder name → `name=value` params of that packaging. */
export const RUNS = {
  base: [],
  withParams: Object.entries(PARAMS).map(([name, value]) => `${name}=${value}`),
  existingBuckets: [
    `contentBuckets=${EXISTING_BUCKETS.join(',')}`,
    `contentPrefixes=${EXISTING_PREFIXES.join(',')}`,
  ],
} as const satisfies Record<string, readonly string[]>;
export type RunName = keyof typeof RUNS;

/** Packagings osls must refuse while resolving variables (before any build): stage and params. */
export const REFUSED = {
  prodWithoutAlertEmail: { stage: 'prod', params: [] },
  provisionAnyBucket: { stage: STAGE, params: ['provisionBuckets=*'] },
  badContentBucket: { stage: STAGE, params: ['contentBuckets=charts-prod,Renders_Prod'] },
} as const satisfies Record<string, { stage: string; params: readonly string[] }>;
export type RefusedName = keyof typeof REFUSED;

/** Written into the package folder when both packagings are done (or one failed). */
export const STATUS_FILE = 'status.json';
export type PackageStatus =
  | {
      readonly ok: true;
      readonly seconds: Readonly<Record<RunName, number>>;
      /** What osls printed for each refused packaging; null: it packaged (it should not). */
      readonly refused: Readonly<Record<RefusedName, string | null>>;
    }
  | { readonly ok: false; readonly error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where globalSetup.ts packages the stack (one sub-folder per run). */
    packageDir: string;
  }
}
