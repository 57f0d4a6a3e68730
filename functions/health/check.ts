/**
 * What every health check returns, and the helpers the checks share: `{ name, ok, detail, fix? }`
 * with `ok` `'warn'` for what deserves a look but does not break serving; a check that throws
 * (access denied, throttled…) fails with the reason instead of aborting the run.
 */
import type { AwsClients } from '../../shared/clients.js';

export type CheckStatus = true | false | 'warn';

export interface HealthCheck {
  readonly name: string;
  readonly ok: CheckStatus;
  readonly detail: string;
  /** What to do about it (failed and warning checks). */
  readonly fix?: string;
  /** What was detected, for scripts (`--json`): e.g. each Block Public Access flag. */
  readonly facts?: Readonly<Record<string, unknown>>;
}

export type HealthClients = Pick<AwsClients, 's3' | 'sqs' | 'sns' | 'cloudfront'>;

/**
 * What the account being checked is known not to report. A field it drops is then a warning
 * with this text instead of a failure (the CLI passes the emulator's gaps; on AWS: none).
 */
export interface KnownGaps {
  /** Distribution configs come back without `OriginAccessControlId`. */
  readonly originAccessControl?: { readonly detail: string; readonly fix: string };
  /** GetBucketNotificationConfiguration leaves `EventBridgeConfiguration` out: why. */
  readonly eventBridgeDelivery?: { readonly detail: string };
}

export const pass = (name: string, detail: string): HealthCheck => ({ name, ok: true, detail });
export const fail = (name: string, detail: string, fix: string): HealthCheck => ({
  name,
  ok: false,
  detail,
  fix,
});
export const warn = (name: string, detail: string, fix: string): HealthCheck => ({
  name,
  ok: 'warn',
  detail,
  fix,
});

export const errorName = (error: unknown): string =>
  (error as { name?: string } | undefined)?.name ?? '';
export const statusCode = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/** A check that threw (access denied, throttled…) fails with the reason instead of aborting. */
export async function guarded(
  name: string,
  run: () => Promise<HealthCheck[]>,
): Promise<HealthCheck[]> {
  try {
    return await run();
  } catch (error) {
    return [
      fail(
        name,
        `could not check: ${errorName(error) || 'Error'}: ${(error as Error).message}`,
        'check the credentials and their permissions, then run again',
      ),
    ];
  }
}

/** 0 when every check passed or warned, else 'failed'. */
export function healthOutcome(checks: readonly HealthCheck[]): 'ok' | 'failed' {
  return checks.some((c) => c.ok === false) ? 'failed' : 'ok';
}
