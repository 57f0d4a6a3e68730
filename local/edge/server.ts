/**
 * LOCAL ONLY. The local edge: one CloudFront edge location on loopback for the distributions on
 * the emulator (README, "Local edge"). `startEdge` loads the distributions, starts watching their
 * invalidations, the standard-log writer and the `AWS/CloudFront` metrics, and listens. Requests
 * are answered by handleRequest.ts; this file parses them, writes the answer, logs and counts it,
 * and never lets one request take the server down.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { AwsClients } from '../../shared/clients.js';
import { installCloudFrontShim } from '../cloudfrontShim.js';
import { s3ShimStore } from '../cloudfrontShimStore.js';
import { startAccessLog, type AccessLogWriter } from './accessLog.js';
import { newRequestId } from './cloudfrontErrors.js';
import { DEFAULT_CACHE_BYTES, EdgeCache } from './EdgeCache.js';
import { loadEdgeDistributions, type EdgeDistribution } from './edgeDistributions.js';
import { startEdgeMetrics, type EdgeMetrics } from './edgeMetrics.js';
import { edgeTally, type TalliedPath } from './edgeTally.js';
import { handleEdgeRequest, type EdgeDeps, type EdgeResponse } from './handleRequest.js';
import {
  cloudFrontSource,
  startInvalidationWatcher,
  type InvalidationSource,
} from './invalidationWatcher.js';

export const DEFAULT_EDGE_PORT = 4580;
/** Where the edge writes standard logs for a distribution that has no `Logging` of its own. */
export const DEFAULT_LOG_BUCKET = 'cdn-pipeline-local-cloudfront-logs';
export const DEFAULT_LOG_PREFIX = 'cloudfront/';
/** The edge location's name in X-Amz-Cf-Pop and the logs (a made-up code: it is this laptop). */
export const LOCAL_POP = 'LCL1-P1';
/** Node refuses (431) headers above this; CloudFront's own 20 KB limit (494) is checked first. */
const NODE_MAX_HEADER_BYTES = 64 * 1024;

export interface EdgeOptions {
  readonly clients: Pick<AwsClients, 'cloudfront' | 's3' | 'cloudwatchGlobal'>;
  /** Default 4580; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Serve only these distributions (default: every distribution on the emulator). */
  readonly distributionIds?: readonly string[];
  /** Served at `http://127.0.0.1:<port>/<path>` with no Host or prefix naming another. */
  readonly defaultDistributionId?: string;
  readonly invalidationPollMs?: number;
  /** Where invalidations are read (default: CloudFront's API on `clients.cloudfront`). */
  readonly invalidations?: InvalidationSource;
  /** How often the distributions' configs are re-read (default 5 s). */
  readonly refreshMs?: number;
  /** Standard logs (default on: every 10 s into the distribution's Logging bucket, else ours). */
  readonly logs?:
    | false
    | {
        readonly bucket?: string;
        readonly prefix?: string;
        readonly flushSeconds?: number;
        /** A distribution's standard logging (v2) delivery, when it has one: used first. */
        readonly deliveryFor?: (id: string) => { bucket: string; prefix: string } | undefined;
      };
  /** `AWS/CloudFront` metrics (default on; `additional: 'always'` publishes CacheHitRate and
   * OriginLatency without a monitoring subscription). */
  readonly metrics?:
    false | { readonly flushSeconds?: number; readonly additional?: 'subscription' | 'always' };
  readonly cacheBytes?: number;
  readonly originTimeoutMs?: number;
  readonly log?: (line: string) => void;
  readonly onError?: (line: string) => void;
}

export interface EdgeStats {
  readonly requests: number;
  readonly hits: number;
  readonly refreshHits: number;
  readonly misses: number;
  readonly errors: number;
  readonly cachedObjects: number;
  readonly cachedBytes: number;
  readonly invalidations: number;
  readonly evicted: number;
}

export interface Edge {
  readonly url: string;
  readonly port: number;
  distributions(): readonly EdgeDistribution[];
  stats(): EdgeStats;
  /** What it served, per distribution and path (its own count, beside its logs and metrics). */
  tally(): TalliedPath[];
  /** Re-reads the distributions and polls their invalidations now. */
  refresh(): Promise<void>;
  /** Writes the buffered log lines and every metric minute so far. */
  flush(): Promise<{ logFiles: string[]; datapoints: number }>;
  close(): Promise<void>;
}

function lowerHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function headerBytes(req: IncomingMessage): number {
  let n = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`.length;
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    n += req.rawHeaders[i]!.length + 2 + req.rawHeaders[i + 1]!.length + 2;
  return n;
}

/** The request body's length (read and dropped: nothing here takes a body). */
function drain(req: IncomingMessage): Promise<number> {
  return new Promise((resolve) => {
    let n = 0;
    req.on('data', (chunk: Buffer) => (n += chunk.length));
    req.on('end', () => resolve(n));
    req.on('error', () => resolve(n));
  });
}

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const { clients } = options;
  const log = options.log ?? (() => undefined);
  const onError = options.onError ?? ((line: string) => console.error(line));
  // The emulator lacks CloudFront's policy APIs: the labelled local shim answers them (a no-op
  // when the pipeline installed it on this client already).
  installCloudFrontShim(clients.cloudfront, { store: s3ShimStore(clients.s3) });

  const cache = new EdgeCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
  let distributions = await loadEdgeDistributions(clients, options.distributionIds);
  let lastRefreshFailure = '';
  const reload = async () => {
    try {
      distributions = await loadEdgeDistributions(clients, options.distributionIds);
      lastRefreshFailure = '';
    } catch (error) {
      const line = `${(error as Error).name}: ${(error as Error).message}`;
      if (line !== lastRefreshFailure) onError(`edge: reading distributions failed: ${line}`);
      lastRefreshFailure = line;
    }
  };
  const refreshTimer = setInterval(() => void reload(), options.refreshMs ?? 5_000);
  refreshTimer.unref();

  const watcher = startInvalidationWatcher({
    source: options.invalidations ?? cloudFrontSource(clients.cloudfront),
    cache,
    distributionIds: () => distributions.map((d) => d.id),
    everyMs: options.invalidationPollMs ?? 500,
    log,
  });
  await watcher.poll(); // the baseline: invalidations made before the edge cached anything

  const logsOption = options.logs === false ? undefined : (options.logs ?? {});
  const accessLog: AccessLogWriter | undefined = logsOption
    ? startAccessLog({ s3: clients.s3, everyMs: (logsOption.flushSeconds ?? 10) * 1000, onError })
    : undefined;
  const metricsOption = options.metrics === false ? undefined : (options.metrics ?? {});
  const metrics: EdgeMetrics | undefined = metricsOption
    ? startEdgeMetrics({
        cloudwatch: clients.cloudwatchGlobal,
        everyMs: (metricsOption.flushSeconds ?? 15) * 1000,
        additionalMetrics: (id) =>
          metricsOption.additional === 'always' ||
          Boolean(distributions.find((d) => d.id === id)?.additionalMetrics),
        onError,
      })
    : undefined;

  const counts = { requests: 0, hits: 0, refreshHits: 0, misses: 0, errors: 0 };
  const tally = edgeTally();
  const deps: EdgeDeps = {
    distributions: () => distributions,
    cache,
    s3: clients.s3,
    now: Date.now,
    pop: LOCAL_POP,
    ...(options.defaultDistributionId
      ? { defaultDistributionId: options.defaultDistributionId }
      : {}),
    viaHost: `${randomBytes(16).toString('hex')}.cloudfront.net`,
    ...(options.originTimeoutMs ? { originTimeoutMs: options.originTimeoutMs } : {}),
  };

  const record = (req: IncomingMessage, res: EdgeResponse, bytesIn: number, started: number) => {
    counts.requests += 1;
    if (res.resultType === 'Hit') counts.hits += 1;
    else if (res.resultType === 'RefreshHit') counts.refreshHits += 1;
    else if (res.resultType === 'Miss') counts.misses += 1;
    else counts.errors += 1;
    const distribution = distributions.find((d) => d.id === res.distributionId);
    if (!distribution) return; // a host CloudFront does not know: no distribution to log it for
    const at = Date.now();
    const bytesOut =
      res.body.length +
      Object.entries(res.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 17);
    tally.count(distribution.id, res.path, res.resultType, bytesOut);
    metrics?.count({
      at,
      distributionId: distribution.id,
      method: req.method ?? 'GET',
      status: res.status,
      bytesOut,
      bytesIn,
      resultType: res.resultType,
      originLatencyMs: res.originLatencyMs,
    });
    const destination = logsOption?.deliveryFor?.(distribution.id) ??
      distribution.logging ?? {
        bucket: (logsOption && logsOption.bucket) || DEFAULT_LOG_BUCKET,
        prefix: (logsOption && logsOption.prefix) ?? DEFAULT_LOG_PREFIX,
      };
    accessLog?.add(
      {
        at: new Date(at),
        pop: LOCAL_POP,
        distributionId: distribution.id,
        domainName: distribution.domainName,
        method: req.method ?? 'GET',
        host: req.headers.host,
        path: res.path,
        query: res.query,
        status: res.status,
        headers: lowerHeaders(req),
        clientIp: req.socket.remoteAddress ?? '-',
        clientPort: req.socket.remotePort ?? 0,
        protocolVersion: `HTTP/${req.httpVersion}`,
        bytesIn: headerBytes(req) + bytesIn,
        bytesOut,
        seconds: (performance.now() - started) / 1000,
        resultType: res.resultType,
        detailedResultType: res.detailedResultType,
        requestId: res.headers['x-amz-cf-id'] ?? '',
        contentType: res.headers['content-type'],
        contentLength: res.body.length,
        range: res.range,
        includeCookies: distribution.logging?.includeCookies ?? false,
      },
      destination,
    );
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const bytesIn = await drain(req);
    let answer: EdgeResponse;
    try {
      answer = await handleEdgeRequest(deps, {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: lowerHeaders(req),
        headerBytes: headerBytes(req),
        requestId: newRequestId(),
        clientIp: req.socket.remoteAddress ?? '',
      });
    } catch (error) {
      onError(
        `edge: ${req.method} ${req.url} failed: ${(error as Error).name}: ${(error as Error).message}`,
      );
      if (!res.headersSent) res.writeHead(502, { 'x-cache': 'Error from cloudfront' }).end();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
    try {
      record(req, answer, bytesIn, started);
    } catch (error) {
      onError(`edge: logging a request failed: ${(error as Error).message}`);
    }
  };

  const server = createServer(
    { maxHeaderSize: NODE_MAX_HEADER_BYTES },
    (req, res) => void serve(req, res),
  );
  server.on('clientError', (_error, socket) => {
    // Malformed requests and headers beyond Node's limit: answered, never a crash.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_EDGE_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;

  const flush = async () => {
    const [logFiles, datapoints] = await Promise.all([
      accessLog?.flush() ?? Promise.resolve([]),
      metrics?.flush({ all: true }) ?? Promise.resolve(0),
    ]);
    return { logFiles, datapoints };
  };
  return {
    url,
    port,
    distributions: () => distributions,
    stats: () => ({
      ...counts,
      cachedObjects: cache.size,
      cachedBytes: cache.bytes,
      ...watcher.stats(),
    }),
    tally: () => tally.entries(),
    async refresh() {
      await reload();
      await watcher.poll();
    },
    flush,
    async close() {
      clearInterval(refreshTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await watcher.stop();
      await Promise.allSettled([accessLog?.stop(), metrics?.stop()]);
    },
  };
}
