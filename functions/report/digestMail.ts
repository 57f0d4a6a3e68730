/**
 * The digest mail, as plain text: an overview table, one small table per distribution (this
 * window against the one before), what was left out, the invalidation spend and the
 * recommendations. Pure; the layout rules are those of `mail.ts`.
 */
import { formatRoughDuration, formatTime } from '../../shared/text/durations.js';
import { ascii, clip, MAX_LINE_WIDTH, padLeft, padRight, wrap } from '../../shared/text/layout.js';
import {
  formatBytes,
  formatChange,
  formatCount,
  formatInteger,
  formatMs,
  formatPercent,
  formatUsd,
} from '../../shared/text/numbers.js';
import { footer, subject, type DistributionLabel, type Mail, type MailContext } from './mail.js';
import { trend, type TrafficSummary } from './metrics.js';
import { bySeverity, type Recommendation } from './recommendationModel.js';
import type { Spend } from './spend.js';
import type { ClassSummary } from './classMetrics.js';
import { classTable } from './classReport.js';
import type { ReportThresholds } from './config.js';

export interface DigestRow {
  readonly distribution: DistributionLabel;
  readonly current: TrafficSummary;
  /** Per content class, from standard logs; absent or empty without logs. */
  readonly classes?: readonly ClassSummary[];
  /** Undefined when the previous window could not be read. */
  readonly previous: TrafficSummary | undefined;
}

export interface DigestRecommendation {
  readonly distributionId: string | undefined;
  readonly recommendation: Recommendation;
}

export interface DigestMailInput {
  readonly window: { readonly start: Date; readonly end: Date };
  /** The class minimums the class tables compare with (default: none shown as breached). */
  readonly classThresholds?: Pick<ReportThresholds, 'hitRateMin' | 'classHitRateMin'>;
  readonly rows: readonly DigestRow[];
  /** Undefined when the spend could not be read (`spendError` says why). */
  readonly spend: Spend | undefined;
  readonly spendError?: string | undefined;
  readonly recommendations: readonly DigestRecommendation[];
  /** Distributions left out, and why (deleted, metrics unreadable). */
  readonly skipped: ReadonlyArray<{ readonly distributionId: string; readonly reason: string }>;
}

/** Why a hit rate is unknown (it is never shown as a number). */
export function hitRateUnknownReason(s: TrafficSummary): string {
  if (!s.additionalMetrics) return 'additional metrics off';
  return s.requests > 0 ? 'no cacheable requests' : 'no requests';
}

/** How the digest's rates and origin column are computed, under every overview. */
export const RATES_NOTE =
  'Rates are weighted by requests per minute; origin is the average origin latency.';

/** One summary's overview cells, as the mail and the CLI show them. */
export function overviewCells(s: TrafficSummary) {
  return {
    requests: formatCount(s.requests),
    hitRate: formatPercent(s.hitRate),
    errorRate4xx: formatPercent(s.errorRate4xx),
    errorRate5xx: formatPercent(s.errorRate5xx),
    origin: formatMs(s.originLatencyMs),
    bytes: formatBytes(s.bytesDownloaded),
  } as const;
}

function overviewTable(rows: readonly DigestRow[]): string[] {
  // id 15 | requests 9 | hit 7 | 4xx 7 | 5xx 7 | origin 8 | bytes 9  → 62 columns
  const cols = [15, 9, 7, 7, 7, 8, 9] as const;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? padRight(clip(c, cols[0]), cols[0]) : padLeft(c, cols[i]!)))
      .join('')
      .trimEnd();
  const out = [line(['distribution', 'requests', 'hit', '4xx', '5xx', 'origin', 'bytes'])];
  for (const { distribution, current: s } of rows) {
    const c = overviewCells(s);
    out.push(
      line([
        distribution.id,
        c.requests,
        c.hitRate,
        c.errorRate4xx,
        c.errorRate5xx,
        c.origin,
        c.bytes,
      ]),
    );
  }
  return out;
}

function detailTable(row: DigestRow, windowLabel: string): string[] {
  const { current: c, previous: p } = row;
  const head = `${row.distribution.id}${row.distribution.domain ? `  ${row.distribution.domain}` : ''}`;
  const line = (name: string, cur: string, prev: string, change: string) =>
    `  ${padRight(name, 16)}${padLeft(cur, 11)}${padLeft(prev, 11)}${padLeft(change, 11)}`.trimEnd();
  const rate = (name: string, cur: number | undefined, prev: number | undefined) =>
    line(
      name,
      formatPercent(cur),
      p ? formatPercent(prev) : 'n/a',
      formatChange(trend(cur, p ? prev : undefined, 'rate').change, 'rate'),
    );
  const count = (
    name: string,
    cur: number | undefined,
    prev: number | undefined,
    fmt: (v: number | undefined) => string,
  ) =>
    line(
      name,
      fmt(cur),
      p ? fmt(prev) : 'n/a',
      formatChange(trend(cur, p ? prev : undefined, 'count').change, 'count'),
    );
  const out = [
    clip(ascii(head), MAX_LINE_WIDTH),
    line('', `last ${windowLabel}`, 'previous', 'change'),
    count('requests', c.requests, p?.requests, formatCount),
    rate('hit rate', c.hitRate, p?.hitRate),
    rate('4xx errors', c.errorRate4xx, p?.errorRate4xx),
    rate('5xx errors', c.errorRate5xx, p?.errorRate5xx),
    count('origin latency', c.originLatencyMs, p?.originLatencyMs, formatMs),
    count('bytes out', c.bytesDownloaded, p?.bytesDownloaded, formatBytes),
  ];
  if (c.hitRate === undefined) out.push(`  hit rate: n/a (${hitRateUnknownReason(c)})`);
  return out;
}

function spendLines(spend: Spend | undefined, error: string | undefined): string[] {
  const out = ['INVALIDATION SPEND this month (per account, 1,000 paths free)'];
  if (!spend) {
    out.push(...wrap(`could not be read${error ? `: ${error}` : ''}`, '  ', '  '));
    return out;
  }
  const row = (k: string, v: string) => `  ${padRight(k, 18)}${v}`;
  out.push(
    row(
      'paths billed',
      `${formatInteger(spend.pathsBilled)} of ${formatInteger(spend.freePaths)} free`,
    ),
  );
  out.push(
    row(
      'above free tier',
      spend.billablePaths > 0
        ? `${formatInteger(spend.billablePaths)} paths, about ${formatUsd(spend.estimatedUsd)}`
        : 'none, $0.00',
    ),
  );
  if (spend.projectedPaths !== undefined)
    out.push(row('month projected', `${formatInteger(spend.projectedPaths)} paths`));
  return out;
}

function recommendationLines(recs: readonly DigestRecommendation[]): string[] {
  if (!recs.length) return ['RECOMMENDATIONS: none'];
  const sorted = [...recs].sort((a, b) => bySeverity(a.recommendation, b.recommendation));
  const out = [`RECOMMENDATIONS (${recs.length})`];
  sorted.forEach(({ distributionId, recommendation: r }, i) => {
    const n = `${i + 1}. `;
    const pad = ' '.repeat(n.length);
    out.push('');
    out.push(
      ...wrap(`[${r.severity}] ${distributionId ? `${distributionId}: ` : ''}${r.title}`, pad, n),
    );
    out.push(...wrap(`Evidence: ${r.evidence}`, pad + '  ', pad));
    out.push(...wrap(`Expected: ${r.expectedEffect}`, pad + '  ', pad));
  });
  return out;
}

export function digestMail(ctx: MailContext, input: DigestMailInput): Mail {
  const windowMs = input.window.end.getTime() - input.window.start.getTime();
  const hours = Math.round(windowMs / 3_600_000);
  const label = formatRoughDuration(windowMs);
  const n = input.rows.length;
  const recs = input.recommendations.length;
  const subjectText =
    `${hours === 24 ? 'daily' : label} report: ${n} distribution${n === 1 ? '' : 's'}, ` +
    `${recs} recommendation${recs === 1 ? '' : 's'}`;

  const body: string[] = [
    `cdn-pipeline ${ascii(ctx.stage)}: ${hours === 24 ? 'daily' : `${hours}-hour`} report`,
    ...wrap(
      `${formatTime(input.window.start)} to ${formatTime(input.window.end)}, ` +
        `compared with the ${label} before.`,
    ),
    '',
  ];
  if (n) {
    body.push(...overviewTable(input.rows));
    if (input.rows.some((r) => r.current.hitRate === undefined))
      body.push(...wrap('hit n/a: additional metrics off or no cacheable requests (see below).'));
    body.push(...wrap(RATES_NOTE));
    for (const row of input.rows) {
      body.push('', ...detailTable(row, label));
      if (row.classes?.length)
        body.push(
          ...classTable(
            row.classes,
            input.classThresholds ?? { hitRateMin: 0, classHitRateMin: {} },
          ),
        );
    }
  } else {
    body.push('No distributions to report on.');
  }
  if (input.skipped.length) {
    body.push('', 'NOT INCLUDED');
    for (const s of input.skipped)
      body.push(...wrap(`${s.distributionId}: ${s.reason}`, '    ', '  '));
  }
  body.push('', ...spendLines(input.spend, input.spendError));
  body.push('', ...recommendationLines(input.recommendations));
  body.push(
    ...footer(
      ctx,
      input.rows.map((r) => r.distribution.id),
    ),
  );
  return { subject: subject(ctx, subjectText), body: body.join('\n') + '\n' };
}
