/**
 * `cdn-pipeline report`: the digest, now, for any window (`--since 15m` … `7d`) against the
 * window of the same length before it: one line per distribution (requests, request-weighted hit
 * and error rates, origin latency, bytes, trends), invalidation spend this month against the
 * 1 000 free paths, and the recommendations with their evidence. It runs the digest core with
 * `publish: false`: nothing is mailed, and the alarm state is never read or written.
 *
 * Deployed runs read the stack `cdn-pipeline-<stage>`'s outputs (dashboard, table, topic) and
 * fall back to the names the stage implies; a local target reads the emulator.
 *
 * Over 300 lines: flags, config and the terminal layout of one report read in one pass; its
 * numbers, durations and mail wording come from shared/text/ and the digest mail.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { InvalidArgumentError } from 'commander';
import { runDigest } from '../functions/report/digest.js';
import type { DigestResult } from '../functions/report/types.js';
import { ConfigError } from '../shared/errors.js';
import { loadReportConfig, type ReportConfig } from '../functions/report/config.js';
import { formatTime } from '../shared/text/durations.js';
import { wrap } from '../shared/text/layout.js';
import { dashboardUrl } from '../shared/text/links.js';
import { formatChange, formatInteger, formatUsd } from '../shared/text/numbers.js';
import { hitRateUnknownReason, overviewCells, RATES_NOTE } from '../functions/report/digestMail.js';
import { trend, type TrafficSummary } from '../functions/report/metrics.js';
import { bySeverity } from '../functions/report/recommendationModel.js';
import type { Spend } from '../functions/report/spend.js';
import type { TargetFlags } from '../local/target.js';
import { cliContext, type Outcome } from './context.js';
import { noManagedDistributions } from './elsewhere.js';
import { table } from './format.js';

export interface ReportFlags extends TargetFlags {
  /** Minutes, from {@link parseSince}. */
  readonly since?: number;
  readonly json?: boolean;
  readonly distribution?: string[];
}

export const DEFAULT_SINCE = '24h';
/** 1-minute datapoints are kept 15 days: a 7-day window and the 7 days before it fit. */
const MAX_SINCE_MINUTES = 7 * 24 * 60;
const UNIT_MINUTES = { m: 1, h: 60, d: 24 * 60 } as const;
const STACK_OUTPUTS = {
  dashboard: 'DashboardName',
  table: 'AlarmStateTableName',
  topic: 'AlertsTopicArn',
} as const;
/** Stands in for the topic when the stack has none: a report run never publishes. */
const UNUSED_ACCOUNT = '000000000000';
const DISTRIBUTION_ID = /^[A-Z0-9]{1,64}$/;
/** Recommendation text is wrapped here (a terminal, not a phone: wider than the mail's 72). */
const TEXT_WIDTH = 100;

// ── Flags ───────────────────────────────────────────────────────────────────────────────────

/** `15m`, `6h`, `24h`, `7d` → minutes (1 minute to 7 days). */
export function parseSince(value: string): number {
  const match = /^(\d{1,5})([mhd])$/.exec(value.trim());
  const minutes = match ? Number(match[1]) * UNIT_MINUTES[match[2] as 'm' | 'h' | 'd'] : 0;
  if (!match || minutes < 1 || minutes > MAX_SINCE_MINUTES) {
    throw new InvalidArgumentError(
      'expected a duration like 15m, 6h, 24h or 7d (1 minute to 7 days)',
    );
  }
  return minutes;
}

/** `E1ABC,E2DEF` → ids, each checked. */
export function parseDistributionIds(value: string, previous: string[] = []): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!ids.length || ids.some((id) => !DISTRIBUTION_ID.test(id))) {
    throw new InvalidArgumentError('expected CloudFront distribution ids (E2EXAMPLE1,E3EXAMPLE2)');
  }
  return [...previous, ...ids];
}

/** `15` → `15 min`, `360` → `6 h`, `10080` → `7 days`. */
export function windowLabel(minutes: number): string {
  if (minutes % UNIT_MINUTES.d === 0 && minutes >= 2 * UNIT_MINUTES.d)
    return `${minutes / UNIT_MINUTES.d} days`;
  if (minutes % UNIT_MINUTES.h === 0) return `${minutes / UNIT_MINUTES.h} h`;
  return `${minutes} min`;
}

// ── Config ──────────────────────────────────────────────────────────────────────────────────

type StackOutputs = ReadonlyMap<string, string>;

/** The stack's outputs, or nothing (no stack, no permission): the stage's names then serve. */
async function stackOutputs(
  cloudformation: CloudFormationClient,
  stage: string,
  note: (line: string) => void,
): Promise<StackOutputs> {
  const stack = `cdn-pipeline-${stage}`;
  try {
    const out = await cloudformation.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = out.Stacks?.[0]?.Outputs ?? [];
    return new Map(outputs.map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    const e = error as { name?: string; message?: string };
    note(
      `cdn-pipeline: stack ${stack} not read (${e.name ?? 'Error'}: ${e.message ?? ''}); ` +
        "using the stage's default names",
    );
    return new Map();
  }
}

/**
 * The report config for a stage: what the deployed functions get from serverless.yml, from the
 * stack's outputs where it has them. Thresholds and K are not used by the report (the check uses
 * them); they take their defaults.
 */
export function reportConfigFor(options: {
  stage: string;
  region: string;
  local: boolean;
  outputs: StackOutputs;
  distributionIds: readonly string[];
}): ReportConfig {
  const { stage, region, outputs } = options;
  const prefix = `cdn-pipeline-${stage}`;
  const dashboard = options.local ? '' : (outputs.get(STACK_OUTPUTS.dashboard) ?? prefix);
  return loadReportConfig({
    STAGE: stage,
    AWS_REGION: region,
    ALERTS_TOPIC_ARN:
      outputs.get(STACK_OUTPUTS.topic) ??
      `arn:aws:sns:${region}:${UNUSED_ACCOUNT}:${prefix}-alerts`,
    ALARM_TABLE: outputs.get(STACK_OUTPUTS.table) ?? `${prefix}-alarm-state`,
    DASHBOARD_NAME: dashboard,
    METRICS_NAMESPACE: 'CdnPipeline',
    INVALIDATE_SERVICE_NAME: `${prefix}-invalidate`,
    DISTRIBUTION_IDS: options.distributionIds.join(','),
  });
}

// ── Output ──────────────────────────────────────────────────────────────────────────────────

interface Row {
  readonly current: TrafficSummary;
  readonly previous: TrafficSummary | undefined;
}

function rows(result: DigestResult): Row[] {
  const previous = new Map(result.previous.map((p) => [p.distributionId, p]));
  return result.distributions.map((current) => ({
    current,
    previous: previous.get(current.distributionId),
  }));
}

/** Every trend of a row: rates in percentage points, counts as a fraction (0.25 = +25 %). */
function trends(row: Row) {
  const { current: c, previous: p } = row;
  return {
    requests: trend(c.requests, p?.requests, 'count'),
    hitRate: trend(c.hitRate, p?.hitRate, 'rate'),
    errorRate4xx: trend(c.errorRate4xx, p?.errorRate4xx, 'rate'),
    errorRate5xx: trend(c.errorRate5xx, p?.errorRate5xx, 'rate'),
    originLatencyMs: trend(c.originLatencyMs, p?.originLatencyMs, 'count'),
    bytesDownloaded: trend(c.bytesDownloaded, p?.bytesDownloaded, 'count'),
  };
}

/** The structured report: what `--json` prints (unknown values are `null`, never invented). */
export function reportJson(
  result: DigestResult,
  stage: string,
  sinceMinutes: number,
  dashboard?: string,
) {
  return {
    stage,
    since: windowLabel(sinceMinutes),
    window: result.window,
    previousWindow: result.previousWindow,
    distributions: rows(result).map((row) => ({
      distributionId: row.current.distributionId,
      current: row.current,
      previous: row.previous ?? null,
      trend: trends(row),
    })),
    spend: result.spend ?? null,
    recommendations: result.recommendations,
    skipped: result.skipped,
    dashboard: dashboard ?? null,
    mailed: false,
  };
}

function overview(result: DigestResult): string[] {
  const all = rows(result);
  const lines = [
    table(
      ['distribution', 'requests', 'change', 'hit', 'change', '4xx', '5xx', 'origin', 'bytes'],
      all.map((row) => {
        const t = trends(row);
        const c = overviewCells(row.current);
        return [
          row.current.distributionId,
          c.requests,
          formatChange(t.requests.change, 'count'),
          c.hitRate,
          formatChange(t.hitRate.change, 'rate'),
          c.errorRate4xx,
          c.errorRate5xx,
          c.origin,
          c.bytes,
        ];
      }),
    ),
    '',
  ];
  for (const { current: c } of all)
    if (c.hitRate === undefined)
      lines.push(`hit n/a for ${c.distributionId}: ${hitRateUnknownReason(c)}`);
  lines.push(RATES_NOTE);
  return lines;
}

function spendLine(spend: Spend | undefined): string {
  if (!spend) return 'Invalidation spend this month: could not be read';
  const above =
    spend.billablePaths > 0
      ? `${formatInteger(spend.billablePaths)} above it, about ${formatUsd(spend.estimatedUsd)}`
      : 'none above it, $0.00';
  const projected =
    spend.projectedPaths !== undefined
      ? `; month projected ${formatInteger(spend.projectedPaths)} paths`
      : '';
  return (
    `Invalidation spend this month (per account): ${formatInteger(spend.pathsBilled)} of ` +
    `${formatInteger(spend.freePaths)} free paths, ${above}${projected}`
  );
}

function recommendationLines(result: DigestResult): string[] {
  const recs = [...result.recommendations].sort(bySeverity);
  if (!recs.length) return ['Recommendations: none'];
  const out = [`Recommendations (${recs.length})`];
  recs.forEach((r, i) => {
    const n = `  ${i + 1}. `;
    const pad = ' '.repeat(n.length);
    const hang = `${pad}${' '.repeat(10)}`;
    const title = `[${r.severity}] ${r.distributionId ? `${r.distributionId}: ` : ''}${r.title}`;
    out.push(...wrap(title, pad, n, TEXT_WIDTH));
    out.push(...wrap(r.evidence, hang, `${pad}evidence  `, TEXT_WIDTH));
    out.push(...wrap(r.expectedEffect, hang, `${pad}expected  `, TEXT_WIDTH));
  });
  return out;
}

/** The report for people: the digest's content, laid out for a terminal. */
export function formatReport(
  result: DigestResult,
  stage: string,
  sinceMinutes: number,
  dashboard?: string,
): string {
  const label = windowLabel(sinceMinutes);
  const lines = [
    `cdn-pipeline ${stage}: the last ${label}, ${formatTime(result.window.start)} to ` +
      `${formatTime(result.window.end)}, compared with the ${label} before (nothing mailed)`,
    '',
    ...(result.distributions.length
      ? overview(result)
      : [
          `No distributions to report on (tag cdn-pipeline:managed=true of stage ${stage}, ` +
            'or --distribution).',
        ]),
  ];
  if (result.skipped.length) {
    lines.push('', 'Not included:');
    for (const s of result.skipped) lines.push(`  ${s.distributionId}: ${s.reason}`);
  }
  lines.push('', ...wrap(spendLine(result.spend), '  ', '', TEXT_WIDTH));
  lines.push('', ...recommendationLines(result));
  if (dashboard) lines.push('', `Dashboard: ${dashboard}`);
  return lines.join('\n');
}

/** Nothing could be read: discovery failed, or no distribution's metrics could be read. */
function unreadable(result: DigestResult): string | undefined {
  const discovery = result.skipped.find((s) => s.distributionId === '*');
  if (discovery) return discovery.reason;
  const metrics = result.skipped.filter((s) => s.reason.startsWith('metrics unreadable'));
  if (!result.distributions.length && metrics.length) return metrics[0]!.reason;
  return undefined;
}

// ── The command ─────────────────────────────────────────────────────────────────────────────

export async function reportCommand(flags: ReportFlags): Promise<Outcome> {
  const ctx = cliContext(flags);
  const { stage, region } = ctx.target;
  const local = ctx.target.kind === 'local';
  const since = flags.since ?? parseSince(DEFAULT_SINCE);
  const note = (line: string) => console.error(line);
  const clients = await ctx.clients();
  let config: ReportConfig;
  try {
    const outputs = local ? new Map() : await stackOutputs(clients.cloudformation, stage, note);
    const distributionIds = flags.distribution ?? [];
    config = reportConfigFor({ stage, region, local, outputs, distributionIds });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const field =
      error.field === 'STAGE' ? '--stage' : error.field === 'AWS_REGION' ? '--region' : error.field;
    note(`cdn-pipeline: ${field}: ${error.message.slice(error.field.length + 2)}`);
    return 'usage';
  }
  const result = await runDigest({ clients, config }, new Date(), {
    publish: false,
    windowMinutes: since,
    ...(flags.distribution ? { only: flags.distribution } : {}),
  });
  const dashboard = config.dashboardName
    ? dashboardUrl(config.region, config.dashboardName)
    : undefined;
  const none = !result.distributions.length && !flags.distribution;
  const hint = none ? await noManagedDistributions(ctx) : undefined;
  if (flags.json) {
    const json = { ...reportJson(result, stage, since, dashboard), ...(hint ? { hint } : {}) };
    console.log(JSON.stringify(json, (_k, v: unknown) => v ?? null, 2));
  } else {
    console.log(formatReport(result, stage, since, dashboard));
    if (hint) note(`cdn-pipeline: ${hint}`);
  }
  const failure = unreadable(result);
  if (failure) {
    note(`cdn-pipeline: nothing could be read: ${failure}`);
    return 'failed';
  }
  return 'ok';
}
