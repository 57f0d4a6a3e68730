/**
 * `cdn-pipeline provision`, the end of a run: the distribution and an example URL, or the
 * failing step and its cause, or how to resume a wait that timed out; a table for people, one
 * JSON object with `--json`. Whatever ran the workflow (deployed or local).
 */
import type { Outcome } from './context.js';
import type { RunObserver } from './progress.js';
import { causeMessage } from './executionHistory.js';
import { fields, formatElapsed, type Printer } from './progress.js';

/** The error the workflow ends with when the distribution is still deploying. */
export const NOT_DEPLOYED = 'DistributionNotDeployed';

/** The workflow's output on success (the ASL's `Provisioned` state). */
export interface ProvisionedOutput {
  readonly distributionId: string;
  readonly arn: string;
  readonly domainName: string;
  readonly status: string;
  readonly action: string;
  readonly url: string;
  readonly aliases: string[];
  readonly polls: number;
}

/** How a run ended, whatever ran it. */
export interface RunResult {
  readonly mode: 'deployed' | 'local';
  readonly executionArn: string;
  readonly executionStatus: string;
  readonly output?: ProvisionedOutput;
  readonly error?: string;
  readonly cause?: string;
  readonly elapsedMs: number;
  readonly transitions?: number;
}

/** `https://<first alias that is not a wildcard, else the domain>/`. */
export function exampleUrl(domainName: string, aliases: readonly string[]): string {
  const host = aliases.find((a) => !a.startsWith('*.')) ?? domainName;
  return `https://${host}/`;
}

function succeeded(result: RunResult, observer: RunObserver, print: Printer): void {
  const out = result.output!;
  const changes = [...(observer.distribution?.changes ?? [])];
  const url = exampleUrl(out.domainName, out.aliases);
  const { mode, executionArn, executionStatus, elapsedMs, transitions } = result;
  if (print.json) {
    const extra = transitions !== undefined ? { transitions } : {};
    print.result({
      outcome: 'ready',
      mode,
      executionArn,
      executionStatus,
      ...out,
      url,
      changes,
      elapsedMs,
      ...extra,
    });
    return;
  }
  const rows: Array<[string, string]> = [
    ['id', out.distributionId],
    ['domain', out.domainName],
    ['aliases', out.aliases.join(', ') || '(none)'],
    ['url', url],
    ['action', changes.length ? `${out.action}: ${changes.join(', ')}` : out.action],
    ['status', `${out.status} after ${out.polls} poll${out.polls === 1 ? '' : 's'}`],
    ['elapsed', formatElapsed(elapsedMs)],
    ...(transitions !== undefined
      ? [['transitions', String(transitions)] as [string, string]]
      : []),
    ['execution', executionArn],
  ];
  print.out(`\nDistribution ready: ${out.distributionId} (${out.action})\n${fields(rows)}`);
}

function failed(result: RunResult, observer: RunObserver, print: Printer): Outcome {
  const timedOut = result.error === NOT_DEPLOYED || result.executionStatus === 'TIMED_OUT';
  const step = observer.failedStep ?? (timedOut ? 'CheckDeployment' : undefined);
  const error = result.error ?? result.executionStatus;
  const cause = causeMessage(result.cause);
  const { distributionId, domainName } = observer.distribution ?? {};
  const { mode, executionArn, executionStatus, elapsedMs } = result;
  if (print.json) {
    const found = distributionId ? { distributionId, domainName } : {};
    const at = step ? { step } : {};
    const outcome = timedOut ? 'timeout' : 'failed';
    print.result({
      outcome,
      mode,
      executionArn,
      executionStatus,
      ...at,
      error,
      cause,
      ...found,
      elapsedMs,
    });
  }
  const lines = timedOut
    ? [
        `cdn-pipeline: distribution ${distributionId ?? ''} is still deploying (${error} after ${formatElapsed(elapsedMs)}).`,
        '  CloudFront keeps deploying it. Run the same provision command again to resume waiting:',
        '  it finds the same distribution and creates nothing twice. Or check: npx cdn-pipeline status',
      ]
    : [
        step
          ? `cdn-pipeline: provisioning failed at ${step}: ${error}`
          : `cdn-pipeline: provisioning ended ${executionStatus}${error !== executionStatus ? `: ${error}` : ''}`,
        ...(cause ? [`  ${cause}`] : []),
      ];
  print.err([...lines, `  execution  ${executionArn}`].join('\n'));
  return timedOut ? 'timedOut' : 'failed';
}

export function report(result: RunResult, observer: RunObserver, print: Printer): Outcome {
  print.progress.end?.();
  if (result.executionStatus === 'SUCCEEDED' && result.output) {
    succeeded(result, observer, print);
    return 'ok';
  }
  return failed(result, observer, print);
}
