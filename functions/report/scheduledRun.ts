/**
 * What the report's two scheduled runs share (`handler.ts` the check, `digestHandler.ts` the
 * digest — one entry file each, so each bundle holds only its own core and clients): their
 * dependencies, the event, the run's time, and the per-distribution `HitRate` metrics.
 */
import { metrics, MetricUnit, type Handler } from '../../shared/observability.js';
import type { ReportConfig } from './config.js';
import type { TrafficSummary } from './metrics.js';
import type { CheckResult, DigestResult, ReportClients, ReportLog } from './types.js';

export interface ReportDeps {
  readonly clients: ReportClients;
  readonly config: ReportConfig;
  readonly log?: ReportLog;
  /** Clock for runs whose event carries no time (tests, CLI). */
  readonly now?: () => Date;
}

/** What the schedule sends (`time` is the scheduled time); the CLI and tests may send `{}`. */
export interface ReportEvent {
  readonly time?: string;
}

/** The bare handlers (the Lambda entry points wrap them; the CLI, local runs and tests call them). */
export interface ReportHandlers {
  readonly check: Handler<ReportEvent | undefined, CheckResult>;
  readonly digest: Handler<ReportEvent | undefined, DigestResult>;
}

/** The time the run is about: the event's scheduled time, else the clock. */
export function runTime(event: ReportEvent | undefined, now: () => Date): Date {
  const t = event?.time ? Date.parse(event.time) : Number.NaN;
  return Number.isFinite(t) ? new Date(t) : now();
}

export function publishHitRates(summaries: readonly TrafficSummary[]): void {
  for (const s of summaries) {
    // A hit rate CloudWatch did not have is not published as 0: the dashboard shows a gap.
    if (s.hitRate === undefined) continue;
    const single = metrics.singleMetric();
    single.addDimension('DistributionId', s.distributionId);
    single.addMetric('HitRate', MetricUnit.Percent, s.hitRate);
  }
}

/**
 * The clients of one run, typed as the cores' `ReportClients`: the one the run never calls is a
 * property that throws when read (each entry bundles only the clients its run calls).
 */
export function clientsWithout<K extends keyof ReportClients>(
  clients: Omit<ReportClients, K>,
  missing: K,
): ReportClients {
  const all: object = Object.create(null, Object.getOwnPropertyDescriptors(clients));
  return Object.defineProperty(all, missing, {
    enumerable: false,
    get() {
      throw new Error(`${String(missing)} is not a client of this function (not bundled)`);
    },
  }) as ReportClients;
}
