/**
 * LOCAL ONLY. Where the functions' EMF metrics go when they run in this process: to the emulator's
 * CloudWatch, as CloudWatch Logs would extract them on AWS (local/emf.ts). The functions record
 * their metrics on the one Powertools singleton (`shared/observability.ts`), which on AWS belongs
 * to one function instance serving one invocation at a time; here the ingest, invalidate and
 * report handlers share the process and run batches at once. So the sink routes the singleton's
 * calls, during each invocation it runs (`invoke`), to a buffer of that invocation's own (Node's
 * AsyncLocalStorage), with the function's service name as its `service` dimension (serverless.yml's
 * POWERTOOLS_SERVICE_NAME), and flushes it when the invocation ends, as `lambdaHandler` does on
 * AWS: the EMF documents the flush emits (the buffered one, any single metrics, any automatic
 * flush at 100 metrics) become one PutMetricData per namespace. Nothing is printed. Calls made
 * outside an invocation (the CLI, tests calling a bare handler) reach the singleton unchanged.
 * Production code never imports this file.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { metrics as shared } from '../shared/observability.js';
import { EmfDocumentError, extractEmf, putMetricDataInputs, type ExtractedMetric } from './emf.js';

/** One invocation's own buffer, and the EMF documents its flushes emitted. */
interface Invocation {
  readonly metrics: Metrics;
  readonly documents: unknown[];
}

const current = new AsyncLocalStorage<Invocation>();
let routed = false;

/** Every method of the singleton goes to the running invocation's buffer, when there is one. */
function routeSingleton(): void {
  if (routed) return;
  routed = true;
  const target = shared as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(Metrics.prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(Metrics.prototype, name);
    if (name === 'constructor' || typeof descriptor?.value !== 'function') continue;
    const original = (descriptor.value as (...a: unknown[]) => unknown).bind(shared);
    target[name] = (...args: unknown[]) => {
      const invocation = current.getStore();
      if (!invocation) return original(...args);
      const own = invocation.metrics as unknown as Record<string, (...a: unknown[]) => unknown>;
      return own[name]!(...args);
    };
  }
}

/** A Metrics instance whose flushes are kept as documents instead of printed. */
function capturing(
  options: ConstructorParameters<typeof Metrics>[0],
  documents: unknown[],
): Metrics {
  const m = new Metrics(options);
  m.publishStoredMetrics = () => {
    try {
      if (m.hasStoredMetrics()) documents.push(m.serializeMetrics());
    } finally {
      m.clearMetrics();
      m.clearDimensions();
      m.clearMetadata();
    }
    return m;
  };
  const defaults = options?.defaultDimensions;
  m.singleMetric = () =>
    capturing({ ...options, singleMetric: true, defaultDimensions: { ...defaults } }, documents);
  return m;
}

export interface EmfSinkStats {
  /** Invocations that flushed at least one metric. */
  readonly flushes: number;
  readonly calls: number;
  readonly datums: number;
  readonly failedCalls: number;
}

export interface EmfSink {
  /**
   * Runs one invocation of the function named `service` (its POWERTOOLS_SERVICE_NAME), then
   * publishes what it recorded before returning (or rethrowing) its result.
   */
  invoke<R>(service: string, run: () => Promise<R>): Promise<R>;
  /** PutMetricData for these EMF documents (parsed or JSON lines); returns the datums sent. */
  publish(documents: readonly unknown[]): Promise<number>;
  stats(): EmfSinkStats;
}

export interface EmfSinkOptions {
  /** The stack region's CloudWatch (where EMF lands on AWS): `clients.cloudwatch`. */
  readonly cloudwatch: CloudWatchClient;
  /** POWERTOOLS_METRICS_NAMESPACE. */
  readonly namespace: string;
  /** A failed PutMetricData or a document CloudWatch would not extract: one line each. */
  readonly onError?: (line: string) => void;
}

export function createEmfSink(options: EmfSinkOptions): EmfSink {
  routeSingleton();
  const onError = options.onError ?? ((line: string) => console.error(line));
  const stats = { flushes: 0, calls: 0, datums: 0, failedCalls: 0 };
  const quiet = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (...a: unknown[]) => onError(`metrics: ${a.map(String).join(' ')}`),
    error: (...a: unknown[]) => onError(`metrics: ${a.map(String).join(' ')}`),
  };

  async function publish(documents: readonly unknown[]): Promise<number> {
    const extracted: ExtractedMetric[] = [];
    for (const document of documents) {
      try {
        const { metrics, notes } = extractEmf(document);
        extracted.push(...metrics);
        for (const note of notes) onError(`EMF metric left out: ${note}`);
      } catch (error) {
        if (!(error instanceof EmfDocumentError)) throw error;
        onError(`EMF document left out: ${error.message}`);
      }
    }
    if (!extracted.length) return 0;
    stats.flushes += 1;
    let sent = 0;
    for (const input of putMetricDataInputs(extracted)) {
      try {
        await options.cloudwatch.send(new PutMetricDataCommand(input));
        stats.calls += 1;
        sent += input.MetricData?.length ?? 0;
      } catch (error) {
        stats.failedCalls += 1;
        onError(
          `PutMetricData ${input.Namespace} (${input.MetricData?.length} datums) failed: ` +
            `${(error as Error).name}: ${(error as Error).message}`,
        );
      }
    }
    stats.datums += sent;
    return sent;
  }

  return {
    async invoke(service, run) {
      const documents: unknown[] = [];
      const invocation: Invocation = {
        metrics: capturing(
          { namespace: options.namespace, serviceName: service, logger: quiet },
          documents,
        ),
        documents,
      };
      try {
        return await current.run(invocation, run);
      } finally {
        invocation.metrics.publishStoredMetrics();
        await publish(documents);
      }
    },
    publish,
    stats: () => ({ ...stats }),
  };
}
