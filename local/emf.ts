/**
 * LOCAL ONLY. What CloudWatch Logs does with an EMF document a Lambda function prints: extracts
 * its metrics (CloudWatch "Specification: Embedded metric format") and stores them. Locally there
 * are no log groups, so `extractEmf` turns a document into the PutMetricData datums CloudWatch
 * would have stored, and `putMetricDataInputs` packs a flush's datums into as few PutMetricData
 * calls as the API's limits allow (one per namespace unless a flush is very large).
 *
 * Extraction, as the specification says: `_aws.Timestamp` (epoch ms) is every datum's timestamp;
 * each `CloudWatchMetrics` directive names a namespace, dimension sets (arrays of member names,
 * at most 30 each) and metric definitions (Name, Unit, StorageResolution); each metric is stored
 * once per dimension set, its value the root member of its name (a number, or an array of up to
 * 100 numbers: several values of one datapoint). A member a directive names that is missing or of
 * the wrong type leaves that metric (or that dimension set) out, with a note: never a made-up value.
 */
import type { MetricDatum, PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';

/** CloudWatch PutMetricData: at most 1 000 metrics (datums) per call. */
export const MAX_DATUMS_PER_CALL = 1000;
/** CloudWatch PutMetricData: 1 MB per POST; kept under, with room for the request's envelope. */
export const MAX_CALL_BYTES = 900_000;
/** EMF: at most 30 dimensions per dimension set, 100 metrics per directive, 100 values per metric. */
export const EMF_LIMITS = { dimensions: 30, metrics: 100, values: 100 } as const;

/** The units CloudWatch accepts (StandardUnit); EMF's default is None. */
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

/** One datum CloudWatch would store, with the namespace it goes to. */
export interface ExtractedMetric {
  readonly namespace: string;
  readonly datum: MetricDatum;
}

export interface Extraction {
  readonly metrics: ExtractedMetric[];
  /** What was left out and why (a field named), for a line on the console. */
  readonly notes: string[];
}

/** A document CloudWatch would not read as EMF at all (no `_aws` metadata, bad timestamp). */
export class EmfDocumentError extends Error {
  override readonly name = 'EmfDocumentError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The values of a metric's root member: a finite number, or an array of 1-100 of them. */
function valuesOf(value: unknown): number[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.length > EMF_LIMITS.values) return undefined;
  return list.every((v) => typeof v === 'number' && Number.isFinite(v))
    ? (list as number[])
    : undefined;
}

/**
 * The datums CloudWatch extracts from one EMF document (a parsed object or the JSON line).
 * Throws {@link EmfDocumentError} when the document is not EMF (what CloudWatch would keep as a
 * plain log line); a directive's bad metric or dimension set is left out with a note.
 */
export function extractEmf(document: unknown): Extraction {
  let doc = document;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc) as unknown;
    } catch {
      throw new EmfDocumentError('document', 'is not JSON');
    }
  }
  if (!isRecord(doc) || !isRecord(doc._aws)) throw new EmfDocumentError('_aws', 'is missing');
  const timestamp = doc._aws.Timestamp;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0)
    throw new EmfDocumentError('_aws.Timestamp', 'must be epoch milliseconds');
  const directives = doc._aws.CloudWatchMetrics;
  if (!Array.isArray(directives))
    throw new EmfDocumentError('_aws.CloudWatchMetrics', 'must be an array');

  const metrics: ExtractedMetric[] = [];
  const notes: string[] = [];
  directives.forEach((directive: unknown, d) => {
    const at = `_aws.CloudWatchMetrics[${d}]`;
    if (!isRecord(directive)) return void notes.push(`${at}: not an object`);
    const namespace = directive.Namespace;
    if (typeof namespace !== 'string' || !namespace || namespace.length > 255)
      return void notes.push(`${at}.Namespace: must be a string of 1-255 characters`);
    if (!Array.isArray(directive.Dimensions) || !Array.isArray(directive.Metrics))
      return void notes.push(`${at}: Dimensions and Metrics must be arrays`);
    if (directive.Metrics.length > EMF_LIMITS.metrics)
      return void notes.push(`${at}.Metrics: more than ${EMF_LIMITS.metrics} metrics`);

    // Each dimension set becomes one metric identity; an empty list of sets, none at all.
    const sets: Array<Array<{ Name: string; Value: string }>> = [];
    const given = directive.Dimensions.length ? directive.Dimensions : [[]];
    given.forEach((set: unknown, s) => {
      const where = `${at}.Dimensions[${s}]`;
      if (!Array.isArray(set) || set.length > EMF_LIMITS.dimensions)
        return void notes.push(`${where}: must be an array of at most 30 member names`);
      const dims: Array<{ Name: string; Value: string }> = [];
      for (const name of set as unknown[]) {
        const value = typeof name === 'string' ? doc[name] : undefined;
        if (typeof name !== 'string' || typeof value !== 'string' || !value)
          return void notes.push(`${where}: dimension ${String(name)} has no string value`);
        dims.push({ Name: name, Value: value });
      }
      sets.push(dims);
    });

    directive.Metrics.forEach((definition: unknown, m) => {
      const where = `${at}.Metrics[${m}]`;
      if (!isRecord(definition) || typeof definition.Name !== 'string' || !definition.Name)
        return void notes.push(`${where}.Name: must be a string`);
      const name = definition.Name;
      const values = valuesOf(doc[name]);
      if (!values) return void notes.push(`${name}: no number (or array of 1-100) at the root`);
      const unit = definition.Unit ?? 'None';
      if (typeof unit !== 'string' || !UNITS.has(unit))
        return void notes.push(`${where}.Unit: not a CloudWatch unit (${String(unit)})`);
      const resolution = definition.StorageResolution;
      if (resolution !== undefined && resolution !== 1 && resolution !== 60)
        return void notes.push(`${where}.StorageResolution: must be 1 or 60`);
      for (const dims of sets) {
        metrics.push({
          namespace,
          datum: {
            MetricName: name,
            ...(dims.length ? { Dimensions: dims } : {}),
            Timestamp: new Date(timestamp),
            ...(values.length === 1 ? { Value: values[0]! } : { Values: values }),
            Unit: unit as MetricDatum['Unit'],
            ...(resolution === 1 ? { StorageResolution: 1 } : {}),
          },
        });
      }
    });
  });
  return { metrics, notes };
}

/** A datum's size in a PutMetricData request, roughly (its JSON length: the query form is close). */
function datumBytes(datum: MetricDatum): number {
  return JSON.stringify(datum).length + 64;
}

/**
 * One flush's datums as PutMetricData inputs: one per namespace, split only where a call would
 * pass 1 000 datums or about 1 MB. Order within a namespace is kept.
 */
export function putMetricDataInputs(
  metrics: readonly ExtractedMetric[],
  limits: { readonly datums: number; readonly bytes: number } = {
    datums: MAX_DATUMS_PER_CALL,
    bytes: MAX_CALL_BYTES,
  },
): PutMetricDataCommandInput[] {
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const { namespace, datum } of metrics) {
    const list = byNamespace.get(namespace) ?? [];
    list.push(datum);
    byNamespace.set(namespace, list);
  }
  const inputs: PutMetricDataCommandInput[] = [];
  for (const [Namespace, data] of byNamespace) {
    let batch: MetricDatum[] = [];
    let bytes = 0;
    for (const datum of data) {
      const size = datumBytes(datum);
      if (batch.length && (batch.length >= limits.datums || bytes + size > limits.bytes)) {
        inputs.push({ Namespace, MetricData: batch });
        batch = [];
        bytes = 0;
      }
      batch.push(datum);
      bytes += size;
    }
    if (batch.length) inputs.push({ Namespace, MetricData: batch });
  }
  return inputs;
}
