/**
 * LOCAL ONLY (the local edge). The `AWS/CloudFront` metrics CloudFront publishes, from the edge's
 * own traffic: one datapoint per distribution, metric and minute (dimensions DistributionId and
 * Region=Global, in us-east-1), written once the minute is over so that each minute has exactly
 * one value, as on CloudFront (the report weights ratios by Requests per minute). Requests,
 * BytesDownloaded, BytesUploaded and the error rates always; CacheHitRate and OriginLatency only for
 * a distribution with additional metrics (a monitoring subscription), as CloudFront bills them.
 */
import {
  PutMetricDataCommand,
  type CloudWatchClient,
  type MetricDatum,
} from '@aws-sdk/client-cloudwatch';

export const CLOUDFRONT_NAMESPACE = 'AWS/CloudFront';
const MINUTE_MS = 60_000;

/** One served request as the metrics count it. */
export interface CountedRequest {
  readonly at: number;
  readonly distributionId: string;
  readonly method: string;
  readonly status: number;
  readonly bytesOut: number;
  readonly bytesIn: number;
  readonly resultType: string;
  readonly originLatencyMs?: number | undefined;
}

interface Minute {
  requests: number;
  bytesDownloaded: number;
  bytesUploaded: number;
  errors4xx: number;
  errors5xx: number;
  hits: number;
  cacheable: number;
  latencySum: number;
  latencyCount: number;
}

const empty = (): Minute => ({
  requests: 0,
  bytesDownloaded: 0,
  bytesUploaded: 0,
  errors4xx: 0,
  errors5xx: 0,
  hits: 0,
  cacheable: 0,
  latencySum: 0,
  latencyCount: 0,
});

/** The datapoints of one distribution-minute. */
export function minuteData(
  distributionId: string,
  start: number,
  m: Minute,
  additional: boolean,
): MetricDatum[] {
  const dims = [
    { Name: 'DistributionId', Value: distributionId },
    { Name: 'Region', Value: 'Global' },
  ];
  const at = new Date(start);
  const datum = (MetricName: string, Value: number, Unit: MetricDatum['Unit']): MetricDatum => ({
    MetricName,
    Dimensions: dims,
    Timestamp: at,
    Value,
    Unit,
  });
  const pct = (n: number, d: number) => (d === 0 ? 0 : (100 * n) / d);
  const out = [
    datum('Requests', m.requests, 'None'),
    datum('BytesDownloaded', m.bytesDownloaded, 'None'),
    datum('BytesUploaded', m.bytesUploaded, 'None'),
    datum('4xxErrorRate', pct(m.errors4xx, m.requests), 'Percent'),
    datum('5xxErrorRate', pct(m.errors5xx, m.requests), 'Percent'),
    datum('TotalErrorRate', pct(m.errors4xx + m.errors5xx, m.requests), 'Percent'),
  ];
  if (additional && m.cacheable > 0)
    out.push(datum('CacheHitRate', pct(m.hits, m.cacheable), 'Percent'));
  if (additional && m.latencyCount > 0)
    out.push(datum('OriginLatency', m.latencySum / m.latencyCount, 'Milliseconds'));
  return out;
}

export interface EdgeMetrics {
  count(request: CountedRequest): void;
  /** Publishes every finished minute (all of them with `all`); returns the datapoints sent. */
  flush(options?: { all?: boolean }): Promise<number>;
  stop(): Promise<void>;
}

export function startEdgeMetrics(options: {
  readonly cloudwatch: CloudWatchClient;
  readonly everyMs: number;
  /** Whether the distribution has additional metrics (CacheHitRate, OriginLatency). */
  readonly additionalMetrics: (distributionId: string) => boolean;
  readonly now?: () => number;
  readonly onError?: (line: string) => void;
}): EdgeMetrics {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => undefined);
  const minutes = new Map<string, Minute>(); // `${id}\0${minuteStart}`

  async function flush(flushOptions: { all?: boolean } = {}): Promise<number> {
    const current = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
    const data: MetricDatum[] = [];
    for (const [group, m] of minutes) {
      const [id, start] = group.split('\0') as [string, string];
      if (!flushOptions.all && Number(start) >= current) continue;
      minutes.delete(group);
      data.push(...minuteData(id, Number(start), m, options.additionalMetrics(id)));
    }
    for (let i = 0; i < data.length; i += 500) {
      try {
        await options.cloudwatch.send(
          new PutMetricDataCommand({
            Namespace: CLOUDFRONT_NAMESPACE,
            MetricData: data.slice(i, i + 500),
          }),
        );
      } catch (error) {
        onError(
          `edge: publishing ${CLOUDFRONT_NAMESPACE} metrics failed: ${(error as Error).name}: ${(error as Error).message}`,
        );
      }
    }
    return data.length;
  }
  const timer = setInterval(() => void flush(), options.everyMs);
  timer.unref();

  return {
    count(r) {
      const group = `${r.distributionId}\0${Math.floor(r.at / MINUTE_MS) * MINUTE_MS}`;
      const m = minutes.get(group) ?? empty();
      m.requests += 1;
      m.bytesDownloaded += r.bytesOut;
      m.bytesUploaded += r.bytesIn;
      if (r.status >= 400 && r.status < 500) m.errors4xx += 1;
      if (r.status >= 500) m.errors5xx += 1;
      const cacheableMethod = r.method === 'GET' || r.method === 'HEAD';
      if (cacheableMethod && r.resultType !== 'Error') {
        m.cacheable += 1;
        if (r.resultType === 'Hit' || r.resultType === 'RefreshHit') m.hits += 1;
      }
      if (r.originLatencyMs !== undefined && r.resultType !== 'Hit') {
        m.latencySum += r.originLatencyMs;
        m.latencyCount += 1;
      }
      minutes.set(group, m);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush({ all: true });
    },
  };
}
